/*
 * netd's parts (servers/netd/): main.c runs the event loop, netif.c joins
 * lwIP to the virtio-net driver, dad.c guards its IPv6 addresses, serve.c
 * answers the kernel's socket calls, sock*.c are the socket core over lwIP.
 */
#ifndef NETD_H
#define NETD_H

#include <petrel/petrel.h>
#include <stdbool.h>
#include <stdint.h>

struct netif;
struct vnet;

/* "ADDR/PREFIX gateway GW dhcp|static", once the interface has an address. */
#define NETD_STATUS "/run/netd.status"
#define NETD_STATUS_TMP "/run/netd.status.tmp"
/* Configuration: "address A.B.C.D/N[,GW]" (else DHCP). */
#define NETD_CONFIG "/etc/netd.conf"

extern bool netd_verbose;		/* -v: report on the console too */

/* netif.c */
/* Adds the interface over nic and starts DHCP (or the static address). */
int link_setup(struct vnet *nic, const char *static_addr);
/* Hands received frames to lwIP. */
void link_poll(struct vnet *nic);

/* ticks.c */
/* Takes lwIP's cyclic timers (but TCP's) over; call after lwip_init. */
void ticks_init(void);
/* Notes a frame or a socket call: every timer runs at its period a while. */
void ticks_activity(void);
/* Runs the timers' due and missed ticks; call before handling events. */
void ticks_run(void);
/* Milliseconds until a timer must run (at most an hour). */
uint32_t ticks_sleep_ms(void);

/* ifinfo.c */
struct pt_net_info;
/* Describes lwIP's interfaces as the kernel shows them (PT_SOCK_IFINFO). */
void netd_ifinfo(struct pt_net_info *info);

/* dad.c */
/*
 * Makes lwIP's duplicate address detection on n act only on tentative
 * addresses, and retry an address found duplicate after a back-off.
 * Call before n has IPv6 addresses.
 */
void dad_setup(struct netif *n);

/* serve.c */
void serve_init(pt_handle_t channel);
/* Answers every call waiting; returns how many. */
int serve_calls(void);
/* Posts readiness changes noted since the last flush. */
void serve_flush(void);

#endif
