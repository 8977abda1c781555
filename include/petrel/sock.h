/*
 * The socket protocol between the kernel's Linux front and a socket server
 * (netd): the kernel turns each socket call on a server-backed descriptor
 * into one call on the route's channel. Data moves through the call's
 * segments, never through the message. Every operation is non-blocking at
 * the server: -EAGAIN means "not now", and the kernel waits for the
 * readiness the server reports (each reply's events, and pt_channel_post)
 * before asking again. docs/abi.md, "Routes and server-backed
 * sockets".
 */
#ifndef PETREL_SOCK_H
#define PETREL_SOCK_H

#include <stdint.h>

/* Routes: which server a kind of object goes to (pt_route_set). */
#define PT_ROUTE_INET 1			/* AF_INET and AF_INET6 sockets */
#define PT_ROUTE_MOUNT 2		/* mount(2) of a disk: struct
					   pt_mount_req (<petrel/fs.h>) */

enum pt_sock_op {
	PT_SOCK_SOCKET = 1,	/* arg: domain, type (flags removed), protocol */
	PT_SOCK_BIND,		/* addr */
	PT_SOCK_LISTEN,		/* arg[0]: backlog */
	PT_SOCK_ACCEPT,		/* reply: the new socket's id, peer addr */
	PT_SOCK_CONNECT,	/* addr; -EINPROGRESS, then CONNECT again */
	PT_SOCK_SEND,		/* IN segments: the data; flags; addr if any */
	PT_SOCK_RECV,		/* OUT segments: room; flags; reply: from addr */
	PT_SOCK_SHUTDOWN,	/* arg[0]: SHUT_RD, SHUT_WR or SHUT_RDWR */
	PT_SOCK_CLOSE,		/* the last descriptor is gone; arg[0]: bytes
				   handed over by pt_channel_post and never
				   read; no reply data */
	PT_SOCK_NAME,		/* reply: local address */
	PT_SOCK_PEER,		/* reply: peer address */
	PT_SOCK_SETOPT,		/* arg: level, name; IN segment 0: the value */
	PT_SOCK_GETOPT,		/* arg: level, name; OUT segment 0; returns len */
	PT_SOCK_NREAD,		/* returns the bytes readable now (FIONREAD) */
	PT_SOCK_ERROR,		/* returns and clears the pending error (0 or -errno) */
	PT_SOCK_PROC,		/* arg: family, protocol; no socket (id ~0);
				   OUT segment 0: the text of /proc/net/tcp,
				   tcp6, udp or udp6; returns its full length */
	PT_SOCK_IFINFO,		/* no socket (id ~0); OUT segment 0: a
				   struct pt_net_info; returns its length */
};

#define PT_SOCK_ADDR_MAX 128		/* a struct sockaddr_storage */
/* The most of a stream's data the kernel keeps from pt_channel_post. */
#define PT_POST_DATA_MAX 4096

struct pt_sock_msg {
	uint32_t op;			/* enum pt_sock_op */
	uint32_t flags;			/* MSG_* for send and receive */
	uint64_t id;			/* the server's socket, from SOCKET */
	int32_t arg[4];
	uint32_t addr_len;		/* bytes of addr, 0 for none */
	uint32_t xflags;		/* PT_SOCK_X_* */
	uint8_t addr[PT_SOCK_ADDR_MAX];
};

/*
 * A SEND the kernel made after its caller went on (the caller's write
 * returned when the kernel had the bytes): the server takes all of it,
 * or resets the connection. The kernel sends so only within the room the
 * server last promised (pt_sock_reply.room, pt_channel_post).
 */
#define PT_SOCK_X_WHOLE 1
/*
 * After the SEND's bytes (there may be none), the server sends what the
 * stream holds back from earlier MSG_MORE sends, as Linux's
 * tcp_push_pending_frames: the kernel's end of TCP_CORK or MSG_MORE.
 */
#define PT_SOCK_X_PUSH 2
/* The most one such SEND carries; writes beyond it wait for the server. */
#define PT_SEND_BEHIND_MAX 16384

struct pt_sock_reply {
	uint32_t events;		/* POLL* readiness after the operation */
	uint32_t addr_len;		/* bytes of addr */
	uint64_t id;			/* SOCKET, ACCEPT: the new socket */
	uint32_t new_events;		/* SOCKET, ACCEPT: the new one's readiness */
	uint32_t room;			/* bytes a PT_SOCK_X_WHOLE SEND may carry
					   now, all sends still unanswered
					   included (0: none) */
	uint8_t addr[PT_SOCK_ADDR_MAX];
};

/*
 * The network configuration the server holds, for the kernel's interface
 * ioctls, /proc/net/dev, route and if_inet6, and NETLINK_ROUTE dumps:
 * each interface with its addresses and counters. Numbers are Linux's
 * (IFF_*, ARPHRD_*, scopes RT_SCOPE_*, IFA_F_*); addresses are in network
 * order, 0 for none.
 */
#define PT_IF_MAX 4			/* interfaces one pt_net_info holds */
#define PT_IF_ADDR6_MAX 4		/* IPv6 addresses of one interface */
#define PT_IF_NAME_MAX 16

struct pt_if_addr6 {
	uint8_t addr[16];
	uint8_t prefix_len;
	uint8_t scope;			/* RT_SCOPE_UNIVERSE 0, LINK 253, HOST 254 */
	uint8_t flags;			/* IFA_F_PERMANENT, IFA_F_TENTATIVE... */
	uint8_t pad[5];
};

struct pt_if_info {
	char name[PT_IF_NAME_MAX];	/* "lo", "eth0" */
	uint32_t index;			/* from 1 */
	uint32_t flags;			/* IFF_UP, IFF_RUNNING... */
	uint32_t mtu;
	uint16_t type;			/* ARPHRD_ETHER 1, ARPHRD_LOOPBACK 772 */
	uint8_t hwaddr_len;
	uint8_t naddr6;			/* entries of addr6 used */
	uint8_t hwaddr[8];
	uint32_t addr4, netmask4, gateway4;
	uint32_t dhcp;			/* 1: addr4 is DHCP's lease */
	uint64_t rx_bytes, rx_packets, rx_errors, rx_dropped;
	uint64_t tx_bytes, tx_packets, tx_errors, tx_dropped;
	struct pt_if_addr6 addr6[PT_IF_ADDR6_MAX];
};

struct pt_net_info {
	uint32_t count;			/* entries of ifs used */
	uint32_t default_index;		/* the default route's interface, 0: none */
	struct pt_if_info ifs[PT_IF_MAX];
};

/* Shared layouts: fixed offsets, no hidden padding (<petrel/petrel.h>). */
_Static_assert(sizeof(struct pt_sock_msg) == 168, "pt_sock_msg");
_Static_assert(__builtin_offsetof(struct pt_sock_msg, addr) == 40,
	       "pt_sock_msg.addr");
_Static_assert(sizeof(struct pt_sock_reply) == 152, "pt_sock_reply");
_Static_assert(__builtin_offsetof(struct pt_sock_reply, addr) == 24,
	       "pt_sock_reply.addr");

_Static_assert(sizeof(struct pt_if_addr6) == 24, "pt_if_addr6");
_Static_assert(sizeof(struct pt_if_info) == 216, "pt_if_info");
_Static_assert(sizeof(struct pt_net_info) == 8 + 4 * 216, "pt_net_info");

#endif
