/*
 * Internals shared by the socket core's files (sock*.c): the socket table
 * entry and the helpers each protocol file uses. The rest of netd uses
 * sock.h only. netd is single-threaded: nothing here needs a lock.
 */
#ifndef NETD_SOCK_INT_H
#define NETD_SOCK_INT_H

#include <stdbool.h>
#include <sys/time.h>

#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "sock.h"

struct raw_pcb;
struct tcp_pcb;
struct udp_pcb;

/* Where a TCP socket is in its life (others stay NSOCK_CLOSED). */
enum nsock_state {
	NSOCK_CLOSED,		/* no connection: new, bound, or reset by
				   connect() after a failure */
	NSOCK_LISTEN,
	NSOCK_SYN_SENT,
	NSOCK_CONNECTED,	/* synchronized; pcb attached */
	NSOCK_DONE,		/* connection over; pcb freed or left to lwIP */
};

/* What connect() has told the application (Linux's sock->state). */
enum nsock_conn {
	NSOCK_UNCONNECTED,
	NSOCK_CONNECTING,
	NSOCK_ISCONNECTED,
};

/* A received datagram and its sender. */
struct nsock_dgram {
	struct nsock_dgram *next;
	struct pbuf *p;
	ip_addr_t addr;
	u16_t port;
};

/* A multicast group joined through this socket, left on close. */
struct nsock_group {
	struct nsock_group *next;
	ip_addr_t group;
	ip4_addr_t ifaddr;	/* IPv4: interface by address (any = all) */
	u8_t ifindex;		/* interface by index, 0 = by ifaddr/all */
};

/* Socket options, kept here so every pcb the socket gets inherits them. */
struct nsock_opts {
	int rcvbuf, sndbuf;
	int keepidle, keepintvl, keepcnt;	/* seconds, seconds, probes */
	int linger_on, linger_secs;
	int priority, rcvlowat, maxseg;
	int ttl;			/* -1: the stack's default */
	int tos;
	int mcast_ttl;
	u8_t mcast_ifindex;
	ip4_addr_t mcast_if4;
	struct timeval rcvtimeo, sndtimeo;
	bool reuseaddr, reuseport, keepalive, broadcast, nodelay, cork;
	bool oobinline, dontroute, debug, mcast_loop;
	bool recverr;		/* stored: ICMP errors never reach sockets */
};

struct nsock {
	bool used;
	bool embryo;		/* accepted by lwIP, not yet by accept() */
	u8_t family;		/* AF_INET or AF_INET6 */
	u8_t type;		/* SOCK_STREAM, SOCK_DGRAM or SOCK_RAW */
	u8_t protocol;		/* IPPROTO_TCP, _UDP, _ICMP or _ICMPV6 */
	u8_t state;		/* enum nsock_state */
	u8_t conn;		/* enum nsock_conn */
	bool v6only;
	bool bound;		/* bind() succeeded */
	bool bound_addr;	/* ... to an address, not the wildcard */
	bool rd_shut, wr_shut;	/* shutdown() by the application */
	bool fin_rcvd;		/* the peer's FIN arrived */
	bool unread_handed;	/* data handed to the kernel was never read */
	bool send_stalled;	/* lwIP ran out of memory in a send */
	int error;		/* pending SO_ERROR: positive errno or 0 */
	unsigned events;	/* poll bits last reported */
	union {
		struct tcp_pcb *tcp;
		struct udp_pcb *udp;
		struct raw_pcb *raw;
	} pcb;
	/* Addresses as last seen on the pcb, for after it is gone. */
	ip_addr_t local_ip, remote_ip;
	u16_t local_port, remote_port;

	/* TCP: bytes received and not yet read, as pbufs in order; of
	   those, how many still hold the receive window closed. */
	struct pbuf *rx_head, *rx_tail;
	size_t rx_bytes, rx_withheld;
	/* TCP listener: connections waiting for accept(), oldest first,
	   and its queues' limit and counts (lwip/syn_queue.c). */
	int accept_head, accept_tail, accept_count;
	struct petrel_listenq *lq;
	/* TCP embryo: its listener and the next embryo in that queue. */
	int listener, accept_next;

	/* UDP and raw: received datagrams, oldest first. */
	struct nsock_dgram *dgram_head, *dgram_tail;
	size_t dgram_bytes;
	unsigned drops;
	struct nsock_group *groups;
	/* Raw ICMP: types not delivered (ICMP_FILTER, ICMP6_FILTER). */
	u32_t icmp_filter[8];

	struct nsock_opts opt;
};

/* sock.c: the table, readiness and shared helpers. */
struct nsock *nsock_lookup(int id);
struct nsock *nsock_slot(int id);
struct nsock *nsock_alloc(int family, int type, int protocol);
void nsock_free(struct nsock *s);
int nsock_id(const struct nsock *s);
void nsock_notify(struct nsock *s, bool always);
unsigned nsock_events(struct nsock *s);
void nsock_save_addrs(struct nsock *s);
int nsock_take_error(struct nsock *s);
int nsock_err(err_t err);
void nsock_rx_account(struct pbuf **p);
void nsock_pbuf_release(struct pbuf *p);

/* sock_addr.c: addresses between Linux's layouts and lwIP's. */
int nsock_addr_get(const struct nsock *s, const struct sockaddr *sa,
    socklen_t len, ip_addr_t *ip, u16_t *port);
void nsock_addr_put(const struct nsock *s, const ip_addr_t *ip, u16_t port,
    struct sockaddr *sa, socklen_t *len);
const ip_addr_t *nsock_addr_any(const struct nsock *s);
bool nsock_addr_is_local(const ip_addr_t *ip, bool udp);
void nsock_addr_any_to_loopback(ip_addr_t *ip);
bool nsock_addr_is_broadcast(const ip_addr_t *ip);

/*
 * The protocol halves. nsock_PROTO_CALL implements nsock_CALL of sock.h
 * for its protocol, with the same returns, on a socket already looked up
 * (bind gets the address parsed and checked). *_apply_opts push struct
 * nsock_opts to the pcb, if any; *_poll return the POLL* bits; *_owner
 * return the socket a pcb belongs to, or NULL for pcbs no socket holds.
 * Nothing here blocks, and none may be called from the notify callback.
 */

/* sock_tcp.c */
int nsock_tcp_bind(struct nsock *s, const ip_addr_t *ip, u16_t port);
int nsock_tcp_listen(struct nsock *s, int backlog);
int nsock_tcp_accept(struct nsock *s, struct sockaddr *addr,
    socklen_t *len);
int nsock_tcp_connect(struct nsock *s, const struct sockaddr *addr,
    socklen_t len);
ssize_t nsock_tcp_send(struct nsock *s, const void *buf, size_t len,
    int flags);
ssize_t nsock_tcp_recv(struct nsock *s, void *buf, size_t len, int flags);
size_t nsock_tcp_hand_peek(struct nsock *s, void *buf, size_t len,
    unsigned *events);
void nsock_tcp_handed(struct nsock *s, size_t n);
unsigned nsock_tcp_send_room(struct nsock *s);
void nsock_tcp_fail(struct nsock *s, int err);
int nsock_tcp_shutdown(struct nsock *s, bool rd, bool wr);
void nsock_tcp_close(struct nsock *s);
unsigned nsock_tcp_poll(struct nsock *s);
void nsock_tcp_apply_opts(struct nsock *s);
size_t nsock_tcp_unsent(const struct nsock *s);	/* bytes not yet acked */
void nsock_tcp_flush(struct nsock *s);		/* tcp_output() now */
struct nsock *nsock_tcp_owner(const struct tcp_pcb *pcb);

/* sock_udp.c */
int nsock_udp_bind(struct nsock *s, const ip_addr_t *ip, u16_t port);
int nsock_udp_connect(struct nsock *s, const struct sockaddr *addr,
    socklen_t len);
ssize_t nsock_udp_send(struct nsock *s, const void *buf, size_t len,
    int flags, const struct sockaddr *addr, socklen_t addr_len);
int nsock_udp_shutdown(struct nsock *s, bool rd, bool wr);
void nsock_udp_close(struct nsock *s);
/* Leaves the multicast groups s joined (any socket type: MCAST_JOIN_GROUP
   takes a TCP socket too, as Linux). */
void nsock_groups_leave(struct nsock *s);
unsigned nsock_udp_poll(struct nsock *s);
void nsock_dgram_queue(struct nsock *s, struct pbuf *p, const ip_addr_t *addr,
    u16_t port);
ssize_t nsock_dgram_read(struct nsock *s, void *buf, size_t len, int flags,
    struct sockaddr *addr, socklen_t *addr_len, int *msg_flags);
int nsock_udp_ensure_pcb(struct nsock *s);	/* 0 or -ENOMEM */
struct nsock *nsock_udp_owner(const struct udp_pcb *pcb);
void nsock_udp_apply_opts(struct nsock *s);
int nsock_udp_membership(struct nsock *s, const struct nsock_group *g,
    bool join);

/* sock_raw.c */
int nsock_raw_bind(struct nsock *s, const ip_addr_t *ip);
int nsock_raw_connect(struct nsock *s, const struct sockaddr *addr,
    socklen_t len);
ssize_t nsock_raw_send(struct nsock *s, const void *buf, size_t len,
    const struct sockaddr *addr, socklen_t addr_len);
void nsock_raw_close(struct nsock *s);
void nsock_raw_apply_opts(struct nsock *s);

#endif
