/*
 * What servers/netd/sock_tcp.c (connections, listening, closing) and
 * sock_tcp_io.c (sending and receiving) share: lwIP's data callbacks,
 * which sock_tcp.c attaches to each pcb, and letting a pcb go.
 */
#ifndef PETREL_NETD_SOCK_TCP_H
#define PETREL_NETD_SOCK_TCP_H

#include "lwip/tcp.h"
#include "sock_int.h"

/*
 * The socket a callback of pcb is for. Callbacks end at tcp_detach(),
 * so a socket that no longer holds the pcb means a bug here: host builds
 * assert, and netd drops the event rather than touch another socket.
 */
static inline struct nsock *
cb_sock(void *arg, const struct tcp_pcb *pcb)
{
	struct nsock *s = arg;

	LWIP_ASSERT("callback for a pcb its socket let go",
	    s == NULL || (s->used && s->pcb.tcp == pcb));
	if (s == NULL || !s->used || s->pcb.tcp != pcb)
		return NULL;
	return s;
}

/* Lets go of s's pcb, if it has one: FIN, or RST with abort where a
   connection exists (sock_tcp.c). Never fails. Like everything in netd,
   these run on its one thread and never sleep. */
void nsock_tcp_release(struct nsock *s, bool abort);
/* Whether s polls writable (sock_tcp_io.c). */
bool nsock_tcp_writable(const struct nsock *s);

/* lwIP's callbacks for data, sent bytes and its periodic poll
   (sock_tcp_io.c); each returns ERR_OK. */
err_t nsock_tcp_cb_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p,
    err_t err);
err_t nsock_tcp_cb_sent(void *arg, struct tcp_pcb *pcb, u16_t len);
err_t nsock_tcp_cb_poll(void *arg, struct tcp_pcb *pcb);

#endif
