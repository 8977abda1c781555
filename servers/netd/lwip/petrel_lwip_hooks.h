/*
 * Hooks Petrel plugs into lwIP (LWIP_HOOK_FILENAME): lwIP's sources include
 * this file where hooks are called, after their own headers.
 */
#ifndef PETREL_LWIP_HOOKS_H
#define PETREL_LWIP_HOOKS_H

#include <stdbool.h>

#include "lwip/err.h"
#include "lwip/ip_addr.h"

struct netif;
struct pbuf;
struct tcp_pcb;
struct tcp_hdr;

/*
 * Returns the initial sequence number for a new connection (RFC 6528):
 * a keyed hash of the four-tuple plus a clock ticking every 4 us, so
 * sequence numbers are unpredictable off the path yet monotonic per tuple.
 */
u32_t petrel_lwip_tcp_isn(const ip_addr_t *local_ip, u16_t local_port,
    const ip_addr_t *remote_ip, u16_t remote_port);

/* Reads the clock sys_now() gives until the next call (netd's loop). */
void petrel_lwip_clock_update(void);

/* SipHash-2-4 of len bytes under a 128-bit key (exported for tests). */
uint64_t petrel_siphash24(const uint8_t key[16], const void *data,
    size_t len);

/*
 * Every incoming IPv4 / IPv6 packet, before lwIP checks it: a SYN that
 * may take over a TIME-WAIT connection's four-tuple frees that one, and
 * TIME-WAIT connections beyond the newest PETREL_TW_MAX (tw_reuse.c).
 * Returns 0: the packet goes on.
 */
#define PETREL_TW_MAX 128
int petrel_lwip_ip4_input(struct pbuf *p);
int petrel_lwip_ip6_input(struct pbuf *p);

/*
 * The index of TCP pcbs by four-tuple (pcb_index.c). For every whole
 * incoming TCP segment (src, dst and its TCP header, 20 bytes there),
 * before lwIP looks at it: the active pcb it is for, if the index knows
 * it, is moved to the front of tcp_active_pcbs, where lwIP's walk finds it
 * first.
 */
void petrel_pcb_index_input(const ip_addr_t *src, const ip_addr_t *dst,
    const uint8_t *tcp);
/* pcb, active, has its four-tuple (lwIP matched a segment to it, or
   opened it for a SYN): it joins the index, if not in it already. */
void petrel_pcb_index_note(struct tcp_pcb *pcb);

/* What the index did (netd's SIGUSR1 dump prints them). */
struct petrel_pcb_index_stats {
	unsigned long long near;	/* segments for one of the list's first
					   8, left to lwIP's walk */
	unsigned long long hits;	/* segments whose active pcb it knew */
	unsigned long long moved;	/* ... moved to the front by it */
	unsigned long long misses;	/* non-SYN segments it knew no pcb for */
	unsigned long long walks;	/* predecessors found by a walk */
	unsigned long long walk_steps;	/* pcbs those walks passed */
	unsigned long records;		/* pcbs in it now */
};
const struct petrel_pcb_index_stats *petrel_pcb_index_stats(void);

/* At most this many half-open connections a listener (Linux's
   tcp_max_syn_backlog plays this part): a flood holding 4,097 cost every
   segment a walk of lwIP's pcb list and its SYN-ACK retries a burst of
   ARP queries, and a real client's fetch missed its 3 s in net-hostile. */
#define PETREL_HALF_OPEN_MAX 1024

/*
 * A TCP listener's queues (syn_queue.c), in place of lwIP's backlog,
 * whose u8_t held at most 255: half-open connections (SYN-RECEIVED),
 * oldest first, and established ones waiting for accept(), each holding
 * up to limit. netd owns the struct, sets limit and counts queued (its
 * accept queue); half_open and the list are this layer's.
 */
struct petrel_half_open;
struct petrel_listenq {
	unsigned int limit;	/* listen()'s backlog + 1 */
	unsigned int queued;	/* established, not yet accepted */
	unsigned int half_open;
	struct petrel_half_open *oldest, *newest;
	bool completed_any;	/* a handshake completed, the last at: */
	u32_t completed;	/* sys_now() */
};

/* Gives listener lpcb the queues q (after tcp_listen()). */
void petrel_listenq_attach(struct petrel_listenq *q, struct tcp_pcb *lpcb);
/* Before q is freed: its half-open connections forget it (lwIP resets
   them on their ACK, their listener closed). */
void petrel_listenq_detach(struct petrel_listenq *q);
/* pcb, accepted by lwIP, completed its handshake: off the half-open queue. */
void petrel_listenq_established(struct tcp_pcb *pcb);

/*
 * Every segment lwIP matched to a pcb, before it is processed: enforces a
 * listener's queues (a SYN while either is full, or the handshake's last
 * ACK while the accept queue is, is dropped), and a SYN to a full
 * half-open queue displaces its oldest connection when that one is old
 * enough (syn_queue.c). Returns ERR_OK when the segment goes on.
 */
err_t petrel_lwip_tcp_inpacket(struct tcp_pcb *pcb, const struct tcp_hdr *hdr);

/*
 * etharp_output(), for an Ethernet netif's output: but while a listener
 * is flooded with SYNs, a SYN-ACK to a neighbour whose address is not
 * resolved only sends an ARP request, so forged sources cannot push real
 * neighbours out of the ARP table (syn_queue.c).
 */
err_t petrel_lwip_etharp_output(struct netif *netif, struct pbuf *p,
    const ip4_addr_t *next_hop);

#endif
