/*
 * System V message queues (msgget, msgsnd, msgrcv, msgctl), as Linux's
 * ipc/msg.c: typed messages in the order sent, queues bounded in bytes
 * (msg_qbytes) and messages, senders and receivers that sleep until room
 * or a message comes, or the queue is removed (EIDRM).
 */
#include <kernel/proc.h>
#include <kernel/sched.h>
#include <kernel/vm.h>
#include <kernel/kmalloc.h>
#include <kernel/string.h>
#include <kernel/printk.h>
#include <kernel/sysvipc.h>
#include <kernel/errno.h>
#include <syscall_table.h>
#include "ipc_int.h"

#define MSG_STAT 11
#define MSG_INFO 12
#define MSG_STAT_ANY 13
#define MSG_NOERROR 010000
#define MSG_EXCEPT 020000
#define MSG_COPY 040000
#define MSGSSZ 16
#define MSGSEG 0xffff

struct msg {
	struct list link;		/* queue->messages, oldest first */
	long type;
	size_t size;
	char text[];
};

struct msg_queue {
	struct ipc_obj obj;
	struct list messages;
	uint64_t cbytes, qnum, qbytes;	/* bytes and messages queued, the
					   bound on both */
	int lspid, lrpid;		/* last sender, last receiver */
	int64_t stime, rtime;
	struct waitq senders, receivers;
};

/* struct msqid64_ds, x86_64's layout. */
struct msqid_ds_k {
	struct ipc_perm64 perm;
	int64_t stime, rtime, ctime;
	uint64_t cbytes, qnum, qbytes;
	int lspid, lrpid;
	uint64_t unused[2];
};

struct msginfo_k {
	int msgpool, msgmap, msgmax, msgmnb, msgmni, msgssz, msgtql;
	unsigned short msgseg;
};

static void msg_free_queue(struct ipc_obj *o);
static void msg_remove_obj(struct ipc_obj *o);
struct ipc_ids msg_ids = { .last_idx = -1, .next_id = -1, .free = msg_free_queue,
			   .remove = msg_remove_obj };
/* Every queue's messages and bytes together, for MSG_INFO. */
static uint64_t msg_hdrs, msg_bytes;

static struct msg_queue *
queue_of(struct ipc_obj *o)
{
	return (struct msg_queue *)o;
}

static void
msg_free_queue(struct ipc_obj *o)
{
	struct msg_queue *q = queue_of(o);
	list_for_each_safe(it, nx, &q->messages) {
		struct msg *m = list_entry(it, struct msg, link);
		list_remove(&m->link);
		kfree(m);
	}
	kfree(q);
}

static struct ipc_obj *
msg_create(int key, int flags, long arg)
{
	(void)arg;
	struct msg_queue *q = kzalloc(sizeof(*q));
	if (!q)
		return ERR_PTR(-ENOMEM);
	list_init(&q->messages);
	waitq_init(&q->senders);
	waitq_init(&q->receivers);
	q->qbytes = (uint64_t)ipc_limits.msgmnb;
	int r = ipc_add(&msg_ids, &q->obj, key, flags, ipc_limits.msgmni);
	if (r < 0) {
		kfree(q);
		return ERR_PTR(r);
	}
	return &q->obj;
}

long
sys_msgget(int key, int flags)
{
	return ipc_get(&msg_ids, key, flags, msg_create, NULL, 0);
}

/* Takes q out of the table; its sleepers wake to EIDRM, its messages go
 * with the last reference. */
static void
msg_remove(struct msg_queue *q)
{
	msg_hdrs -= q->qnum;
	msg_bytes -= q->cbytes;
	waitq_wake_all(&q->senders);
	waitq_wake_all(&q->receivers);
	ipc_remove(&msg_ids, &q->obj);
}

static void
msg_remove_obj(struct ipc_obj *o)
{
	msg_remove(queue_of(o));
}

/*
 * Sleeps on wq of q, holding q meanwhile; 0 to look again, -EIDRM if q
 * was removed, -ERESTARTNOHAND for a signal (EINTR if a handler runs,
 * else the call starts over: after a stop, as Linux). May sleep.
 */
static int
msg_sleep(struct msg_queue *q, struct waitq *wq)
{
	ipc_hold(&q->obj);
	int r = waitq_wait(wq, 0, true);
	bool removed = q->obj.removed;
	ipc_put(&msg_ids, &q->obj);
	if (removed)
		return -EIDRM;
	return r < 0 ? -ERESTARTNOHAND : 0;
}

static bool
msg_fits(const struct msg_queue *q, size_t size)
{
	return size + q->cbytes <= q->qbytes && 1 + q->qnum <= q->qbytes;
}

static long
msg_enqueue(int id, struct msg *m, int flags)
{
	for (;;) {
		struct ipc_obj *o = ipc_find(&msg_ids, id);
		if (!o)
			return -EINVAL;
		struct msg_queue *q = queue_of(o);
		if (!ipc_allowed(&q->obj, IPC_WANT_WRITE))
			return -EACCES;
		if (msg_fits(q, m->size)) {
			list_push_back(&q->messages, &m->link);
			q->cbytes += m->size;
			q->qnum++;
			msg_hdrs++;
			msg_bytes += m->size;
			q->lspid = ipc_pid();
			q->stime = ipc_now();
			waitq_wake_all(&q->receivers);
			return 0;
		}
		if (flags & IPC_NOWAIT)
			return -EAGAIN;
		int r = msg_sleep(q, &q->senders);
		if (r < 0)
			return r;
	}
}

long
sys_msgsnd(int id, uaddr_t umsg, size_t size, int flags)
{
	long type;
	if (copyin(&type, umsg, sizeof(type)) < 0)
		return -EFAULT;
	if (size > (size_t)ipc_limits.msgmax || (long)size < 0 || id < 0)
		return -EINVAL;
	if (type < 1)
		return -EINVAL;
	struct msg *m = ipc_memory_ok(sizeof(*m) + size) ?
			 kmalloc(sizeof(*m) + size) : NULL;
	if (!m)
		return -ENOMEM;
	m->type = type;
	m->size = size;
	if (copyin(m->text, umsg + sizeof(long), size) < 0) {
		kfree(m);
		return -EFAULT;
	}
	long r = msg_enqueue(id, m, flags);
	if (r < 0)
		kfree(m);
	return r;
}

/* Linux's find_msg: the message a receive of type with flags takes, or
 * NULL. A negative type takes the lowest type at most its magnitude;
 * MSG_COPY the type-th message counted from 0. */
static struct msg *
msg_find(struct msg_queue *q, long type, int flags)
{
	struct msg *found = NULL;
	long count = 0;
	long most = type == (long)(1ul << 63) ? 0x7fffffffffffffffl : -type;
	list_for_each(it, &q->messages) {
		struct msg *m = list_entry(it, struct msg, link);
		if (flags & MSG_COPY) {
			if (count++ == type)
				return m;
		} else if (type == 0) {
			return m;
		} else if (type < 0) {
			if (m->type <= most && (!found || m->type < found->type))
				found = m;
		} else if ((flags & MSG_EXCEPT) ? m->type != type :
						  m->type == type) {
			return m;
		}
	}
	return found;
}

static void
msg_dequeue(struct msg_queue *q, struct msg *m)
{
	list_remove(&m->link);
	q->qnum--;
	q->cbytes -= m->size;
	msg_hdrs--;
	msg_bytes -= m->size;
	q->rtime = ipc_now();
	q->lrpid = ipc_pid();
	waitq_wake_all(&q->senders);
}

/* Copies m out as a struct msgbuf of at most size bytes of text; returns
 * the bytes of text or -EFAULT. */
static long
msg_fill(uaddr_t umsg, const struct msg *m, size_t size)
{
	size_t n = MIN(size, m->size);
	if (copyout(umsg, &m->type, sizeof(long)) < 0 ||
	    copyout(umsg + sizeof(long), m->text, n) < 0)
		return -EFAULT;
	return (long)n;
}

long
sys_msgrcv(int id, uaddr_t umsg, size_t size, int64_t type, int flags)
{
	if (id < 0 || (long)size < 0)
		return -EINVAL;
	if ((flags & MSG_COPY) &&
	    ((flags & MSG_EXCEPT) || !(flags & IPC_NOWAIT)))
		return -EINVAL;
	for (;;) {
		struct ipc_obj *o = ipc_find(&msg_ids, id);
		if (!o)
			return -EINVAL;
		struct msg_queue *q = queue_of(o);
		if (!ipc_allowed(&q->obj, IPC_WANT_READ))
			return -EACCES;
		struct msg *m = msg_find(q, type, flags);
		if (m) {
			if (size < m->size && !(flags & MSG_NOERROR))
				return -E2BIG;
			if (flags & MSG_COPY)
				return msg_fill(umsg, m, size);
			msg_dequeue(q, m);
			long r = msg_fill(umsg, m, size);
			kfree(m);	/* lost on a fault, as on Linux */
			return r;
		}
		if (flags & IPC_NOWAIT)
			return -ENOMSG;
		int r = msg_sleep(q, &q->receivers);
		if (r < 0)
			return r;
	}
}

static long
msg_info(int cmd, uaddr_t ubuf)
{
	struct msginfo_k info = {
		.msgmax = ipc_limits.msgmax, .msgmnb = ipc_limits.msgmnb,
		.msgmni = ipc_limits.msgmni, .msgssz = MSGSSZ,
		.msgseg = MSGSEG,
	};
	if (cmd == MSG_INFO) {
		info.msgpool = msg_ids.in_use;
		info.msgmap = (int)MIN(msg_hdrs, 0x7fffffffu);
		info.msgtql = (int)MIN(msg_bytes, 0x7fffffffu);
	} else {
		/* Linux's constants MSGPOOL, MSGMAP and MSGTQL, from the
		 * default MSGMNI and MSGMNB, whatever the sysctls say. */
		info.msgpool = 32000 * 16384 / 1024;
		info.msgmap = 16384;
		info.msgtql = 16384;
	}
	int max = ipc_max_index(&msg_ids);
	if (copyout(ubuf, &info, sizeof(info)) < 0)
		return -EFAULT;
	return max < 0 ? 0 : max;
}

static long
msg_stat(int id, int cmd, uaddr_t ubuf)
{
	struct msg_queue *q = queue_of(cmd == IPC_STAT ?
				       ipc_find(&msg_ids, id) :
				       ipc_find_index(&msg_ids, id % IPCMNI));
	if (!q)
		return -EINVAL;
	if (cmd != MSG_STAT_ANY && !ipc_allowed(&q->obj, IPC_WANT_READ))
		return -EACCES;
	struct msqid_ds_k ds = {
		.stime = q->stime, .rtime = q->rtime, .ctime = q->obj.ctime,
		.cbytes = q->cbytes, .qnum = q->qnum, .qbytes = q->qbytes,
		.lspid = q->lspid, .lrpid = q->lrpid,
	};
	ipc_perm_out(&q->obj, &ds.perm);
	if (copyout(ubuf, &ds, sizeof(ds)) < 0)
		return -EFAULT;
	return cmd == IPC_STAT ? 0 : q->obj.id;
}

static long
msg_set_or_remove(int id, int cmd, const struct msqid_ds_k *ds)
{
	struct msg_queue *q = queue_of(ipc_find(&msg_ids, id));
	if (!q)
		return -EINVAL;
	int r = ipc_owner_check(&q->obj);
	if (r < 0)
		return r;
	if (cmd == IPC_RMID) {
		msg_remove(q);
		return 0;
	}
	if (ds->qbytes > (uint64_t)ipc_limits.msgmnb &&
	    !capable(CAP_SYS_RESOURCE))
		return -EPERM;
	ipc_perm_set(&q->obj, &ds->perm);
	q->qbytes = ds->qbytes;
	/* Receivers may be shut out now, senders may fit: both look again. */
	waitq_wake_all(&q->receivers);
	waitq_wake_all(&q->senders);
	return 0;
}

long
sys_msgctl(int id, int cmd, uaddr_t ubuf)
{
	struct msqid_ds_k ds;
	if (id < 0 || cmd < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case MSG_INFO:
		return msg_info(cmd, ubuf);
	case IPC_STAT:
	case MSG_STAT:
	case MSG_STAT_ANY:
		return msg_stat(id, cmd, ubuf);
	case IPC_SET:
		if (copyin(&ds, ubuf, sizeof(ds)) < 0)
			return -EFAULT;
		return msg_set_or_remove(id, cmd, &ds);
	case IPC_RMID:
		return msg_set_or_remove(id, cmd, NULL);
	default:
		return -EINVAL;
	}
}

void
msg_list(ipc_emit_fn emit, void *ctx)
{
	char line[200];
	emit(ctx, "       key      msqid perms      cbytes       qnum lspid "
		  "lrpid   uid   gid  cuid  cgid      stime      rtime      "
		  "ctime\n");
	for (int i = 0; i < msg_ids.cap; i++) {
		struct msg_queue *q = queue_of(msg_ids.slot[i]);
		if (!q)
			continue;
		snprintk(line, sizeof(line),
			 "%10d %10d  %4o  %10lu %10lu %5u %5u %5u %5u %5u %5u "
			 "%10ld %10ld %10ld\n",
			 q->obj.key, q->obj.id, q->obj.mode, q->cbytes, q->qnum,
			 q->lspid, q->lrpid, q->obj.uid, q->obj.gid,
			 q->obj.cuid, q->obj.cgid, q->stime, q->rtime,
			 q->obj.ctime);
		emit(ctx, line);
	}
}
