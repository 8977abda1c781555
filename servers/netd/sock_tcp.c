/*
 * TCP sockets over lwIP's raw API. Received data waits on the socket as
 * pbufs; the window reopens (tcp_recved) at once while the socket's
 * receive buffer has room, and then only as the application reads, so
 * the advertised window is real back-pressure; sends are copied
 * into lwIP up to its send buffer. A pcb is never touched once lwIP has
 * freed it (err callback) or once the socket handed it back (detach).
 * This file has the pcb's life: binding, listening, accepting,
 * connecting, errors, shutdown and close; sending and receiving are
 * sock_tcp_io.c's.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "petrel_lwip_hooks.h"
#include "sock_int.h"
#include "sock_tcp.h"

/* lwIP polls each connection every this many 500 ms ticks; the poll
   catches send room that freed without an ACK callback (ERR_MEM). */
#define TCP_POLL_TICKS		2

static void tcp_cb_err(void *arg, err_t err);
static err_t tcp_cb_connected(void *arg, struct tcp_pcb *pcb, err_t err);
static err_t tcp_cb_accept(void *arg, struct tcp_pcb *pcb, err_t err);

/* Routes all of pcb's callbacks to s. */
static void
tcp_attach(struct nsock *s, struct tcp_pcb *pcb)
{
	s->pcb.tcp = pcb;
	tcp_arg(pcb, s);
	tcp_recv(pcb, nsock_tcp_cb_recv);
	tcp_sent(pcb, nsock_tcp_cb_sent);
	tcp_err(pcb, tcp_cb_err);
	tcp_poll(pcb, nsock_tcp_cb_poll, TCP_POLL_TICKS);
}

/* Cuts every callback from the pcb to s and returns the pcb, which the
   caller then closes or aborts: from here on lwIP alone owns it. */
static struct tcp_pcb *
tcp_detach(struct nsock *s)
{
	struct tcp_pcb *pcb = s->pcb.tcp;

	s->pcb.tcp = NULL;
	if (pcb == NULL)
		return NULL;
	tcp_arg(pcb, NULL);
	if (pcb->state == LISTEN) {
		tcp_accept(pcb, NULL);
		return pcb;
	}
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_err(pcb, NULL);
	tcp_poll(pcb, NULL, 0);
	return pcb;
}

/* Lets go of the pcb: FIN (graceful) or, with abort, RST where a
   connection exists. Never fails: a failed close becomes an abort. */
void
nsock_tcp_release(struct nsock *s, bool abort)
{
	struct tcp_pcb *pcb = tcp_detach(s);

	if (pcb == NULL)
		return;
	if (abort && pcb->state != LISTEN && pcb->state != SYN_SENT &&
	    pcb->state != CLOSED) {
		tcp_abort(pcb);
		return;
	}
	if (tcp_close(pcb) != ERR_OK)
		tcp_abort(pcb);
}

void
nsock_tcp_apply_opts(struct nsock *s)
{
	struct tcp_pcb *pcb = s->pcb.tcp;
	const struct nsock_opts *o = &s->opt;

	if (pcb == NULL)
		return;
	if (o->reuseaddr || o->reuseport)
		ip_set_option(pcb, SOF_REUSEADDR);
	else
		ip_reset_option(pcb, SOF_REUSEADDR);
	if (o->keepalive)
		ip_set_option(pcb, SOF_KEEPALIVE);
	else
		ip_reset_option(pcb, SOF_KEEPALIVE);
	pcb->ttl = (u8_t)(o->ttl < 0 ? TCP_TTL : o->ttl);
	pcb->tos = (u8_t)o->tos;
	if (pcb->state == LISTEN)
		return;	/* a listen pcb has no more fields */
	if (o->nodelay)
		tcp_nagle_disable(pcb);
	else
		tcp_nagle_enable(pcb);
	pcb->keep_idle = (u32_t)o->keepidle * 1000;
	pcb->keep_intvl = (u32_t)o->keepintvl * 1000;
	pcb->keep_cnt = (u32_t)o->keepcnt;
}

static struct tcp_pcb *
tcp_pcb_new(struct nsock *s)
{
	u8_t type = IPADDR_TYPE_ANY;
	struct tcp_pcb *pcb;

	if (s->family == AF_INET)
		type = IPADDR_TYPE_V4;
	else if (s->v6only)
		type = IPADDR_TYPE_V6;
	pcb = tcp_new_ip_type(type);
	if (pcb == NULL)
		return NULL;
	tcp_attach(s, pcb);
	nsock_tcp_apply_opts(s);
	return pcb;
}

/* Returns the socket attached to pcb, or NULL for a pcb that is not a
   socket's (lwIP's own, SYN-RCVD, or one a socket let go of). */
struct nsock *
nsock_tcp_owner(const struct tcp_pcb *pcb)
{
	if (pcb->state == LISTEN) {
		const struct tcp_pcb_listen *lpcb = (const void *)pcb;

		return lpcb->accept == tcp_cb_accept ? pcb->callback_arg :
		    NULL;
	}
	return pcb->recv == nsock_tcp_cb_recv ? pcb->callback_arg : NULL;
}

/* ---- Binding: Linux's rules for who may share a port ---- */

/* Whether two local addresses (V4, V6 or the dual-stack ANY type)
   cover a common address. */
static bool
addr_overlap(const ip_addr_t *a, const ip_addr_t *b)
{
	if (IP_IS_ANY_TYPE_VAL(*a) || IP_IS_ANY_TYPE_VAL(*b))
		return true;
	if (IP_GET_TYPE(a) != IP_GET_TYPE(b))
		return false;
	return ip_addr_isany(a) || ip_addr_isany(b) || ip_addr_cmp(a, b);
}

/*
 * True when binding self to ip:port (or listening, with listen set)
 * clashes with another pcb. Sharing needs SO_REUSEADDR on both sides and
 * no listener on an overlapping address. lwIP's own check misses a
 * dual-stack socket against an IPv6-only one.
 */
static bool
port_conflict(const struct tcp_pcb *self, const ip_addr_t *ip, u16_t port,
    bool listen)
{
	bool reuse = ip_get_option(self, SOF_REUSEADDR);

	for (int i = 0; i < NUM_TCP_PCB_LISTS; i++) {
		for (struct tcp_pcb *c = *tcp_pcb_lists[i]; c; c = c->next) {
			if (c == self || c->local_port != port ||
			    !addr_overlap(ip, &c->local_ip))
				continue;
			if (c->state == LISTEN)
				return true;
			if (!listen && (!reuse ||
			    !ip_get_option(c, SOF_REUSEADDR)))
				return true;
		}
	}
	return false;
}

/* Gives s a pcb for a new connection or listener, bound again to the
   address bind() chose if the previous pcb is gone. */
static int
tcp_pcb_ready(struct nsock *s)
{
	err_t err;

	if (s->pcb.tcp != NULL)
		return 0;
	if (tcp_pcb_new(s) == NULL)
		return -ENOMEM;
	if (!s->bound)
		return 0;
	if (port_conflict(s->pcb.tcp, &s->local_ip, s->local_port, false))
		err = ERR_USE;
	else
		err = tcp_bind(s->pcb.tcp, &s->local_ip, s->local_port);
	if (err != ERR_OK) {
		nsock_tcp_release(s, false);
		return err == ERR_USE ? -EADDRINUSE : nsock_err(err);
	}
	return 0;
}

int
nsock_tcp_bind(struct nsock *s, const ip_addr_t *ip, u16_t port)
{
	err_t err;
	int ret;

	if (s->bound || s->state != NSOCK_CLOSED ||
	    s->conn != NSOCK_UNCONNECTED)
		return -EINVAL;
	ret = tcp_pcb_ready(s);
	if (ret != 0)
		return ret;
	if (port != 0 && port_conflict(s->pcb.tcp, ip, port, false))
		return -EADDRINUSE;
	err = tcp_bind(s->pcb.tcp, ip, port);
	if (err != ERR_OK)
		return err == ERR_USE || err == ERR_BUF ? -EADDRINUSE :
		    nsock_err(err);
	s->bound = true;
	nsock_save_addrs(s);
	return 0;
}

/* ---- Listening and accepting ---- */

static void
accept_push(struct nsock *l, struct nsock *c)
{
	int id = nsock_id(c);

	c->listener = nsock_id(l);
	c->accept_next = -1;
	if (l->accept_tail >= 0)
		nsock_slot(l->accept_tail)->accept_next = id;
	else
		l->accept_head = id;
	l->accept_tail = id;
	l->accept_count++;
	l->lq->queued = (unsigned)l->accept_count;
}

static struct nsock *
accept_pop(struct nsock *l)
{
	struct nsock *c = nsock_slot(l->accept_head);

	if (c == NULL)
		return NULL;
	l->accept_head = c->accept_next;
	if (l->accept_head < 0)
		l->accept_tail = -1;
	l->accept_count--;
	l->lq->queued = (unsigned)l->accept_count;
	c->accept_next = -1;
	c->listener = -1;
	return c;
}

/* Linux caps the backlog at somaxconn (a negative one too) and lets
   backlog + 1 connections wait; as many may be half-open (syn_queue.c). */
static unsigned
backlog_limit(int backlog)
{
	if (backlog < 0 || backlog > NSOCK_SOMAXCONN)
		backlog = NSOCK_SOMAXCONN;
	return (unsigned)backlog + 1;
}

/* Stops listening: connections not yet accepted are reset (Linux). */
static void
tcp_unlisten(struct nsock *s)
{
	struct nsock *c;

	nsock_tcp_release(s, false);
	while ((c = accept_pop(s)) != NULL) {
		nsock_tcp_release(c, true);
		nsock_free(c);
	}
	petrel_listenq_detach(s->lq);
	free(s->lq);
	s->lq = NULL;
	s->state = NSOCK_CLOSED;
}

int
nsock_tcp_listen(struct nsock *s, int backlog)
{
	struct tcp_pcb *lpcb;
	err_t err;
	int ret;

	if (s->state == NSOCK_LISTEN) {
		s->lq->limit = backlog_limit(backlog);
		return 0;
	}
	if (s->state != NSOCK_CLOSED || s->conn != NSOCK_UNCONNECTED)
		return -EINVAL;
	ret = tcp_pcb_ready(s);
	if (ret != 0)
		return ret;
	if (s->pcb.tcp->local_port == 0) {
		err = tcp_bind(s->pcb.tcp, nsock_addr_any(s), 0);
		if (err != ERR_OK)
			return -EADDRINUSE;
	}
	if (port_conflict(s->pcb.tcp, &s->pcb.tcp->local_ip,
	    s->pcb.tcp->local_port, true))
		return -EADDRINUSE;
	s->lq = calloc(1, sizeof(*s->lq));
	if (s->lq == NULL)
		return -ENOBUFS;
	s->lq->limit = backlog_limit(backlog);
	/* lwIP's own backlog is off (lwipopts.h): the queues are s->lq. */
	lpcb = tcp_listen_with_backlog_and_err(s->pcb.tcp, 0, &err);
	if (lpcb == NULL) {
		free(s->lq);
		s->lq = NULL;
		return err == ERR_USE ? -EADDRINUSE : nsock_err(err);
	}
	/* lwIP freed the old pcb and copied its arg into lpcb. */
	s->pcb.tcp = lpcb;
	petrel_listenq_attach(s->lq, lpcb);
	tcp_accept(lpcb, tcp_cb_accept);
	s->state = NSOCK_LISTEN;
	nsock_save_addrs(s);
	nsock_notify(s, false);
	return 0;
}

/*
 * A connection completed its handshake on listener arg. It becomes an
 * embryo socket, queued until accept(); with no free slot the
 * connection is reset (lwIP aborts it when we return an error). The
 * accept queue has room: syn_queue.c dropped the handshake's last ACK
 * while it had none.
 */
static err_t
tcp_cb_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct nsock *l, *c;

	if (err != ERR_OK || pcb == NULL)
		return ERR_VAL;
	petrel_listenq_established(pcb);
	l = cb_sock(arg, (const struct tcp_pcb *)pcb->listener);
	if (l == NULL || l->state != NSOCK_LISTEN)
		return ERR_VAL;
	c = nsock_alloc(l->family, SOCK_STREAM, IPPROTO_TCP);
	if (c == NULL)
		return ERR_MEM;
	c->embryo = true;
	c->opt = l->opt;
	c->v6only = l->v6only;
	c->state = NSOCK_CONNECTED;
	c->conn = NSOCK_ISCONNECTED;
	tcp_attach(c, pcb);
	nsock_tcp_apply_opts(c);
	nsock_save_addrs(c);
	accept_push(l, c);
	nsock_notify(l, true);
	return ERR_OK;
}

int
nsock_tcp_accept(struct nsock *s, struct sockaddr *addr, socklen_t *len)
{
	struct nsock *c;

	if (s->state != NSOCK_LISTEN)
		return -EINVAL;
	c = accept_pop(s);
	if (c == NULL)
		return -EAGAIN;
	c->embryo = false;
	/* Notifications report changes from what accept() hands over. */
	c->events = nsock_events(c);
	if (addr != NULL && len != NULL)
		nsock_addr_put(c, &c->remote_ip, c->remote_port, addr, len);
	nsock_notify(s, false);
	return nsock_id(c);
}

/* ---- Connecting ---- */

/* Back to a fresh unconnected socket (Linux's tcp_disconnect). */
static void
tcp_reset_unconnected(struct nsock *s)
{
	struct pbuf *rx = s->rx_head;

	s->rx_head = s->rx_tail = NULL;
	s->rx_bytes = s->rx_withheld = 0;
	while (rx != NULL) {
		struct pbuf *next = rx->next;

		rx->next = NULL;
		rx->tot_len = rx->len;
		nsock_pbuf_release(rx);
		rx = next;
	}
	s->state = NSOCK_CLOSED;
	s->conn = NSOCK_UNCONNECTED;
	s->rd_shut = s->wr_shut = s->fin_rcvd = false;
}

/* connect(AF_UNSPEC): drop the connection or listener, reset the peer. */
static int
tcp_disconnect(struct nsock *s)
{
	if (s->state == NSOCK_LISTEN) {
		tcp_unlisten(s);
	} else {
		if (s->state == NSOCK_CONNECTED)
			s->error = ECONNRESET;
		nsock_tcp_release(s, true);
	}
	tcp_reset_unconnected(s);
	nsock_notify(s, false);
	return 0;
}

/* A later connect() on a socket that returned -EINPROGRESS. */
static int
tcp_connect_result(struct nsock *s)
{
	int e;

	switch (s->state) {
	case NSOCK_SYN_SENT:
		return -EALREADY;
	case NSOCK_CONNECTED:
		s->conn = NSOCK_ISCONNECTED;
		return 0;
	default:
		e = nsock_take_error(s);
		tcp_reset_unconnected(s);
		nsock_notify(s, false);
		return e != 0 ? -e : -ECONNABORTED;
	}
}

int
nsock_tcp_connect(struct nsock *s, const struct sockaddr *addr,
    socklen_t len)
{
	ip_addr_t ip;
	u16_t port;
	err_t err;
	int ret;

	if (addr->sa_family == AF_UNSPEC)
		return tcp_disconnect(s);
	if (s->conn == NSOCK_ISCONNECTED)
		return -EISCONN;
	if (s->conn == NSOCK_CONNECTING)
		return tcp_connect_result(s);
	if (s->state != NSOCK_CLOSED)
		return -EISCONN;
	ret = nsock_addr_get(s, addr, len, &ip, &port);
	if (ret != 0)
		return ret;
	if ((IP_IS_V4(&ip) && s->family == AF_INET6 && s->v6only) ||
	    ip_addr_ismulticast(&ip) || nsock_addr_is_broadcast(&ip))
		return -ENETUNREACH;
	nsock_addr_any_to_loopback(&ip);
	ret = tcp_pcb_ready(s);
	if (ret != 0)
		return ret;
	err = tcp_connect(s->pcb.tcp, &ip, port, tcp_cb_connected);
	if (err != ERR_OK) {
		/* Start afresh next time: lwIP may have half-set the pcb. */
		nsock_tcp_release(s, false);
		if (err == ERR_USE || err == ERR_BUF)
			return -EADDRNOTAVAIL;
		return nsock_err(err);
	}
	s->state = NSOCK_SYN_SENT;
	s->conn = NSOCK_CONNECTING;
	s->error = 0;
	nsock_save_addrs(s);
	nsock_notify(s, false);
	return -EINPROGRESS;
}

static err_t
tcp_cb_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct nsock *s = cb_sock(arg, pcb);

	LWIP_UNUSED_ARG(err);	/* always ERR_OK: failures go to tcp_cb_err */
	if (s == NULL)
		return ERR_OK;
	s->state = NSOCK_CONNECTED;
	nsock_save_addrs(s);
	nsock_notify(s, true);
	return ERR_OK;
}

/* ---- Errors, shutdown and close ---- */

/* lwIP has freed the pcb (reset, timeout, or the final ACK after our
   FIN in LAST-ACK); only the socket remains. */
static void
tcp_cb_err(void *arg, err_t err)
{
	struct nsock *s = arg;

	LWIP_ASSERT("error for a pcb its socket let go",
	    s == NULL || (s->used && s->pcb.tcp != NULL));
	if (s == NULL || !s->used || s->pcb.tcp == NULL)
		return;
	s->pcb.tcp = NULL;
	/* Linux's tcp_reset(): refused while connecting, EPIPE in
	   CLOSE-WAIT (the peer's FIN came, ours did not go), else reset. */
	if (err == ERR_RST && s->state == NSOCK_SYN_SENT)
		s->error = ECONNREFUSED;
	else if (err == ERR_RST && s->fin_rcvd && !s->wr_shut)
		s->error = EPIPE;
	else if (err == ERR_RST)
		s->error = ECONNRESET;
	else if (err != ERR_CLSD)
		s->error = ETIMEDOUT;	/* retransmissions or keepalive */
	s->state = NSOCK_DONE;
	nsock_notify(s, true);
}

int
nsock_tcp_shutdown(struct nsock *s, bool rd, bool wr)
{
	switch (s->state) {
	case NSOCK_LISTEN:
		if (rd)
			tcp_unlisten(s);
		break;
	case NSOCK_SYN_SENT:
		nsock_tcp_release(s, false);
		tcp_reset_unconnected(s);
		break;
	case NSOCK_CONNECTED:
		s->rd_shut |= rd;
		if (wr && !s->wr_shut) {
			s->wr_shut = true;
			/* ERR_CONN: our FIN is already out. */
			tcp_shutdown(s->pcb.tcp, 0, 1);
		}
		break;
	default:
		/* Linux marks the socket, then says it was not connected. */
		s->rd_shut |= rd;
		s->wr_shut |= wr;
		nsock_notify(s, false);
		return -ENOTCONN;
	}
	nsock_notify(s, false);
	return 0;
}

void
nsock_tcp_close(struct nsock *s)
{
	bool abort;

	if (s->state == NSOCK_LISTEN) {
		tcp_unlisten(s);
		return;
	}
	/* Unread data, or SO_LINGER {1, 0}, closes with RST (Linux). */
	abort = s->rx_bytes > 0 || s->unread_handed ||
	    (s->opt.linger_on && s->opt.linger_secs == 0);
	nsock_tcp_release(s, abort);
}

unsigned
nsock_tcp_poll(struct nsock *s)
{
	unsigned events = 0;
	bool rd, wr;

	if (s->state == NSOCK_LISTEN)
		return s->accept_count > 0 ? POLLIN | POLLRDNORM : 0;
	/* As Linux's tcp_poll(): a closed socket hangs up, a finished
	   direction reads as end of file or writes as an error. */
	rd = s->rd_shut || s->fin_rcvd || s->state == NSOCK_DONE;
	wr = s->wr_shut || s->state == NSOCK_DONE;
	if ((rd && wr) || s->state == NSOCK_CLOSED || s->state == NSOCK_DONE)
		events |= POLLHUP;
	if (rd)
		events |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (s->state != NSOCK_SYN_SENT) {
		if (s->rx_bytes > 0)
			events |= POLLIN | POLLRDNORM;
		if (wr || nsock_tcp_writable(s))
			events |= POLLOUT | POLLWRNORM;
	}
	if (s->error != 0)
		events |= POLLERR;
	return events;
}
