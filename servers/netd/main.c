/*
 * netd: Petrel's network server. It owns the virtio-net device that init
 * passes on (PETREL_DEVICE names the handle) and nothing else. This first
 * step brings the device up and can probe the link with ARP
 * (`netd --probe IPV4`); the TCP/IP stack and sockets build on it.
 */
#include "vnet.h"
#include <petrel/native.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define IRQ_BIT 0

static struct vnet nic;
static pt_handle_t irq_notify;

static int64_t
now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int
device_handle(void)
{
	const char *s = getenv("PETREL_DEVICE");
	if (!s || atoi(s) <= 0) {
		fprintf(stderr, "netd: no device handle (PETREL_DEVICE): "
				"init starts netd with device=virtio-net\n");
		return -1;
	}
	return atoi(s);
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

static void
probe_frame(void *ctx, const uint8_t *f, size_t len, unsigned flags)
{
	struct probe *p = ctx;
	(void)flags;
	/* Ethernet type 0x0806, ARP reply (op 2) from the target. */
	if (len < 42 || f[12] != 0x08 || f[13] != 0x06 || f[20] != 0 || f[21] != 2)
		return;
	if (memcmp(f + 28, &p->target, 4) != 0)
		return;
	memcpy(p->mac, f + 22, 6);
	p->answered = true;
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
	vnet_send(&nic, f, sizeof(f), 0, 0);
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
	for (int tries = 0; !p.answered && now_ns() < deadline; tries++) {
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

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	int dev = device_handle();
	if (dev < 0)
		return 1;
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
	char mac[18];
	format_mac(mac, nic.mac);
	printf("netd: virtio-net (%s) up, MAC %s\n",
	       nic.v.bus == PT_BUS_PCI ? "pci" : "mmio", mac);
	if (argc == 3 && strcmp(argv[1], "--probe") == 0)
		return probe(argv[2]);
	fprintf(stderr, "usage: netd [--probe IPV4]\n");
	return 2;
}
