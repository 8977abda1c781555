/*
 * The network interfaces as Linux programs see them (kernel/fs/netif.c):
 * the network server's configuration (PT_SOCK_IFINFO) asked for when a
 * program looks, shown through the SIOCGIF* ioctls on any socket,
 * /proc/net/dev, route and if_inet6, and NETLINK_ROUTE sockets
 * (kernel/fs/netlink.c). Nothing can be changed this way.
 */
#ifndef KERNEL_NETIF_H
#define KERNEL_NETIF_H

#include <kernel/types.h>
#include <petrel/sock.h>

/*
 * Fills info from the network server; with no server, no interfaces.
 * Returns 0 or -ENOMEM. Big lock held; may sleep.
 */
int netif_info(struct pt_net_info *info);
/* The interface named name or numbered index (name NULL), or NULL. */
const struct pt_if_info *netif_find(const struct pt_net_info *info,
				    const char *name, uint32_t index);
/* True if cmd is an interface or routing ioctl netif_ioctl answers. */
bool netif_ioctl_cmd(unsigned long cmd);
/* The SIOCGIF* ioctls (and the SIOCS* ones, refused). May sleep. */
long netif_ioctl(unsigned long cmd, uint64_t arg);
/* socket(AF_NETLINK, type, protocol): a new descriptor or -errno. */
long netlink_socket(int type, int protocol);
/*
 * Queues one datagram of len bytes on the netlink socket f (a POSIX
 * message queue's SIGEV_THREAD notification, kernel/linux/mqueue.c): 0,
 * -ENOTSOCK if f is no netlink socket, -EAGAIN if its queue is full or
 * -ENOMEM. With data NULL it only checks f. Big lock held; does not sleep.
 */
struct file;
long netlink_deliver(struct file *f, const void *data, size_t len);

#endif
