/*
 * System V IPC's common part, as Linux's ipc/util.c: the table of ids of
 * each kind (message queues, semaphore sets, shared memory segments),
 * keys, permissions, and the limits of /proc/sys/kernel. The kinds
 * themselves are ipc_msg.c, ipc_sem.c and ipc_shm.c.
 */
#include <kernel/proc.h>
#include <kernel/kmalloc.h>
#include <kernel/page.h>
#include <kernel/string.h>
#include <kernel/printk.h>
#include <kernel/clock.h>
#include <kernel/refcount.h>
#include <kernel/sysvipc.h>
#include <kernel/errno.h>
#include "ipc_int.h"

/* Linux 6.1's defaults (include/uapi/linux/{msg,sem,shm}.h). */
#define SHM_DEFAULT_MAX (~0ul - (1ul << 24))
struct ipc_limits ipc_limits = {
	.msgmax = 8192, .msgmnb = 16384, .msgmni = 32000,
	.semmsl = 32000, .semmns = 32000 * 32000, .semopm = 500,
	.semmni = 32000,
	.shmmax = SHM_DEFAULT_MAX, .shmall = SHM_DEFAULT_MAX, .shmmni = 4096,
};

/* The least span a cyclic allocation goes round (Linux's ipc_min_cycle). */
#define IPC_MIN_CYCLE 64
/* Sequence numbers wrap here, so that an id stays a positive int. */
#define IPC_SEQ_MAX (0x7fffffff / IPCMNI)

static bool
key_matches(const struct ipc_obj *o, int key, const struct ns *ns)
{
	return o && o->key == key && !o->removed && o->ns == ns;
}

static struct ipc_obj *
find_key(struct ipc_ids *ids, int key)
{
	struct ns *ns = ipc_ns_current();
	for (int i = 0; i < ids->cap; i++)
		if (key_matches(ids->slot[i], key, ns))
			return ids->slot[i];
	return NULL;
}

long
ipc_get(struct ipc_ids *ids, int key, int flags,
	struct ipc_obj *(*create)(int key, int flags, long arg),
	int (*check)(struct ipc_obj *o, long arg), long arg)
{
	struct ipc_obj *o = key == IPC_PRIVATE ? NULL : find_key(ids, key);
	if (!o) {
		if (key != IPC_PRIVATE && !(flags & IPC_CREAT))
			return -ENOENT;
		o = create(key, flags, arg);
		return IS_ERR(o) ? PTR_ERR(o) : o->id;
	}
	if ((flags & IPC_CREAT) && (flags & IPC_EXCL))
		return -EEXIST;
	int r = check ? check(o, arg) : 0;
	if (r < 0)
		return r;
	return ipc_allowed(o, flags) ? o->id : -EACCES;
}

static int
grow(struct ipc_ids *ids, int want)
{
	int cap = ids->cap ? ids->cap : IPC_MIN_CYCLE;
	while (cap < want)
		cap *= 2;
	if (cap > IPCMNI)
		cap = IPCMNI;
	if (cap <= ids->cap)
		return 0;
	struct ipc_obj **slot = kzalloc((size_t)cap * sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	if (ids->slot)
		memcpy(slot, ids->slot, (size_t)ids->cap * sizeof(*slot));
	kfree(ids->slot);
	ids->slot = slot;
	ids->cap = cap;
	return 0;
}

/* Linux's ipc_idr_alloc: the next free index after the last one given,
 * going round within 1.5 times the count in use (at least 64); the
 * sequence number moves on each time the indexes go round. */
static int
alloc_index(struct ipc_ids *ids, int limit)
{
	int span = ids->in_use * 3 / 2;
	if (span < IPC_MIN_CYCLE)
		span = IPC_MIN_CYCLE;
	if (span > limit)
		span = limit;
	if (grow(ids, span) < 0)
		return -ENOMEM;
	for (int n = 0; n < span; n++) {
		int idx = (ids->last_idx + 1 + n) % span;
		if (ids->slot[idx])
			continue;
		if (idx <= ids->last_idx && ++ids->seq > IPC_SEQ_MAX)
			ids->seq = 0;
		ids->last_idx = idx;
		return idx;
	}
	return -ENOSPC;
}

/* The index asked for by next_id, or the first free one after it (Linux's
 * idr_alloc from there); *seq becomes next_id's sequence number. */
static int
alloc_asked(struct ipc_ids *ids, int next_id, unsigned *seq)
{
	if (grow(ids, IPCMNI) < 0)
		return -ENOMEM;
	for (int idx = next_id % IPCMNI; idx < ids->cap; idx++) {
		if (!ids->slot[idx]) {
			*seq = (unsigned)(next_id / IPCMNI);
			return idx;
		}
	}
	return -ENOSPC;
}

int
ipc_add(struct ipc_ids *ids, struct ipc_obj *o, int key, int flags, int limit)
{
	if (limit > IPCMNI)
		limit = IPCMNI;
	if (ids->in_use >= limit)
		return -ENOSPC;
	int next_id = ids->next_id;
	unsigned seq = ids->seq;
	ids->next_id = -1;	/* asked for once, as Linux */
	int idx = next_id >= 0 ? alloc_asked(ids, next_id, &seq) :
				 alloc_index(ids, limit);
	if (idx < 0)
		return idx;
	if (next_id < 0)
		seq = ids->seq;
	struct proc *p = current()->proc;
	o->id = (int)seq * IPCMNI + idx;
	o->key = key;
	o->uid = o->cuid = p->euid;
	o->gid = o->cgid = p->egid;
	o->mode = (unsigned)flags & 0777;
	o->removed = false;
	o->ns = ipc_ns_current();
	o->refcount = 1;
	o->ctime = ipc_now();
	ids->slot[idx] = o;
	ids->in_use++;
	return 0;
}

void
ipc_remove(struct ipc_ids *ids, struct ipc_obj *o)
{
	int idx = o->id % IPCMNI;
	if (o->removed || ids->slot[idx] != o)
		return;
	ids->slot[idx] = NULL;
	ids->in_use--;
	o->removed = true;
	ipc_put(ids, o);
}

void
ipc_hold(struct ipc_obj *o)
{
	ref_get(&o->refcount);
}

void
ipc_put(struct ipc_ids *ids, struct ipc_obj *o)
{
	if (ref_put(&o->refcount))
		ids->free(o);
}

struct ipc_obj *
ipc_find_index(struct ipc_ids *ids, int index)
{
	if (index < 0 || index >= ids->cap)
		return NULL;
	struct ipc_obj *o = ids->slot[index];
	return o && o->ns == ipc_ns_current() ? o : NULL;	/* another
							   namespace's */
}

struct ipc_obj *
ipc_find(struct ipc_ids *ids, int id)
{
	if (id < 0)
		return NULL;
	struct ipc_obj *o = ipc_find_index(ids, id % IPCMNI);
	return o && o->id == id ? o : NULL;
}

int
ipc_max_index(struct ipc_ids *ids)
{
	int max = -1;
	for (int i = 0; i < ids->cap; i++)
		if (ids->slot[i])
			max = i;
	return max;
}

/* Linux's ipcperms: the owner's bits, else the group's, else the
 * others'; CAP_IPC_OWNER passes. */
bool
ipc_allowed(const struct ipc_obj *o, int want)
{
	struct proc *p = current()->proc;
	unsigned need = ((unsigned)want >> 6 | (unsigned)want >> 3 |
			 (unsigned)want) & 7;
	unsigned granted = o->mode;
	if (p->euid == o->cuid || p->euid == o->uid)
		granted >>= 6;
	else if (p->egid == o->cgid || p->egid == o->gid)
		granted >>= 3;
	return !(need & ~granted & 7) || capable(CAP_IPC_OWNER);
}

int
ipc_owner_check(const struct ipc_obj *o)
{
	struct proc *p = current()->proc;
	if (p->euid == o->cuid || p->euid == o->uid || capable(CAP_SYS_ADMIN))
		return 0;
	return -EPERM;
}

void
ipc_perm_out(const struct ipc_obj *o, struct ipc_perm64 *out)
{
	memset(out, 0, sizeof(*out));
	out->key = o->key;
	out->uid = o->uid;
	out->gid = o->gid;
	out->cuid = o->cuid;
	out->cgid = o->cgid;
	out->mode = o->mode;
	out->seq = (unsigned short)(o->id / IPCMNI);
}

void
ipc_perm_set(struct ipc_obj *o, const struct ipc_perm64 *in)
{
	o->uid = in->uid;
	o->gid = in->gid;
	o->mode = (o->mode & ~0777u) | (in->mode & 0777);
	o->ctime = ipc_now();
}

int64_t
ipc_now(void)
{
	uint64_t ns = 0;
	clock_now(CLOCK_REALTIME, &ns);
	return (int64_t)(ns / 1000000000);
}

bool
ipc_memory_ok(size_t bytes)
{
	uint64_t pages = ALIGN_UP(bytes, PAGE_SIZE) / PAGE_SIZE;
	return proc_privileged() || page_free_count() > page_reserve() + pages;
}

int
ipc_pid(void)
{
	return current()->proc->pid;
}

/* /proc/sys/kernel's knobs. */

const char *const ipc_knob_names[IPC_KNOB_COUNT] = {
	"msgmax", "msgmnb", "msgmni", "sem", "shmmax", "shmall", "shmmni",
	"msg_next_id", "sem_next_id", "shm_next_id",
};

static int *
int_knob(enum ipc_knob knob)
{
	switch (knob) {
	case IPC_KNOB_MSGMAX: return &ipc_limits.msgmax;
	case IPC_KNOB_MSGMNB: return &ipc_limits.msgmnb;
	case IPC_KNOB_MSGMNI: return &ipc_limits.msgmni;
	case IPC_KNOB_SHMMNI: return &ipc_limits.shmmni;
	case IPC_KNOB_MSG_NEXT_ID: return &msg_ids.next_id;
	case IPC_KNOB_SEM_NEXT_ID: return &sem_ids.next_id;
	case IPC_KNOB_SHM_NEXT_ID: return &shm_ids.next_id;
	default: return NULL;
	}
}

size_t
ipc_knob_show(enum ipc_knob knob, char *buf, size_t size)
{
	int n;
	if (int_knob(knob))
		n = snprintk(buf, size, "%d\n", *int_knob(knob));
	else if (knob == IPC_KNOB_SEM)
		n = snprintk(buf, size, "%d\t%d\t%d\t%d\n", ipc_limits.semmsl,
			     ipc_limits.semmns, ipc_limits.semopm,
			     ipc_limits.semmni);
	else
		n = snprintk(buf, size, "%lu\n", knob == IPC_KNOB_SHMMAX ?
			     ipc_limits.shmmax : ipc_limits.shmall);
	return n < 0 ? 0 : MIN((size_t)n, size - 1);
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Reads one unsigned decimal number at *pos, after blanks; false if none
 * or past max. A leading '-' is refused, as every knob here has 0 as
 * its least. */
static bool
parse_number(const char *text, size_t len, size_t *pos, uint64_t max,
	     uint64_t *out)
{
	size_t i = *pos;
	while (i < len && is_space(text[i]))
		i++;
	if (i < len && text[i] == '+')
		i++;
	if (i >= len || text[i] < '0' || text[i] > '9')
		return false;
	uint64_t v = 0;
	for (; i < len && text[i] >= '0' && text[i] <= '9'; i++) {
		uint64_t d = (uint64_t)(text[i] - '0');
		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*pos = i;
	*out = v;
	return true;
}

static bool
only_blanks(const char *text, size_t len, size_t pos)
{
	for (; pos < len; pos++)
		if (!is_space(text[pos]) && text[pos])
			return false;
	return true;
}

/* sem: up to four numbers, SEMMSL SEMMNS SEMOPM SEMMNI; SEMMNI at most
 * IPCMNI (Linux's proc_ipc_sem_dointvec). */
static int
store_sem(const char *text, size_t len)
{
	int vals[4] = { ipc_limits.semmsl, ipc_limits.semmns,
			ipc_limits.semopm, ipc_limits.semmni };
	size_t pos = 0;
	uint64_t v;
	for (int i = 0; i < 4 && !only_blanks(text, len, pos); i++) {
		if (!parse_number(text, len, &pos, 0x7fffffff, &v))
			return -EINVAL;
		vals[i] = (int)v;
	}
	if (!only_blanks(text, len, pos) || vals[3] > IPCMNI)
		return -EINVAL;
	ipc_limits.semmsl = vals[0];
	ipc_limits.semmns = vals[1];
	ipc_limits.semopm = vals[2];
	ipc_limits.semmni = vals[3];
	return 0;
}

int
ipc_knob_store(enum ipc_knob knob, const char *text, size_t len)
{
	if (knob == IPC_KNOB_SEM)
		return store_sem(text, len);
	bool ulong_knob = knob == IPC_KNOB_SHMMAX || knob == IPC_KNOB_SHMALL;
	uint64_t max = ulong_knob ? ~0ul : 0x7fffffff;
	if (knob == IPC_KNOB_MSGMNI || knob == IPC_KNOB_SHMMNI)
		max = IPCMNI;
	size_t pos = 0;
	uint64_t v;
	if (knob >= IPC_KNOB_MSG_NEXT_ID) {
		/* -1 (the default: no id asked for) to INT_MAX. */
		while (pos < len && is_space(text[pos]))
			pos++;
		if (len - pos >= 2 && text[pos] == '-' && text[pos + 1] == '1' &&
		    only_blanks(text, len, pos + 2)) {
			*int_knob(knob) = -1;
			return 0;
		}
	}
	if (!parse_number(text, len, &pos, max, &v) ||
	    !only_blanks(text, len, pos))
		return -EINVAL;
	if (knob == IPC_KNOB_SHMMAX)
		ipc_limits.shmmax = v;
	else if (knob == IPC_KNOB_SHMALL)
		ipc_limits.shmall = v;
	else
		*int_knob(knob) = (int)v;
	return 0;
}

struct ns *
ipc_ns_current(void)
{
	return ns_current(NS_IPC);
}

void
sysvipc_ns_release(struct ns *ns)
{
	struct ipc_ids *all[] = { &msg_ids, &sem_ids, &shm_ids };
	for (size_t k = 0; k < ARRAY_SIZE(all); k++)
		for (int i = 0; i < all[k]->cap; i++) {
			struct ipc_obj *o = all[k]->slot[i];
			if (!o || o->ns != ns)
				continue;
			all[k]->remove(o);
			/* a segment still attached stays until its last
			   detach, in no namespace (ns's memory may be reused) */
			if (all[k]->slot[i] == o)
				o->ns = NULL;
		}
}

void
ipc_list(enum ipc_kind kind, ipc_emit_fn emit, void *ctx)
{
	if (kind == IPC_KIND_MSG)
		msg_list(emit, ctx);
	else if (kind == IPC_KIND_SEM)
		sem_list(emit, ctx);
	else
		shm_list(emit, ctx);
}
