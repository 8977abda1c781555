/*
 * Listen queues, kept here instead of in lwIP's backlog: lwIP counts
 * half-open connections (SYN-RECEIVED) and established ones not yet
 * accepted against one u8_t, so no listener could hold more than 255, and
 * a burst of clients (wrk opening 4,000 connections at once) lost the SYNs
 * beyond: each was sent again a second later, which wrecks a 10 s
 * benchmark. lwIP is built without its backlog (TCP_LISTEN_BACKLOG 0) and
 * each listener has two queues here, as on Linux, each holding up to the
 * listener's limit (listen()'s backlog + 1, backlog at most
 * PETREL_SOMAXCONN; the half-open queue at most PETREL_HALF_OPEN_MAX,
 * as Linux's tcp_max_syn_backlog): the half-open connections, oldest first, each
 * tracked through an lwIP ext arg on its pcb (created when lwIP opens it
 * passively, dropped when it is established or freed); and the
 * established ones waiting for accept(), which netd keeps and counts
 * (queued). The hook run for each segment lwIP hands a pcb enforces them:
 *
 * - a SYN while the accept queue is full is dropped (the application is
 *   behind; Linux does the same);
 * - a SYN while the half-open queue is full makes room by dropping the
 *   oldest half-open connection, as BSD's syncache drops its oldest
 *   entry: a SYN flood from addresses that never answer would otherwise
 *   hold the queue for as long as its SYN-ACKs are retried (about 20 s)
 *   and no one else could connect. But only while no handshake on the
 *   listener completed in the last QUIET_MS, and not one younger than
 *   HALF_OPEN_MIN_MS: in a burst of real clients the oldest half-open one
 *   has its client's ACK on the way, queued behind the burst's other
 *   SYNs for as long as netd takes to get through them (more than 50 ms
 *   in wrk's 4,000 on a loaded host), and displacing it answered that
 *   ACK with a reset; the new SYN is dropped instead, and sent again a
 *   second later. A flood's addresses complete no handshake, and it
 *   turns the queue over in limit / rate (4,097 SYNs at 2,500 a second:
 *   1.6 s; 256 of them: 100 ms), so its connections outlive the minimum
 *   and are displaced; a real client's completion pauses that for
 *   QUIET_MS;
 * - the ACK that would complete a handshake while the accept queue is
 *   full is dropped, leaving the connection half-open (Linux's default,
 *   tcp_abort_on_overflow 0): the SYN-ACK is sent again and the client's
 *   next segment completes it once accept() has made room, where lwIP
 *   would reset it.
 *
 * Forged sources on the local network cost ARP entries too: each SYN-ACK
 * to one starts a query, and lwIP makes room for a new entry by recycling
 * its oldest resolved one first, so a flood from a subnet's addresses
 * pushes out every real neighbour, and the queued packets of the pending
 * ones fill the queue pool. So while a listener is flooded, a SYN-ACK to
 * an unresolved neighbour only asks for its address and is dropped: a
 * real client answers, gets an entry, and its repeated SYN is answered.
 * A listener counts as flooded from a displacement, or from FLOOD_HALF_OPEN
 * half-open connections on (a queue of 4,097 takes a flood 1.6 s to fill,
 * too long to leave the ARP table to it; a burst of real clients from a
 * resolved neighbour, as wrk's, loses nothing by it).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "lwip/etharp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/prot/ip4.h"
#include "lwip/prot/tcp.h"
#include "lwip/sys.h"
#include "lwip/tcp.h"
#include "petrel_lwip_hooks.h"

#define FLOOD_HOLD_MS 10000	/* flooded this long after a displacement */
#define HALF_OPEN_MIN_MS 50	/* a real client's ACK comes back sooner */
#define QUIET_MS 100		/* ... and a burst completes one this often */
#define FLOOD_HALF_OPEN 256	/* half-open connections that may be a flood */
#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif
#define DROP ERR_WOULDBLOCK	/* the hook's answer: lwIP frees the segment */

/* A half-open connection in its listener's queue (the pcb's ext arg). */
struct petrel_half_open {
	struct petrel_half_open *older, *newer;
	struct petrel_listenq *q;
	struct tcp_pcb *pcb;
	u32_t born;		/* sys_now() when its SYN came */
};

static u8_t ext_id = LWIP_TCP_PCB_NUM_EXT_ARG_ID_INVALID;
static u32_t flood_until;	/* sys_now() when the flood counts as over */
static bool flood_seen;

static void
flood_mark(void)
{
	flood_seen = true;
	flood_until = sys_now() + FLOOD_HOLD_MS;
}

static void
half_open_unlink(struct petrel_half_open *h)
{
	struct petrel_listenq *q = h->q;

	if (h->older != NULL)
		h->older->newer = h->newer;
	else
		q->oldest = h->newer;
	if (h->newer != NULL)
		h->newer->older = h->older;
	else
		q->newest = h->older;
	q->half_open--;
	free(h);
}

/* lwIP frees a pcb (reset, SYN-ACKs timed out, displaced, aborted). */
static void
half_open_destroyed(u8_t id, void *data)
{
	(void)id;
	if (data != NULL)
		half_open_unlink(data);
}

static const struct tcp_ext_arg_callbacks half_open_callbacks = {
	.destroy = half_open_destroyed,
};

/* lwIP opened cpcb for a SYN to lpcb: cpcb joins lpcb's half-open queue. */
static err_t
listener_passive_open(u8_t id, struct tcp_pcb_listen *lpcb,
    struct tcp_pcb *cpcb)
{
	struct petrel_listenq *q = tcp_ext_arg_get((struct tcp_pcb *)lpcb, id);
	struct petrel_half_open *h;

	petrel_pcb_index_note(cpcb);
	if (q == NULL)
		return ERR_OK;
	h = malloc(sizeof(*h));
	if (h == NULL)
		return ERR_MEM;	/* lwIP drops the connection */
	h->q = q;
	h->pcb = cpcb;
	h->born = sys_now();
	h->newer = NULL;
	h->older = q->newest;
	if (q->newest != NULL)
		q->newest->newer = h;
	else
		q->oldest = h;
	q->newest = h;
	if (++q->half_open >= FLOOD_HALF_OPEN)
		flood_mark();
	tcp_ext_arg_set_callbacks(cpcb, id, &half_open_callbacks);
	tcp_ext_arg_set(cpcb, id, h);
	return ERR_OK;
}

static const struct tcp_ext_arg_callbacks listener_callbacks = {
	.passive_open = listener_passive_open,
};

void
petrel_listenq_attach(struct petrel_listenq *q, struct tcp_pcb *lpcb)
{
	if (ext_id == LWIP_TCP_PCB_NUM_EXT_ARG_ID_INVALID)
		ext_id = tcp_ext_arg_alloc_id();
	tcp_ext_arg_set_callbacks(lpcb, ext_id, &listener_callbacks);
	tcp_ext_arg_set(lpcb, ext_id, q);
}

void
petrel_listenq_detach(struct petrel_listenq *q)
{
	while (q->oldest != NULL) {
		tcp_ext_arg_set(q->oldest->pcb, ext_id, NULL);
		half_open_unlink(q->oldest);
	}
}

void
petrel_listenq_established(struct tcp_pcb *pcb)
{
	struct petrel_half_open *h;

	if (ext_id == LWIP_TCP_PCB_NUM_EXT_ARG_ID_INVALID)
		return;
	h = tcp_ext_arg_get(pcb, ext_id);
	if (h == NULL)
		return;
	tcp_ext_arg_set(pcb, ext_id, NULL);
	h->q->completed_any = true;
	h->q->completed = sys_now();
	half_open_unlink(h);
}

/* Whether a SYN to q's listener may open a connection; makes room. */
static err_t
syn_admit(struct petrel_listenq *q)
{
	struct petrel_half_open *oldest = q->oldest;

	if (q->queued >= q->limit)
		return DROP;
	if (q->half_open < MIN(q->limit, PETREL_HALF_OPEN_MAX))
		return ERR_OK;
	if (oldest == NULL || sys_now() - oldest->born < HALF_OPEN_MIN_MS ||
	    (q->completed_any && sys_now() - q->completed < QUIET_MS))
		return DROP;
	flood_mark();
	/* No reset: the peer of a flood's SYN is most likely forged. Its
	   pcb's destroy callback takes it off the queue. */
	tcp_abandon(oldest->pcb, 0);
	return ERR_OK;
}

err_t
petrel_lwip_tcp_inpacket(struct tcp_pcb *pcb, const struct tcp_hdr *hdr)
{
	u8_t flags = TCPH_FLAGS(hdr) & (TCP_SYN | TCP_ACK | TCP_RST);
	struct petrel_listenq *q;

	if (pcb->state != LISTEN)
		petrel_pcb_index_note(pcb);
	if (ext_id == LWIP_TCP_PCB_NUM_EXT_ARG_ID_INVALID)
		return ERR_OK;
	if (pcb->state == LISTEN) {
		q = flags == TCP_SYN ? tcp_ext_arg_get(pcb, ext_id) : NULL;
		return q != NULL ? syn_admit(q) : ERR_OK;
	}
	/* The handshake's last ACK, with the accept queue full. */
	if (pcb->state == SYN_RCVD && flags == TCP_ACK &&
	    pcb->listener != NULL) {
		q = tcp_ext_arg_get((struct tcp_pcb *)pcb->listener, ext_id);
		if (q != NULL && q->queued >= q->limit)
			return DROP;
	}
	return ERR_OK;
}

static bool
flooded(void)
{
	return flood_seen && (s32_t)(flood_until - sys_now()) > 0;
}
/* Whether p, an IPv4 packet, carries a TCP SYN-ACK. */
static bool
is_syn_ack(const struct pbuf *p)
{
	const u8_t *ip = p->payload;
	size_t hlen;

	if (p->len < IP_HLEN || ip[9] != IP_PROTO_TCP)
		return false;
	hlen = (size_t)(ip[0] & 0xf) * 4;
	if (p->len < hlen + TCP_HLEN)
		return false;
	return (ip[hlen + 13] & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK);
}

err_t
petrel_lwip_etharp_output(struct netif *netif, struct pbuf *p,
    const ip4_addr_t *next_hop)
{
	struct eth_addr *eth;
	const ip4_addr_t *ip;

	if (flooded() && is_syn_ack(p) && !ip4_addr_ismulticast(next_hop) &&
	    !ip4_addr_isbroadcast(next_hop, netif) &&
	    etharp_find_addr(netif, next_hop, &eth, &ip) < 0) {
		etharp_request(netif, next_hop);
		return ERR_OK;
	}
	return etharp_output(netif, p, next_hop);
}
