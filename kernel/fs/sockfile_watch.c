/*
 * The server channels server-backed sockets are open on, each watched for
 * its server's end: the channel signals PT_SIG_PEER_CLOSED (kobj_changed),
 * and sockfile_chan_dead marks every socket on it dead. The ipc layer
 * knows nothing of sockets (docs/kernel.md, "Layers"). Big lock held.
 */
#include <kernel/sockfile.h>
#include <kernel/ipc.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>

struct sock_server {
	struct list link;		/* servers */
	struct kobj *chan;		/* a client end, held by its sockets */
	struct kobj_observer watch;
	unsigned sockets;		/* open on chan */
};
static struct list servers = LIST_INIT(servers);

/* Something changed on a watched channel: its server may be gone. */
static void
server_changed(struct kobj_observer *watch)
{
	struct kobj *chan = container_of(watch, struct sock_server, watch)->chan;
	if (chan_peer_gone(chan))
		sockfile_chan_dead(chan);
}

int
sockfile_watch_hold(struct kobj *chan)
{
	list_for_each(it, &servers) {
		struct sock_server *sv = list_entry(it, struct sock_server, link);
		if (sv->chan == chan) {
			sv->sockets++;
			return 0;
		}
	}
	struct sock_server *sv = kzalloc(sizeof(*sv));
	if (!sv)
		return -ENOMEM;
	sv->chan = chan;
	sv->sockets = 1;
	sv->watch.changed = server_changed;
	kobj_observe(chan, &sv->watch);
	list_push_back(&servers, &sv->link);
	return 0;
}

void
sockfile_watch_release(struct kobj *chan)
{
	list_for_each(it, &servers) {
		struct sock_server *sv = list_entry(it, struct sock_server, link);
		if (sv->chan != chan)
			continue;
		if (--sv->sockets == 0) {
			kobj_unobserve(&sv->watch);
			list_remove(&sv->link);
			kfree(sv);
		}
		return;
	}
}
