/*
 * futex(2): FUTEX_WAIT/WAKE (and the BITSET forms, PRIVATE or not, with
 * timeouts), REQUEUE and CMP_REQUEUE; futex_waitv, a wait on several
 * futexes. Waiters are keyed by address space and user address, in
 * hash buckets with a lock each; each sleeper has its own queue, which
 * all its waiters (one per futex) wake. Private waits (with a timeout
 * or without) and private wakes run without the big lock (docs/kernel.md, "Calls
 * without the big lock").
 */
#include <kernel/futex.h>
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/page.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/clock.h>
#include <kernel/arch.h>
#include <kernel/stat.h>
#include <kernel/mmu.h>
#include <arch/mmu.h>
#include <kernel/kmalloc.h>
#include <kernel/lock.h>
#include <kernel/spinlock.h>

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256

/*
 * A thread asleep on one futex or (futex_waitv) several. woken is set
 * once, by the first waker, under its waiter's bucket lock (atomically:
 * futex_waitv's waiters lie in several buckets).
 */
struct futex_sleeper {
	struct waitq wq;
	int woken;		/* the index of the waiter woken, -1: none */
};

/* One futex a sleeper waits on, queued in its key's bucket until woken. */
struct futex_waiter {
	struct list link;	/* [B] */
	struct vm *vm;		/* [B]: the key, which requeue changes */
	uint64_t uaddr;		/* [B] */
	uint32_t bitset;
	struct futex_sleeper *sleeper;
	int index;		/* its place in futex_waitv's vector */
	bool queued;		/* [B] */
};

/*
 * Waiters hashed by key into buckets, each with its own lock [B], so
 * that FUTEX_WAIT_PRIVATE and FUTEX_WAKE_PRIVATE run without the big lock
 * (nolock calls). A bucket lock is an object lock: taken before the
 * scheduler lock (a wake under it), never while copying user memory.
 */
#define FUTEX_BUCKETS 64
static struct futex_bucket {
	struct spinlock lock;
	struct list waiters;	/* [B]; list_init at first use */
} __attribute__((aligned(64))) buckets[FUTEX_BUCKETS] = {
	[0 ... FUTEX_BUCKETS - 1] = { .lock = SPINLOCK_INIT },
};

static struct futex_bucket *
bucket_of(const struct vm *vm, uint64_t uaddr)
{
	uint64_t h = (uaddr >> 2) ^ ((uint64_t)(uintptr_t)vm >> 6);
	h *= 0x9e3779b97f4a7c15ull;
	return &buckets[h >> 58];	/* the top 6 bits: 64 buckets */
}

/* Locks b; its list is set up at first use. */
static void
bucket_take(struct futex_bucket *b)
{
	spin_lock(&b->lock);
	if (!b->waiters.next)
		list_init(&b->waiters);
}

static struct futex_bucket *
bucket_lock(const struct vm *vm, uint64_t uaddr)
{
	struct futex_bucket *b = bucket_of(vm, uaddr);
	bucket_take(b);
	return b;
}

/* Locks and returns w's bucket; requeue may move w meanwhile, under
 * both buckets' locks, so the key is read again once locked. */
static struct futex_bucket *
waiter_lock(struct futex_waiter *w)
{
	for (;;) {
		struct futex_bucket *b =
			bucket_of(__atomic_load_n(&w->vm, __ATOMIC_RELAXED),
				  __atomic_load_n(&w->uaddr, __ATOMIC_RELAXED));
		bucket_take(b);
		if (b == bucket_of(w->vm, w->uaddr))
			return b;
		spin_unlock(&b->lock);
	}
}

/* Queues w in its bucket. */
static void
waiter_queue(struct futex_waiter *w)
{
	struct futex_bucket *b = bucket_lock(w->vm, w->uaddr);
	list_push_back(&b->waiters, &w->link);
	w->queued = true;
	spin_unlock(&b->lock);
}

/*
 * Takes w out of its bucket if no waker has; returns whether a waker had.
 * Always takes the bucket lock: a waker may still be waking w's sleeper,
 * whose memory (on the waiting thread's stack) must outlive that.
 */
static bool
waiter_dequeue(struct futex_waiter *w)
{
	struct futex_bucket *b = waiter_lock(w);
	bool woken = !w->queued;
	if (w->queued) {
		list_remove(&w->link);
		w->queued = false;
	}
	spin_unlock(&b->lock);
	return woken;
}

/*
 * The key of a futex word: private futexes are (address space, address);
 * shared ones are the physical address, the same in every process mapping
 * the page. *vm is NULL for a shared key. Big lock held for a shared one.
 */
static int
futex_key(uaddr_t uaddr, bool private, struct vm **vm, uint64_t *key)
{
	uint32_t probe;
	*vm = current()->proc->vm;
	*key = uaddr;
	if (private)
		return 0;
	BKL_ASSERT_HELD();
	if (copyin(&probe, uaddr, 4) < 0)
		return -EFAULT;
	struct region *r = vm_find(*vm, uaddr);
	if (!r || !(r->flags & MAP_SHARED))
		return 0;	/* private memory: the address is the key */
	pte_t *pte = mmu_pte((*vm)->root, uaddr & ~(PAGE_SIZE - 1), false);
	if (!pte || !mmu_pte_present(*pte))
		return -EFAULT;
	*key = mmu_pte_addr(*pte) | (uaddr & (PAGE_SIZE - 1));
	*vm = NULL;
	return 0;
}

/* Wakes w's sleeper, w taken off its locked bucket. */
static void
waiter_wake(struct futex_waiter *w)
{
	int none = -1;
	list_remove(&w->link);
	w->queued = false;
	__atomic_compare_exchange_n(&w->sleeper->woken, &none, w->index, false,
				    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	waitq_wake_all(&w->sleeper->wq);	/* its queue's lock, inside */
}

static int
wake(struct vm *vm, uint64_t uaddr, int n, uint32_t bitset)
{
	int woke = 0;
	struct futex_bucket *b = bucket_lock(vm, uaddr);
	list_for_each_safe(it, nx, &b->waiters) {
		if (woke >= n)
			break;
		struct futex_waiter *w = list_entry(it, struct futex_waiter, link);
		if (w->vm == vm && w->uaddr == uaddr && (w->bitset & bitset)) {
			waiter_wake(w);
			woke++;
		}
	}
	spin_unlock(&b->lock);
	return woke;
}

int
futex_wake(struct vm *vm, uint64_t uaddr, int n)
{
	return wake(vm, uaddr, n, ~0u);
}

/*
 * An absolute time on CLOCK_MONOTONIC or (realtime) CLOCK_REALTIME, as
 * clock_gettime reads it with what clock_settime set, to a deadline on
 * the monotonic clock (never 0, which means none).
 */
static uint64_t
deadline_abs(uint64_t ns, bool realtime)
{
	uint64_t now = arch_now_ns(), base = now;
	if (realtime)
		clock_now(CLOCK_REALTIME, &base);
	uint64_t deadline = ns > base ? now + (ns - base) : now;
	return deadline ? deadline : 1;
}

/* waitq_wait_cond's test, under its queue's lock: a waker came. */
static bool
sleeper_woken(void *arg)
{
	const struct futex_sleeper *s = arg;
	return __atomic_load_n(&s->woken, __ATOMIC_RELAXED) >= 0;
}

/* Sleeps until one of s's waiters is woken (0), the deadline passes
 * (-ETIMEDOUT) or a signal comes (-EINTR). */
static int
sleep_until_woken(struct futex_sleeper *s, uint64_t deadline)
{
	int r = 0;
	while (!sleeper_woken(s) && r == 0)
		r = waitq_wait_cond(&s->wq, deadline, true, sleeper_woken, s);
	if (sleeper_woken(s))
		return 0;
	return r == -ETIMEDOUT ? -ETIMEDOUT : -EINTR;
}

/*
 * The word checked against its expected value with the waiter already
 * queued: 0, -EAGAIN or -EFAULT. The lost wake-up this rules out: the
 * waker stores the word, then takes the bucket lock (a locked
 * instruction: a full barrier) and looks for waiters; the waiter queues
 * itself under that lock, then (after a full barrier) reads the word. So
 * either the waker finds the waiter queued, or the waiter reads the
 * waker's value and does not sleep. The word cannot be read under the
 * bucket lock, since a fault in the copy takes the big lock.
 */
static int
word_check(uaddr_t uaddr, uint32_t val)
{
	uint32_t cur;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (copyin(&cur, uaddr, 4) < 0)
		return -EFAULT;
	return cur == val ? 0 : -EAGAIN;
}

/*
 * FUTEX_WAIT: also a nolock call for a private futex, with a timeout or
 * without (a sleep's timeout is a nolock timer: docs/kernel.md,
 * "Timers"); -ERETRY_LOCKED hands a shared one to the locked path.
 */
static long
futex_wait(uint64_t uaddr, uint32_t val, uaddr_t timeout, uint32_t bitset, bool absolute,
	   bool realtime, bool private)
{
	struct vm *vm;
	uint64_t key;
	uint32_t cur;
	uint64_t deadline = 0;
	bool locked = bkl_held();

	if (!locked && !private)
		return -ERETRY_LOCKED;
	if (!bitset)
		return -EINVAL;
	if (timeout) {
		struct timespec_k ts;
		if (copyin(&ts, timeout, sizeof(ts)) < 0)
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		uint64_t ns = (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
		deadline = absolute ? deadline_abs(ns, realtime) : arch_now_ns() + ns;
		if (deadline == 0)
			deadline = 1;
	}
	if (copyin(&cur, uaddr, 4) < 0)
		return -EFAULT;
	if (cur != val)
		return -EAGAIN;
	if (futex_key(uaddr, private, &vm, &key) < 0)
		return -EFAULT;
	struct futex_sleeper s = { .woken = -1 };
	struct futex_waiter w = { .vm = vm, .uaddr = key, .bitset = bitset,
				  .sleeper = &s };
	waitq_init_inline(&s.wq);
	waiter_queue(&w);
	int r = word_check(uaddr, val);
	if (r == 0)
		r = sleep_until_woken(&s, deadline);
	if (waiter_dequeue(&w))
		r = 0;		/* a wake counted this waiter: it woke */
	/*
	 * A signal ended the sleep of a nolock call, whose way out delivers
	 * none: the locked path runs the call again, which finds the signal
	 * (or a changed word) at once and delivers it.
	 */
	if (r == -EINTR && !locked)
		return -ERETRY_LOCKED;
	return r;
}

/* Moves up to n waiters from one key to another, under both buckets'
 * locks (the lower address first); returns how many moved. */
static int
move_waiters(struct vm *vm, uint64_t key, struct vm *vm2, uint64_t key2,
	     int n)
{
	struct futex_bucket *b = bucket_of(vm, key), *b2 = bucket_of(vm2, key2);
	struct futex_bucket *first = b < b2 ? b : b2, *second = b < b2 ? b2 : b;
	int moved = 0;

	bucket_take(first);
	if (second != first)
		bucket_take(second);
	list_for_each_safe(it, nx, &b->waiters) {
		if (moved >= n)
			break;
		struct futex_waiter *w = list_entry(it, struct futex_waiter, link);
		if (w->vm != vm || w->uaddr != key)
			continue;
		w->vm = vm2;	/* a shared key has none */
		w->uaddr = key2;
		if (b2 != b) {
			list_remove(&w->link);
			list_push_back(&b2->waiters, &w->link);
		}
		moved++;
	}
	if (second != first)
		spin_unlock(&second->lock);
	spin_unlock(&first->lock);
	return moved;
}

static long
requeue(uint64_t uaddr, int nwake, int nmove, uint64_t uaddr2, bool cmp, uint32_t val3, bool private)
{
	struct vm *vm, *vm2;
	uint64_t key, key2;
	if (nwake < 0 || nmove < 0)
		return -EINVAL;
	if (futex_key(uaddr, private, &vm, &key) < 0 ||
	    futex_key(uaddr2, private, &vm2, &key2) < 0)
		return -EFAULT;
	if (cmp) {
		uint32_t cur;
		if (copyin(&cur, uaddr, 4) < 0)	/* the word, not its key */
			return -EFAULT;
		if (cur != val3)
			return -EAGAIN;
	}
	int done = wake(vm, key, nwake, ~0u);
	return done + move_waiters(vm, key, vm2, key2, nmove);
}

long
sys_futex(uaddr_t uaddr, int op, uint32_t val, uaddr_t timeout, uaddr_t uaddr2, uint32_t val3)
{
	int cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	bool rt = op & FUTEX_CLOCK_REALTIME;
	bool priv = op & FUTEX_PRIVATE_FLAG;
	struct vm *vm;
	uint64_t key;
	bool locked = bkl_held();
	/*
	 * A nolock call (syscalls.master): FUTEX_WAIT and FUTEX_WAKE (and
	 * their bitset forms) on private futexes; futex_wait hands back the
	 * waits it cannot do unlocked; everything else goes to the locked
	 * path before it has changed anything.
	 */
	if (!locked && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET &&
	    ((cmd != FUTEX_WAKE && cmd != FUTEX_WAKE_BITSET) || !priv))
		return -ERETRY_LOCKED;
	if (uaddr & 3)
		return -EINVAL;
	switch (cmd) {
	case FUTEX_WAIT:
		return futex_wait(uaddr, val, timeout, ~0u, false, false, priv);
	case FUTEX_WAIT_BITSET:
		return futex_wait(uaddr, val, timeout, val3, true, rt, priv);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if (cmd == FUTEX_WAKE_BITSET && !val3)
			return -EINVAL;
		if (futex_key(uaddr, priv, &vm, &key) < 0)
			return -EFAULT;
		return wake(vm, key, (int)val, cmd == FUTEX_WAKE ? ~0u : val3);
	case FUTEX_REQUEUE:
		return requeue(uaddr, (int)val, (int)timeout, uaddr2, false, 0, priv);
	case FUTEX_CMP_REQUEUE:
		return requeue(uaddr, (int)val, (int)timeout, uaddr2, true, val3, priv);
	}
	return -ENOSYS;
}

/* ---- futex_waitv ---------------------------------------------------------- */

#define FUTEX_WAITV_MAX 128
#define FUTEX2_SIZE_U32 0x02
#define FUTEX2_SIZE_MASK 0x03
#define FUTEX2_PRIVATE FUTEX_PRIVATE_FLAG

/* Linux's struct futex_waitv. */
struct futex_waitv_k {
	uint64_t val;
	uint64_t uaddr;
	uint32_t flags;
	uint32_t reserved;
};

/* Linux's futex_parse_waitv and the key of each: 32-bit futexes only,
 * aligned, with values that fit. */
static long
waitv_parse(struct futex_waiter *w, const struct futex_waitv_k *v, unsigned n,
	    struct futex_sleeper *s)
{
	for (unsigned i = 0; i < n; i++) {
		if ((v[i].flags & ~(FUTEX2_SIZE_MASK | FUTEX2_PRIVATE)) ||
		    v[i].reserved ||
		    (v[i].flags & FUTEX2_SIZE_MASK) != FUTEX2_SIZE_U32 ||
		    v[i].val > UINT32_MAX)
			return -EINVAL;
		if (v[i].uaddr & 3)
			return -EINVAL;
		if (futex_key(v[i].uaddr, v[i].flags & FUTEX2_PRIVATE,
			      &w[i].vm, &w[i].uaddr) < 0)
			return -EFAULT;
		w[i].bitset = ~0u;
		w[i].sleeper = s;
		w[i].index = (int)i;
	}
	return 0;
}

/* Queues every waiter, then checks each word: a changed one is -EAGAIN
 * (word_check says why no wake is lost in between). */
static long
waitv_sleep(struct futex_waiter *w, const struct futex_waitv_k *v, unsigned n,
	    struct futex_sleeper *s, uint64_t deadline)
{
	long r = 0;
	for (unsigned i = 0; i < n; i++)
		waiter_queue(&w[i]);
	for (unsigned i = 0; i < n && r == 0; i++)
		r = word_check(v[i].uaddr, (uint32_t)v[i].val);
	if (r == 0)
		r = sleep_until_woken(s, deadline);
	for (unsigned i = 0; i < n; i++)
		waiter_dequeue(&w[i]);
	if (sleeper_woken(s))
		return s->woken;	/* a wake counted it: it woke */
	return r;
}

/* Waits on nr futexes at once; returns the index of the one woken. The
 * timeout is absolute, on CLOCK_MONOTONIC or CLOCK_REALTIME. */
long
sys_futex_waitv(uaddr_t uwaiters, unsigned nr, unsigned flags, uaddr_t timeout, int clock)
{
	uint64_t deadline = 0;
	if (flags || nr == 0 || nr > FUTEX_WAITV_MAX || !uwaiters)
		return -EINVAL;
	if (timeout) {
		struct timespec_k ts;
		if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC)
			return -EINVAL;
		if (copyin(&ts, timeout, sizeof(ts)) < 0)
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		deadline = deadline_abs((uint64_t)ts.tv_sec * 1000000000 +
					(uint64_t)ts.tv_nsec,
					clock == CLOCK_REALTIME);
	}
	struct futex_waitv_k *v = kmalloc(nr * sizeof(*v));
	struct futex_waiter *w = kzalloc(nr * sizeof(*w));
	struct futex_sleeper s = { .woken = -1 };
	long r = -ENOMEM;
	if (!v || !w)
		goto out;
	waitq_init_inline(&s.wq);
	r = copyin(v, uwaiters, nr * sizeof(*v)) < 0 ? -EFAULT :
						      waitv_parse(w, v, nr, &s);
	if (r == 0)
		r = waitv_sleep(w, v, nr, &s, deadline);
out:
	kfree(w);
	kfree(v);
	return r;
}

/* ---- Robust futexes (set_robust_list) ------------------------------------ */

#define FUTEX_WAITERS 0x80000000u
#define FUTEX_OWNER_DIED 0x40000000u
#define FUTEX_TID_MASK 0x3fffffffu
#define ROBUST_LIST_LIMIT 2048	/* Linux's bound on a list's walk */

/* The head set_robust_list names: Linux's struct robust_list_head. */
struct robust_head {
	uint64_t next;		/* the first entry; the head itself: none */
	int64_t futex_offset;	/* from an entry to its futex word */
	uint64_t pending;	/* an entry being taken or released */
};

/*
 * Compares the futex word at uaddr with *old and, if equal, stores new, as
 * one atomic operation on the page user space sees, so that a thread of
 * the process on another CPU updating the word meanwhile is not undone.
 * 1 on success, 0 if the word was not *old (*old is what it was), -1 if
 * the word cannot be written.
 */
static int
user_word_cmpxchg(uaddr_t uaddr, uint32_t *old, uint32_t new)
{
	paddr_t page = vm_user_page(current()->proc->vm, uaddr, true);
	if (!page)
		return -1;
	uint32_t *w = (uint32_t *)((char *)phys_to_virt(page) +
				   (uaddr & (PAGE_SIZE - 1)));
	bool done = __atomic_compare_exchange_n(w, old, new, false,
						__ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST);
	page_put(page);	/* vm_user_page's reference */
	return done ? 1 : 0;
}

/*
 * Linux's handle_futex_death: the word at uaddr still names tid as the
 * owner, so the owner is dead: FUTEX_OWNER_DIED is set (waiters bit
 * kept) and one waiter woken, which then finds EOWNERDEAD in its lock.
 */
static void
robust_owner_died(uaddr_t uaddr, int tid)
{
	uint32_t val;
	if (uaddr & 3 || copyin(&val, uaddr, sizeof(val)) < 0)
		return;
	for (int tries = 0; tries < 16; tries++) {
		if ((val & FUTEX_TID_MASK) != (uint32_t)tid)
			return;
		int r = user_word_cmpxchg(uaddr, &val,
					  (val & FUTEX_WAITERS) | FUTEX_OWNER_DIED);
		if (r < 0)
			return;
		if (r == 0)
			continue;	/* changed under us: look again */
		if (val & FUTEX_WAITERS) {
			struct vm *vm;
			uint64_t key;
			if (futex_key(uaddr, false, &vm, &key) == 0)
				wake(vm, key, 1, ~0u);
		}
		return;
	}
}

void
futex_exit_robust(struct thread *t)
{
	uint64_t head_at = t->robust_list;
	struct robust_head h;

	t->robust_list = 0;
	if (!head_at || copyin(&h, head_at, sizeof(h)) < 0)
		return;
	/* Entries are user addresses with the low bit marking a PI futex;
	   Petrel has no PI futexes, so those are left alone. */
	uint64_t entry = h.next;
	for (int n = 0; entry != head_at && n < ROBUST_LIST_LIMIT; n++) {
		uint64_t next;
		bool fetched = copyin(&next, entry & ~1ul, sizeof(next)) == 0;
		if (entry != h.pending && !(entry & 1))
			robust_owner_died(entry + (uint64_t)h.futex_offset, t->tid);
		if (!fetched)
			break;
		entry = next;
	}
	if (h.pending && !(h.pending & 1))
		robust_owner_died(h.pending + (uint64_t)h.futex_offset, t->tid);
}
