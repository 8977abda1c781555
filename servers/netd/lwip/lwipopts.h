/*
 * lwIP options for netd, Petrel's network server: one thread running the
 * raw (callback) API under netd's event loop, tuned for bulk TCP. Host
 * test builds define PETREL_LWIP_HOST; docs/netd.md explains each choice.
 */
#ifndef PETREL_LWIPOPTS_H
#define PETREL_LWIPOPTS_H

/* ---- System: no lwIP threads; netd calls sys_check_timeouts() ---- */
#define NO_SYS				1
#define LWIP_TIMERS			1
/* Only for lwip_cyclic_timer's name: netd's ticks.c takes the cyclic
   timers off lwIP's list (sys_untimeout needs the handler). It changes
   nothing else in this lwIP (timeouts.c is its only user). */
#define LWIP_TESTMODE			1
#define SYS_LIGHTWEIGHT_PROT		0
#define LWIP_NETCONN			0
#define LWIP_SOCKET			0
#define LWIP_NETIF_API			0

/*
 * Host builds keep lwIP's assertions and give every pool element its own
 * malloc(), so ASan catches a pcb or pbuf touched after lwIP freed it.
 * netd itself uses fixed pools: bounded memory, no allocator on the hot path.
 */
#ifdef PETREL_LWIP_HOST
#define MEMP_MEM_MALLOC			1
#else
#define LWIP_NOASSERT			1
#define MEMP_MEM_MALLOC			0
#endif

/* ---- Memory ---- */
/* The variable-size heap (PBUF_RAM: send buffers, datagrams) is musl's
   malloc: it grows with load and gives memory back, where a fixed
   MEM_SIZE arena would either waste RAM or fail under a burst. */
#define MEM_LIBC_MALLOC			1
#define MEM_ALIGNMENT			8
#ifndef PETREL_LWIP_HOST
/* netd keeps freed blocks for reuse (mem_cache.c): no munmap and mmap
   of musl's groups under steady traffic. */
#include <stddef.h>
void *netd_mem_malloc(size_t size);
void netd_mem_free(void *mem);
void *netd_mem_calloc(size_t count, size_t size);
#define mem_clib_malloc netd_mem_malloc
#define mem_clib_free netd_mem_free
#define mem_clib_calloc netd_mem_calloc
#endif
/* Any of netd's NSOCK_MAX (12288) sockets may be a TCP connection (a
   server holding 10,000 idle keep-alive clients: bench/connbench.py); the
   pool costs 320 bytes a PCB (4 MiB), touched at start by memp_init.
   Listeners and UDP sockets stay at about a thousand. */
#define MEMP_NUM_TCP_PCB		12544	/* plus TIME-WAIT */
#define MEMP_NUM_TCP_PCB_LISTEN		1024
#define MEMP_NUM_UDP_PCB		1040	/* plus DHCP and DNS */
#define MEMP_NUM_RAW_PCB		64	/* ping */
#define MEMP_NUM_TCP_SEG		4096
#define MEMP_NUM_PBUF			512
#define MEMP_NUM_REASSDATA		16
#define MEMP_NUM_FRAG_PBUF		256
#define MEMP_NUM_ARP_QUEUE		64
#define MEMP_NUM_IGMP_GROUP		32
#define MEMP_NUM_MLD6_GROUP		32
#define MEMP_NUM_ND6_QUEUE		64
#define MEMP_NUM_SYS_TIMEOUT		(LWIP_NUM_SYS_TIMEOUT_INTERNAL + 8)
/* Receive buffers for the NIC driver; PBUF_POOL_BUFSIZE keeps lwIP's
   default (one 1500-byte frame with its headers). */
#define PBUF_POOL_SIZE			1024

/* ---- TCP, sized for throughput ---- */
#define LWIP_TCP			1
#define TCP_MSS				1460
#define LWIP_WND_SCALE			1
#define TCP_RCV_SCALE			4
#define TCP_WND				(256 * 1024)
#define TCP_SND_BUF			(256 * 1024)
/* TIME-WAIT lasts 2 MSL: 60 s, as Linux's TCP_TIMEWAIT_LEN (lwIP: 120). */
#define TCP_MSL				30000UL
#define TCP_OVERSIZE			TCP_MSS
#define TCP_QUEUE_OOSEQ			1
#define TCP_OOSEQ_MAX_BYTES		TCP_WND
#define TCP_OOSEQ_MAX_PBUFS		(TCP_WND / TCP_MSS)
#define LWIP_TCP_SACK_OUT		1
#define LWIP_TCP_MAX_SACK_NUM		4
/* Listen queues are netd's (syn_queue.c): lwIP's backlog is a u8_t. */
#define TCP_LISTEN_BACKLOG		0
/* syn_queue.c's half-open list, pcb_index.c's records */
#define LWIP_TCP_PCB_NUM_EXT_ARGS	2
#define LWIP_TCP_KEEPALIVE		1
/* Read only by lwIP's sequential API; init.c insists it fits a u16_t. */
#define TCP_SNDLOWAT			(8 * TCP_MSS)
#define LWIP_TCP_TIMESTAMPS		0
#define LWIP_CALLBACK_API		1
#define SO_REUSE			1
#define SO_REUSE_RXTOALL		1

/* ---- IPv4 ---- */
#define LWIP_IPV4			1
#define IP_FORWARD			0
#define IP_REASSEMBLY			1
#define IP_FRAG				1
#define IP_REASS_MAX_PBUFS		128	/* a 64 KiB datagram is 45 */
#define IP_DEFAULT_TTL			64	/* Linux's default */
#define IP_SOF_BROADCAST		1
#define IP_SOF_BROADCAST_RECV		0
#define LWIP_ICMP			1
#define LWIP_RAW			1
#define LWIP_ARP			1
#define LWIP_ETHERNET			1
#define ARP_TABLE_SIZE			64
#define ARP_QUEUEING			1
#define LWIP_DHCP			1
#define DHCP_DOES_ARP_CHECK		0	/* saves ~1 s of boot */
#define LWIP_AUTOIP			0
#define LWIP_IGMP			1
#define LWIP_MULTICAST_TX_OPTIONS	1

/* ---- IPv6 ---- */
#define LWIP_IPV6			1
#define LWIP_IPV6_AUTOCONFIG		1
#define LWIP_IPV6_SEND_ROUTER_SOLICIT	1
#define LWIP_IPV6_MLD			1
#define LWIP_ICMP6			1
#define LWIP_IPV6_FRAG			1
#define LWIP_IPV6_REASS			1
/* Reassembly keeps a pointer where the fragment header was: 64-bit
   pointers do not fit there, so lwIP must copy the header aside. */
#define IPV6_FRAG_COPYHEADER		1
#define LWIP_ND6_QUEUEING		1
#define LWIP_ND6_NUM_NEIGHBORS		32
#define LWIP_ND6_NUM_DESTINATIONS	32
#define LWIP_ND6_RDNSS_MAX_DNS_SERVERS	DNS_MAX_SERVERS
#define LWIP_IPV6_DHCP6			0

/* ---- UDP and DNS ---- */
/* Applications resolve names themselves (musl reads /etc/resolv.conf);
   the DNS client only collects servers from DHCP and router adverts. */
#define LWIP_UDP			1
#define LWIP_DNS			1
#define DNS_MAX_SERVERS			3

/* ---- Interfaces ---- */
#define LWIP_SINGLE_NETIF		0
#define LWIP_NETIF_HOSTNAME		1
#define LWIP_NETIF_STATUS_CALLBACK	1
#define LWIP_NETIF_EXT_STATUS_CALLBACK	1
#define LWIP_NETIF_LINK_CALLBACK	1
#define LWIP_NETIF_LOOPBACK		1
#define LWIP_HAVE_LOOPIF		1
#define LWIP_LOOPIF_MULTICAST		1
#define LWIP_NETIF_TX_SINGLE_PBUF	0
/* virtio-net may offload checksums; the driver clears NETIF_CHECKSUM_*
   flags on its netif for what the device does. */
#define LWIP_CHECKSUM_CTRL_PER_NETIF	1
#define LWIP_CHECKSUM_ON_COPY		0

/* ---- Statistics and debugging ---- */
#define LWIP_STATS			0
#define LWIP_STATS_DISPLAY		0
#define MIB2_STATS			0

/* ---- Port hooks (servers/netd/lwip/sys_arch.c) ---- */
/* libc's htons() and friends are used; lwIP must not define its own. */
#define LWIP_DONT_PROVIDE_BYTEORDER_FUNCTIONS 1
#define LWIP_HOOK_FILENAME		"petrel_lwip_hooks.h"
/* RFC 6528 initial sequence numbers instead of lwIP's counter. */
#define LWIP_HOOK_TCP_ISN(local_ip, local_port, remote_ip, remote_port) \
	petrel_lwip_tcp_isn(local_ip, local_port, remote_ip, remote_port)
/* A SYN beyond a TIME-WAIT connection's end takes its tuple (tw_reuse.c). */
#define LWIP_HOOK_IP4_INPUT(p, inp)	petrel_lwip_ip4_input(p)
#define LWIP_HOOK_IP6_INPUT(p, inp)	petrel_lwip_ip6_input(p)
/* A listener's queues are enforced per segment (syn_queue.c). */
#define LWIP_HOOK_TCP_INPACKET_PCB(pcb, hdr, optlen, opt1len, opt2, p) \
	petrel_lwip_tcp_inpacket(pcb, hdr)

#endif
