/*
 * A new connection may reuse the four-tuple of one lwIP still holds in
 * TIME-WAIT. lwIP answers such a SYN with an ACK for the old connection,
 * which a peer that has forgotten it resets, and lwIP ignores the reset in
 * TIME-WAIT: the connect stalls until TIME-WAIT ends. Linux, as RFC 6191
 * and RFC 1122 4.2.2.13 allow, lets a SYN whose sequence number lies
 * beyond the old connection's end take the tuple over. This hook, run on
 * every incoming IPv4 and IPv6 packet before lwIP looks at it, does the
 * same: it drops the TIME-WAIT pcb, and lwIP then hands the SYN to the
 * listener. It never consumes a packet.
 *
 * lwIP keeps TIME-WAIT connections on one list that it walks for every
 * segment of a new connection (as does this hook), so a server closing
 * hundreds of connections a second would walk thousands. As Linux does
 * when its tcp_max_tw_buckets overflow, only the newest PETREL_TW_MAX are kept:
 * the walk drops the older ones (the list is newest first).
 *
 * The same hooks then hand the segment's tuple to pcb_index.c, which
 * moves the pcb it is for to the front of lwIP's active list.
 */
#include <string.h>

#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/prot/tcp.h"
#include "lwip/tcp.h"
#include "petrel_lwip_hooks.h"

#define IP4_HDR_MIN	20
#define IP6_HDR_LEN	40
#define PROTO_TCP	6

static uint16_t
get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t
get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

/*
 * The TCP header at tcp (20 bytes there): for a SYN, drop a TIME-WAIT
 * match it may take over, and every TIME-WAIT pcb beyond the newest PETREL_TW_MAX.
 */
static void
reuse(const ip_addr_t *src, const ip_addr_t *dst, const uint8_t *tcp)
{
	uint8_t flags = tcp[13];
	if ((flags & (TCP_SYN | TCP_ACK | TCP_RST | TCP_FIN)) != TCP_SYN)
		return;
	uint16_t sport = get16(tcp), dport = get16(tcp + 2);
	uint32_t seq = get32(tcp + 4);
	unsigned kept = 0;
	struct tcp_pcb *next;
	for (struct tcp_pcb *pcb = tcp_tw_pcbs; pcb != NULL; pcb = next) {
		next = pcb->next;
		if (kept == PETREL_TW_MAX) {
			tcp_abort(pcb);	/* TIME-WAIT: freed, no RST */
			continue;
		}
		kept++;
		if (pcb->remote_port == sport && pcb->local_port == dport &&
		    ip_addr_cmp(&pcb->remote_ip, src) &&
		    ip_addr_cmp(&pcb->local_ip, dst) &&
		    TCP_SEQ_GT(seq, pcb->rcv_nxt)) {
			tcp_abort(pcb);
			kept--;
		}
	}
}

int
petrel_lwip_ip4_input(struct pbuf *p)
{
	const uint8_t *b = p->payload;
	if (p->len < IP4_HDR_MIN)
		return 0;
	size_t hlen = (size_t)(b[0] & 0xf) * 4;
	/* Whole datagrams only: a fragment's TCP header is not for us. */
	if (b[9] != PROTO_TCP || hlen < IP4_HDR_MIN || p->len < hlen + 20 ||
	    (get16(b + 6) & 0x3fff) != 0)
		return 0;
	ip_addr_t src, dst;
	memcpy(&ip_2_ip4(&src)->addr, b + 12, 4);
	memcpy(&ip_2_ip4(&dst)->addr, b + 16, 4);
	IP_SET_TYPE_VAL(src, IPADDR_TYPE_V4);
	IP_SET_TYPE_VAL(dst, IPADDR_TYPE_V4);
	if (tcp_tw_pcbs != NULL)
		reuse(&src, &dst, b + hlen);
	petrel_pcb_index_input(&src, &dst, b + hlen);
	return 0;
}

int
petrel_lwip_ip6_input(struct pbuf *p)
{
	const uint8_t *b = p->payload;
	if (p->len < IP6_HDR_LEN + 20 || b[6] != PROTO_TCP)
		return 0;
	ip_addr_t src, dst;
	memset(&src, 0, sizeof(src));
	memset(&dst, 0, sizeof(dst));
	memcpy(ip_2_ip6(&src)->addr, b + 8, 16);
	memcpy(ip_2_ip6(&dst)->addr, b + 24, 16);
	IP_SET_TYPE_VAL(src, IPADDR_TYPE_V6);
	IP_SET_TYPE_VAL(dst, IPADDR_TYPE_V6);
	if (tcp_tw_pcbs != NULL)
		reuse(&src, &dst, b + IP6_HDR_LEN);
	petrel_pcb_index_input(&src, &dst, b + IP6_HDR_LEN);
	return 0;
}
