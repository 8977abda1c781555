/*
 * netd: Petrel's network server. It owns the virtio-net device that init
 * passes on (PETREL_DEVICE) and serves the kernel's AF_INET and AF_INET6
 * sockets on the channel init routed to it (PETREL_SERVE), running lwIP in
 * one event loop: device interrupts, socket calls and lwIP's timers.
 *
 *   netd [-v] [--address A.B.C.D/N[,GATEWAY]]   DHCP unless an address is
 *                                           given here, as netd.address= on
 *                                           the kernel command line or in
 *                                           /etc/netd.conf; -v: report on
 *                                           the console
 *   netd --probe A.B.C.D                   ARP for an address and exit
 */
#include "netd.h"
#include "sock.h"
#include "vnet.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/timeouts.h"
#include "petrel_lwip_hooks.h"
#include <petrel/native.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define IRQ_BIT 0

static struct vnet nic;
static pt_handle_t irq_notify;
static volatile sig_atomic_t stopping;
bool netd_verbose;

static int64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
handle_from_env(const char *name)
{
	const char *s = getenv(name);
	return s ? atoi(s) : 0;
}

static void
format_mac(char *out, const uint8_t *mac)
{
	sprintf(out, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
		mac[3], mac[4], mac[5]);
}

/* ---- ARP probe: proves transmit, receive and interrupts ----------------- */

struct probe {
	uint32_t target;		/* network order */
	bool answered;
	uint8_t mac[6];
};

static bool
probe_frame(void *ctx, uint8_t *f, size_t len, unsigned flags, unsigned buf)
{
	struct probe *p = ctx;
	(void)flags;
	(void)buf;
	/* Ethernet type 0x0806, ARP reply (op 2) from the target. */
	if (len < 42 || f[12] != 0x08 || f[13] != 0x06 || f[20] != 0 || f[21] != 2)
		return false;
	if (memcmp(f + 28, &p->target, 4) != 0)
		return false;
	memcpy(p->mac, f + 22, 6);
	p->answered = true;
	return false;
}

static void
arp_request(uint32_t from, uint32_t target)
{
	uint8_t f[42];
	memset(f, 0xff, 6);
	memcpy(f + 6, nic.mac, 6);
	f[12] = 0x08, f[13] = 0x06;
	f[14] = 0, f[15] = 1;		/* Ethernet */
	f[16] = 0x08, f[17] = 0x00;	/* IPv4 */
	f[18] = 6, f[19] = 4;
	f[20] = 0, f[21] = 1;		/* request */
	memcpy(f + 22, nic.mac, 6);
	memcpy(f + 28, &from, 4);
	memset(f + 32, 0, 6);
	memcpy(f + 38, &target, 4);
	vnet_send(&nic, f, sizeof(f));
	vnet_tx_flush(&nic);
}

static int
probe(const char *target_text)
{
	struct probe p = { 0 };
	struct in_addr a;
	if (inet_pton(AF_INET, target_text, &a) != 1) {
		fprintf(stderr, "netd: --probe wants an IPv4 address\n");
		return 2;
	}
	p.target = a.s_addr;
	uint32_t from = htonl(ntohl(a.s_addr) + 13);	/* 10.0.2.2 -> .15 */
	int64_t deadline = now_ns() + 5000000000ll;
	unsigned interrupts = 0;
	while (!p.answered && now_ns() < deadline) {
		arp_request(from, p.target);
		struct pt_wait_item w = { irq_notify, 0, 1ull << IRQ_BIT, 0 };
		pt_wait(&w, 1, 500000000);
		if (w.got) {
			interrupts++;
			vnet_interrupt(&nic);
		}
		vnet_receive(&nic, probe_frame, &p);
	}
	if (!p.answered) {
		printf("netd: no ARP answer from %s\n", target_text);
		return 1;
	}
	char mac[18];
	format_mac(mac, p.mac);
	printf("netd: %s is at %s (%s)\n", target_text, mac,
	       interrupts ? "interrupt" : "no interrupt");
	return 0;
}

/* ---- The server ------------------------------------------------------------ */

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static volatile sig_atomic_t dump_wanted;

static void
on_dump(int sig)
{
	(void)sig;
	dump_wanted = 1;
}

/* SIGUSR1: the TCP and UDP tables, as /proc/net shows them, on stderr. */
static void
dump_tables(void)
{
	static char buf[16384];
	static const int kinds[4][2] = {
		{ AF_INET, IPPROTO_TCP }, { AF_INET6, IPPROTO_TCP },
		{ AF_INET, IPPROTO_UDP }, { AF_INET6, IPPROTO_UDP },
	};
	for (int i = 0; i < 4; i++)
		if (nsock_format_proc(kinds[i][0], kinds[i][1], buf, sizeof(buf)) >= 0)
			fputs(buf, stderr);
	fprintf(stderr, "netd: rx %llu tx %llu frames, dropped rx %llu tx %llu; "
		"checksum offload: tx %s, rx %s; spare receive buffers %u of %u\n",
		(unsigned long long)nic.rx_frames, (unsigned long long)nic.tx_frames,
		(unsigned long long)nic.rx_dropped, (unsigned long long)nic.tx_dropped,
		nic.tx_csum ? "on" : "off", nic.rx_csum ? "on" : "off",
		nic.rx_nspare, VNET_RX_BUFS);
	const struct petrel_pcb_index_stats *ix = petrel_pcb_index_stats();
	fprintf(stderr, "netd: pcb index: %lu pcbs, %llu near the front, "
		"%llu hits (%llu moved to the front), %llu misses, %llu walks "
		"of %llu pcbs\n", ix->records, ix->near, ix->hits, ix->moved,
		ix->misses, ix->walks, ix->walk_steps);
}

/* Frames on a loopback queue (netif_poll_all delivers them). */
static bool
loopback_pending(void)
{
	struct netif *n;
	NETIF_FOREACH(n) {
		if (n->loop_first != NULL)
			return true;
	}
	return false;
}

static void
run(pt_handle_t serve)
{
	struct pt_wait_item items[2];
	for (;;) {
		if (serve)
			serve_flush();
		if (stopping)
			return;
		if (dump_wanted) {
			dump_wanted = 0;
			dump_tables();
		}
		/* Nothing wakes an idle netd but a timer that has work. */
		u32_t sleep_ms = LWIP_MIN(sys_timeouts_sleeptime(), ticks_sleep_ms());
		int64_t timeout = (int64_t)sleep_ms * 1000000;
		unsigned n = 0;
		items[n++] = (struct pt_wait_item){ irq_notify, 0, 1ull << IRQ_BIT, 0 };
		if (serve)
			items[n++] = (struct pt_wait_item){ serve, 0, PT_SIG_READABLE, 0 };
		vnet_tx_flush(&nic);
		/* Handing data to the kernel (serve_flush) may have queued
		   a window update on the loopback: no sleep before it goes. */
		bool pending = vnet_wait_prepare(&nic);
		pt_wait(items, n, pending || loopback_pending() ? 0 : timeout);
		vnet_busy(&nic);
		petrel_lwip_clock_update();
		ticks_run();	/* ticks missed while quiet come first */
		if (items[0].got || pending || (serve && items[1].got))
			ticks_activity();
		if (items[0].got || pending)
			vnet_interrupt(&nic);
		link_poll(&nic);
		/* The ACKs out before the copies to callers: the host sends
		   more while netd copies. */
		vnet_tx_flush(&nic);
		netif_poll_all();	/* loopback: 127.0.0.1 and ::1 */
		sys_check_timeouts();
		if (serve && items[1].got)	/* else a receive finds nothing */
			serve_calls();
	}
}

/*
 * The static address when the command line gives none: "netd.address=" on
 * the kernel command line, then an "address" line in NETD_CONFIG. NULL:
 * DHCP. The text is kept in a static buffer.
 */
static const char *
configured_address(void)
{
	static char text[4096];
	static const char *const sources[][2] = {
		{ "/proc/cmdline", "netd.address=" },
		{ NETD_CONFIG, "address " },
	};
	for (unsigned i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
		FILE *f = fopen(sources[i][0], "r");
		if (f == NULL)
			continue;
		size_t n = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
		text[n] = '\0';
		size_t klen = strlen(sources[i][1]);
		for (char *w = strtok(text, i == 0 ? " \t\n" : "\n"); w != NULL;
		     w = strtok(NULL, i == 0 ? " \t\n" : "\n")) {
			while (*w == ' ' || *w == '\t')
				w++;
			if (strncmp(w, sources[i][1], klen) == 0) {
				w += klen;
				w[strcspn(w, " \t")] = '\0';
				return w;
			}
		}
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const char *address = NULL, *probe_target = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--probe") == 0 && i + 1 < argc)
			probe_target = argv[++i];
		else if (strcmp(argv[i], "--address") == 0 && i + 1 < argc)
			address = argv[++i];
		else if (strcmp(argv[i], "-v") == 0)
			netd_verbose = true;
		else {
			fprintf(stderr, "usage: netd [-v] [--address A.B.C.D/N[,GW]] "
					"| netd --probe A.B.C.D\n");
			return 2;
		}
	}
	int dev = handle_from_env("PETREL_DEVICE");
	if (dev <= 0) {
		fprintf(stderr, "netd: no device handle (PETREL_DEVICE): "
				"init starts netd with device=virtio-net\n");
		return 1;
	}
	long n = pt_notify_create();
	if (n < 0) {
		fprintf(stderr, "netd: notify_create: %s\n", strerror((int)-n));
		return 1;
	}
	irq_notify = (pt_handle_t)n;
	int e = vnet_open(&nic, dev, irq_notify, IRQ_BIT);
	if (e < 0) {
		fprintf(stderr, "netd: virtio-net: %s\n", strerror(-e));
		return 1;
	}
	if (probe_target)
		return probe(probe_target);

	mkdir("/run", 0755);
	unlink(NETD_STATUS);
	signal(SIGTERM, on_signal);
	signal(SIGUSR1, on_dump);
	signal(SIGPIPE, SIG_IGN);
	petrel_lwip_clock_update();
	lwip_init();
	ticks_init();
	nsock_init();
	if (address == NULL)
		address = configured_address();
	if (link_setup(&nic, address) < 0)
		return 1;
	pt_handle_t serve = (pt_handle_t)handle_from_env("PETREL_SERVE");
	if (serve > 0)
		serve_init(serve);
	else
		serve = 0;
	run(serve);
	return 0;
}
