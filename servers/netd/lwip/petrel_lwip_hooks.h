/*
 * Hooks Petrel plugs into lwIP (LWIP_HOOK_FILENAME): lwIP's sources include
 * this file where hooks are called, after their own headers.
 */
#ifndef PETREL_LWIP_HOOKS_H
#define PETREL_LWIP_HOOKS_H

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
 * Every segment lwIP matched to a pcb, before it is processed: a SYN for
 * a listener whose backlog is full drops the listener's oldest half-open
 * connection to make room (syn_queue.c). Returns ERR_OK: the segment goes
 * on.
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
