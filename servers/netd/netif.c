/*
 * lwIP's network interface over netd's virtio-net driver: frames go out by
 * copying the pbuf chain into a transmit buffer (TCP checksums completed by
 * the device when it offers that), come in by copying into a pool pbuf. Addresses: DHCP by default, or a static IPv4 address
 * (ADDR/PREFIX[,GATEWAY]); IPv6 link-local and autoconfiguration always.
 * The DHCP-given DNS server is written to /etc/resolv.conf.
 */
#include "netd.h"
#include "vnet.h"
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/igmp.h"
#include "lwip/mld6.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct netif nif;
static bool reported;

/*
 * With the device completing TCP checksums, lwIP leaves them out: a TCP
 * segment in an IPv4 or IPv6 frame gets its pseudo-header's sum in the
 * checksum field and is sent NEEDS_CSUM (*start, *offset). Anything else
 * went out with its checksums whole (0: nothing to do).
 */
static void
tcp_offload(uint8_t *f, size_t len, uint16_t *start, uint16_t *offset)
{
	uint32_t sum;
	size_t ip = 14, tcp, seglen;

	*start = 0;
	if (len < ip + 40)
		return;
	uint16_t type = (uint16_t)(f[12] << 8 | f[13]);
	if (type == 0x0800 && f[ip + 9] == 6) {
		tcp = ip + (size_t)(f[ip] & 0xf) * 4;
		size_t total = (size_t)(f[ip + 2] << 8 | f[ip + 3]);
		if (total < tcp - ip || ip + total > len)
			return;
		seglen = total - (tcp - ip);
		sum = vnet_sum(0, f + ip + 12, 8);
	} else if (type == 0x86dd && f[ip + 6] == 6) {
		tcp = ip + 40;
		seglen = (size_t)(f[ip + 4] << 8 | f[ip + 5]);
		if (tcp + seglen > len)
			return;
		sum = vnet_sum(0, f + ip + 8, 32);
	} else {
		return;
	}
	if (seglen < 20)
		return;
	sum += 6 + (uint32_t)seglen;
	uint16_t c = vnet_sum(sum, NULL, 0);
	f[tcp + 16] = (uint8_t)(c >> 8);
	f[tcp + 17] = (uint8_t)c;
	*start = (uint16_t)tcp;
	*offset = 16;
}

/* A frame goes straight from the pbuf chain into a transmit buffer. */
static err_t
link_output(struct netif *n, struct pbuf *p)
{
	struct vnet *nic = n->state;
	uint16_t start = 0, offset = 0;
	if (p->tot_len > VNET_FRAME_MAX)
		return ERR_IF;
	uint8_t *frame = vnet_tx_frame(nic);
	if (frame == NULL)
		return ERR_MEM;
	pbuf_copy_partial(p, frame, p->tot_len, 0);
	if (nic->tx_csum)
		tcp_offload(frame, p->tot_len, &start, &offset);
	return vnet_tx_send(nic, p->tot_len, start, offset) == 0 ? ERR_OK : ERR_MEM;
}

static void
write_resolv_conf(void)
{
	const ip_addr_t *dns = dns_getserver(0);
	if (!dns || ip_addr_isany(dns))
		return;
	FILE *f = fopen("/etc/resolv.conf", "w");
	if (!f)
		return;
	fprintf(f, "# written by netd from DHCP\nnameserver %s\n", ipaddr_ntoa(dns));
	fclose(f);
}

static void
status_changed(struct netif *n)
{
	if (ip4_addr_isany_val(*netif_ip4_addr(n)) || reported)
		return;
	reported = true;
	char addr[16], gw[16];
	snprintf(addr, sizeof(addr), "%s", ip4addr_ntoa(netif_ip4_addr(n)));
	snprintf(gw, sizeof(gw), "%s", ip4addr_ntoa(netif_ip4_gw(n)));
	int prefix = __builtin_popcount(ip4_addr_get_u32(netif_ip4_netmask(n)));
	char line[96];
	snprintf(line, sizeof(line), "%s/%d gateway %s %s\n", addr, prefix, gw,
		 dhcp_supplied_address(n) ? "dhcp" : "static");
	/* The console stays quiet (one-shot output is the command's alone). */
	if (netd_verbose)
		printf("netd: %s", line);
	/* resolv.conf first: the status file tells waiters all is ready. */
	if (dhcp_supplied_address(n))
		write_resolv_conf();
	FILE *f = fopen(NETD_STATUS_TMP, "w");
	if (f) {
		fputs(line, f);
		fclose(f);
		rename(NETD_STATUS_TMP, NETD_STATUS);
	}
}

static err_t
nif_init(struct netif *n)
{
	struct vnet *nic = n->state;
	n->name[0] = 'e';
	n->name[1] = 'n';
	n->hwaddr_len = 6;
	memcpy(n->hwaddr, nic->mac, 6);
	n->mtu = 1500;
	n->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET |
		   NETIF_FLAG_IGMP | NETIF_FLAG_MLD6;
	n->output = etharp_output;
	n->output_ip6 = ethip6_output;
	n->linkoutput = link_output;
	/* UDP keeps lwIP's checksums: a fragmented datagram's cannot be
	   offloaded (the device sees one fragment at a time). */
	if (nic->tx_csum)
		NETIF_SET_CHECKSUM_CTRL(n, NETIF_CHECKSUM_ENABLE_ALL &
					   ~NETIF_CHECKSUM_GEN_TCP);
	return ERR_OK;
}

/* "10.0.0.5/24" or "10.0.0.5/24,10.0.0.1": 0, or -1 if malformed. */
static int
parse_static(const char *text, ip4_addr_t *addr, ip4_addr_t *mask,
	     ip4_addr_t *gw)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", text);
	char *comma = strchr(buf, ',');
	if (comma)
		*comma++ = '\0';
	char *slash = strchr(buf, '/');
	int prefix = 24;
	if (slash) {
		*slash++ = '\0';
		prefix = atoi(slash);
	}
	if (prefix < 0 || prefix > 32 || !ip4addr_aton(buf, addr))
		return -1;
	ip4_addr_set_u32(mask, prefix ? htonl(~0u << (32 - prefix)) : 0);
	ip4_addr_set_zero(gw);
	if (comma && !ip4addr_aton(comma, gw))
		return -1;
	return 0;
}

int
link_setup(struct vnet *nic, const char *static_addr)
{
	ip4_addr_t addr, mask, gw;
	ip4_addr_set_zero(&addr);
	ip4_addr_set_zero(&mask);
	ip4_addr_set_zero(&gw);
	if (static_addr && parse_static(static_addr, &addr, &mask, &gw) < 0) {
		fprintf(stderr, "netd: bad address '%s' (want A.B.C.D/N[,GW])\n",
			static_addr);
		return -1;
	}
	if (!netif_add(&nif, &addr, &mask, &gw, nic, nif_init, ethernet_input))
		return -1;
	netif_set_default(&nif);
	netif_set_status_callback(&nif, status_changed);
	netif_create_ip6_linklocal_address(&nif, 1);
	nif.ip6_autoconfig_enabled = 1;
	netif_set_up(&nif);
	netif_set_link_up(&nif);
	if (!static_addr)
		return dhcp_start(&nif) == ERR_OK ? 0 : -1;
	status_changed(&nif);
	return 0;
}

static void
deliver(void *ctx, const uint8_t *frame, size_t len, unsigned flags)
{
	(void)ctx;
	(void)flags;
	struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
	if (!p)
		return;	/* out of pool buffers: dropped, TCP resends */
	pbuf_take(p, frame, (u16_t)len);
	if (nif.input(p, &nif) != ERR_OK)
		pbuf_free(p);
}

void
link_poll(struct vnet *nic)
{
	vnet_receive(nic, deliver, NULL);
}
