/*
 * futex(2): FUTEX_WAIT/WAKE (and the BITSET forms, PRIVATE or not, with
 * timeouts), REQUEUE and CMP_REQUEUE. Waiters are keyed by address space
 * and user address; each waiter sleeps on its own queue entry.
 */
#include <kernel/futex.h>
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/clock.h>
#include <kernel/arch.h>
#include <kernel/stat.h>
#include <kernel/mmu.h>
#include <arch/mmu.h>

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256

struct futex_waiter {
	struct list link;
	struct vm *vm;
	uint64_t uaddr;
	uint32_t bitset;
	struct waitq wq;
	bool woken;
};

static struct list waiters = LIST_INIT(waiters);

/*
 * The key of a futex word: private futexes are (address space, address);
 * shared ones are the physical address, the same in every process mapping
 * the page. *vm is NULL for a shared key.
 */
static int
futex_key(uaddr_t uaddr, bool private, struct vm **vm, uint64_t *key)
{
	uint32_t probe;
	*vm = current()->proc->vm;
	*key = uaddr;
	if (private)
		return 0;
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

static int
wake(struct vm *vm, uint64_t uaddr, int n, uint32_t bitset)
{
	int woke = 0;
	list_for_each_safe(it, nx, &waiters) {
		if (woke >= n)
			break;
		struct futex_waiter *w = list_entry(it, struct futex_waiter, link);
		if (w->vm == vm && w->uaddr == uaddr && (w->bitset & bitset)) {
			list_remove(&w->link);
			w->woken = true;
			waitq_wake_all(&w->wq);
			woke++;
		}
	}
	return woke;
}

int
futex_wake(struct vm *vm, uint64_t uaddr, int n)
{
	return wake(vm, uaddr, n, ~0u);
}

static long
futex_wait(uint64_t uaddr, uint32_t val, uaddr_t timeout, uint32_t bitset, bool absolute,
	   bool realtime, bool private)
{
	struct vm *vm;
	uint64_t key;
	uint32_t cur;
	uint64_t deadline = 0;

	if (!bitset)
		return -EINVAL;
	if (timeout) {
		struct timespec_k ts;
		if (copyin(&ts, timeout, sizeof(ts)) < 0)
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		uint64_t ns = (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
		uint64_t now = arch_now_ns();
		if (absolute) {
			/* The wall clock as clock_gettime reads it, with what
			 * clock_settime set: the deadline is on that clock. */
			uint64_t base = now;
			if (realtime)
				clock_now(CLOCK_REALTIME, &base);
			deadline = ns > base ? now + (ns - base) : now;
		} else {
			deadline = now + ns;
		}
		if (deadline == 0)
			deadline = 1;
	}
	if (copyin(&cur, uaddr, 4) < 0)
		return -EFAULT;
	if (cur != val)
		return -EAGAIN;
	if (futex_key(uaddr, private, &vm, &key) < 0)
		return -EFAULT;
	struct futex_waiter w = { .vm = vm, .uaddr = key, .bitset = bitset };
	waitq_init(&w.wq);
	list_push_back(&waiters, &w.link);
	int r = 0;
	while (!w.woken && r == 0)
		r = waitq_wait(&w.wq, deadline, true);
	if (!w.woken)
		list_remove(&w.link);
	if (w.woken)
		return 0;
	return r == -ETIMEDOUT ? -ETIMEDOUT : -EINTR;
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
	list_for_each(it, &waiters) {
		if (nmove <= 0)
			break;
		struct futex_waiter *w = list_entry(it, struct futex_waiter, link);
		if (w->vm == vm && w->uaddr == key) {
			w->vm = vm2;	/* a shared key has none */
			w->uaddr = key2;
			nmove--;
			done++;
		}
	}
	return done;
}

long
sys_futex(uaddr_t uaddr, int op, uint32_t val, uaddr_t timeout, uaddr_t uaddr2, uint32_t val3)
{
	int cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	bool rt = op & FUTEX_CLOCK_REALTIME;
	bool priv = op & FUTEX_PRIVATE_FLAG;
	struct vm *vm;
	uint64_t key;
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
