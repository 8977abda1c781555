/*
 * lwIP counts half-open connections (SYN-RECEIVED) and established ones
 * not yet accepted against one listen backlog, and drops every SYN while
 * it is full: a SYN flood from addresses that never answer keeps it full
 * of half-open connections, each held until its SYN-ACKs time out
 * (about 20 s), and no one else can connect until the flood ends. This
 * hook, run for each segment lwIP hands a listener, makes room for a new
 * SYN by dropping the listener's oldest half-open connection, as BSD's
 * syncache drops its oldest entry: a real client answers its SYN-ACK
 * within a round trip, long before a flood ages it out. But not one
 * younger than HALF_OPEN_MIN_US: in a burst of real clients (wrk opening
 * 4,000 connections at once over a tap) the oldest half-open one is a
 * few milliseconds old, its client's ACK already on the way, and
 * displacing it answered that ACK with a reset; the new SYN is dropped
 * instead and sent again a second later, as lwIP does with no hook. A
 * flood turns the backlog over in backlog / rate (255 SYNs at 2,500 a
 * second: 100 ms), so its half-open connections outlive the minimum and
 * are displaced as before. Connections that are established wait for
 * accept() as before; with the backlog full of those, SYNs are still
 * dropped (the application is behind, as on Linux).
 *
 * Forged sources on the local network cost ARP entries too: each SYN-ACK
 * to one starts a query, and lwIP makes room for a new entry by recycling
 * its oldest resolved one first, so a flood from a subnet's addresses
 * pushes out every real neighbour, and the queued packets of the pending
 * ones fill the queue pool. So while a listener is flooded, a SYN-ACK to
 * an unresolved neighbour only asks for its address and is dropped: a
 * real client answers, gets an entry, and its repeated SYN is answered.
 */
#include <stdbool.h>
#include <stdint.h>

#include "lwip/etharp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/prot/ip4.h"
#include "lwip/prot/tcp.h"
#include "lwip/sys.h"
#include "lwip/tcp.h"
#include "petrel_lwip_hooks.h"

#define FLOOD_HOLD_MS 10000	/* flooded this long after a displacement */
#define HALF_OPEN_MIN_US 50000	/* a real client's ACK comes back sooner */

static u32_t flood_until;	/* sys_now() when the flood counts as over */
static bool flood_seen;

/* The listener's oldest half-open connection (the list is newest first). */
static struct tcp_pcb *
oldest_half_open(const struct tcp_pcb_listen *lpcb)
{
	struct tcp_pcb *oldest = NULL;

	for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb; pcb = pcb->next)
		if (pcb->state == SYN_RCVD && pcb->listener == lpcb)
			oldest = pcb;
	return oldest;
}

/*
 * How long ago pcb, half-open, chose its initial sequence number, in
 * microseconds: the ISN is a hash of the four-tuple plus a clock ticking
 * every 4 us (petrel_lwip_tcp_isn), so the same tuple's ISN now, less
 * pcb's, is that clock's advance; nothing is acknowledged yet, so lastack
 * still holds pcb's ISN.
 */
static uint64_t
half_open_age_us(const struct tcp_pcb *pcb)
{
	u32_t now = petrel_lwip_tcp_isn(&pcb->local_ip, pcb->local_port,
	    &pcb->remote_ip, pcb->remote_port);

	return 4 * (uint64_t)(u32_t)(now - pcb->lastack);
}

err_t
petrel_lwip_tcp_inpacket(struct tcp_pcb *pcb, const struct tcp_hdr *hdr)
{
	struct tcp_pcb_listen *lpcb = (struct tcp_pcb_listen *)pcb;
	struct tcp_pcb *victim;

	if (pcb->state != LISTEN ||
	    (TCPH_FLAGS(hdr) & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN ||
	    lpcb->accepts_pending < lpcb->backlog)
		return ERR_OK;
	victim = oldest_half_open(lpcb);
	if (victim == NULL || half_open_age_us(victim) < HALF_OPEN_MIN_US)
		return ERR_OK;
	flood_seen = true;
	flood_until = sys_now() + FLOOD_HOLD_MS;
	/* No reset: the peer of a flood's SYN is most likely forged. */
	tcp_abandon(victim, 0);
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
