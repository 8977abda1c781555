/*
 * Server-backed sockets (kernel/fs/sockfile.c) and the socket system calls
 * on them (kernel/linux/sys_socket.c). Big lock held throughout.
 */
#ifndef KERNEL_SOCKFILE_H
#define KERNEL_SOCKFILE_H

#include <kernel/types.h>
#include <kernel/list.h>
#include <kernel/sched.h>
#include <petrel/sock.h>

struct kobj;
struct file;
struct chan_seg;

#define MSG_PEEK_K 0x2
#define MSG_DONTWAIT_K 0x40
#define MSG_NOSIGNAL_K 0x4000

struct sockfile {
	struct list link;		/* hash chain, by (chan, id) */
	struct kobj *chan;		/* the server's channel (client end) */
	uint64_t id;			/* the server's name for it */
	int domain, type;
	unsigned events;		/* readiness the server last reported */
	bool dead;			/* the server is gone */
	struct waitq wq;		/* callers waiting for readiness */
	struct file *file;
};

void sockfile_init(void);
/* The client end registered for route (PT_ROUTE_*), or NULL. */
struct kobj *sockfile_route(unsigned route);
/* A file for server socket id (takes its own reference on chan). */
struct file *sockfile_new(struct kobj *chan, uint64_t id, int domain, int type,
			  unsigned events, unsigned flags);
bool file_is_socket(struct file *f);
long sockfile_call(struct kobj *chan, struct pt_sock_msg *msg,
		   struct pt_sock_reply *rep, const struct chan_seg *segs,
		   unsigned nseg);
/*
 * Calls the server for s, waiting for readiness `want` while it answers
 * -EAGAIN unless nonblock. Returns its status or -ERESTARTSYS. May sleep.
 */
long sockfile_call_wait(struct sockfile *s, struct pt_sock_msg *msg,
			struct pt_sock_reply *rep, const struct chan_seg *segs,
			unsigned nseg, unsigned want, bool nonblock);
/* The server end of client's channel went away (kernel/ipc/chan.c). */
void sockfile_server_gone(struct kobj *client);

#endif
