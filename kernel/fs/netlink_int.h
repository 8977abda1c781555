/*
 * NETLINK_ROUTE's parts: kernel/fs/netlink.c is the socket (addresses,
 * queue, send and receive), kernel/fs/rtnetlink.c answers the requests
 * from the network server's configuration. Big lock held.
 */
#ifndef KERNEL_NETLINK_INT_H
#define KERNEL_NETLINK_INT_H

#include <kernel/types.h>

/* struct nlmsghdr, and Linux's values for its fields. */
struct nlmsghdr_k {
	uint32_t len;
	uint16_t type;
	uint16_t flags;
	uint32_t seq;
	uint32_t pid;
};

#define NLMSG_ERROR 2
#define NLMSG_DONE 3
#define NLM_F_REQUEST 0x1
#define NLM_F_MULTI 0x2
#define NLM_F_ACK 0x4
#define NLM_F_ROOT 0x100
#define NLM_F_MATCH 0x200
#define NLM_F_DUMP (NLM_F_ROOT | NLM_F_MATCH)
#define NLM_F_CAPPED 0x100	/* on an error: the request is cut short */
#define NLMSG_ALIGN(n) (((n) + 3u) & ~3u)

/* Messages being built, in a buffer that grows (failed: out of memory). */
struct nlbuf {
	uint8_t *data;
	size_t len, cap;
	bool failed;
};

/* Appends n bytes (zeros if p is NULL), padded to 4; returns their offset. */
size_t nlbuf_put(struct nlbuf *b, const void *p, size_t n);
/* Starts a message; returns its offset for nlmsg_end, which sets its
 * length once its body is written. */
size_t nlmsg_begin(struct nlbuf *b, uint16_t type, uint16_t flags,
		   uint32_t seq, uint32_t pid);
void nlmsg_end(struct nlbuf *b, size_t start);
/* An attribute (struct rtattr and its data). */
void nla_put(struct nlbuf *b, uint16_t type, const void *data, size_t len);
/* An NLMSG_ERROR message answering req with error (0: an ack). */
void nlmsg_error(struct nlbuf *b, const struct nlmsghdr_k *req, int error,
		 uint32_t pid);

/*
 * Answers the NETLINK_ROUTE request h (len bytes, its body included) of
 * the socket with port pid, appending the reply to out: a dump's
 * messages and NLMSG_DONE, one message, or an NLMSG_ERROR. May sleep.
 */
void rtnl_request(struct nlbuf *out, const struct nlmsghdr_k *h, size_t len,
		  uint32_t pid);

#endif
