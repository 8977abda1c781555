/*
 * lwIP's network interface over netd's virtio-net driver: frames go out by
 * copying the pbuf chain into a transmit buffer (TCP checksums completed by
 * the device when it offers that), come in as pbufs over the driver's
 * buffers (or copies, when it has no spare buffers), consecutive TCP
 * segments merged into one. Addresses: DHCP by default, or
 * a static IPv4 address (ADDR/PREFIX[,GATEWAY]); IPv6 link-local and
 * autoconfiguration always.
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
#include "petrel_lwip_hooks.h"
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
	/* etharp_output, less what a SYN flood would cost (syn_queue.c). */
	n->output = petrel_lwip_etharp_output;
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
	dad_setup(&nif);
	netif_create_ip6_linklocal_address(&nif, 1);
	nif.ip6_autoconfig_enabled = 1;
	netif_set_up(&nif);
	netif_set_link_up(&nif);
	if (!static_addr)
		return dhcp_start(&nif) == ERR_OK ? 0 : -1;
	status_changed(&nif);
	return 0;
}

/* ---- Receiving: frames in, consecutive TCP segments merged -------------- */

/*
 * As Linux's GRO: the consecutive segments of one IPv4 TCP connection in a
 * batch of received frames go to lwIP as one segment, so that lwIP's input
 * path runs, and acknowledges, once per batch rather than once per 1460
 * bytes: guest instructions per received MB 2.83 M -> 1.79 M, and a tenth
 * of the ACKs for the host to handle. Each segment's checksums are checked
 * here before it joins (lwIP then skips TCP's), so a bad one is never
 * hidden inside a good merged packet.
 */
#define ETH_HLEN	14
#define IP4_HLEN	20
#define TCP_HLEN_MIN	20
#define SEG_HLEN	(ETH_HLEN + IP4_HLEN + TCP_HLEN_MIN)
#define TCP_FLAG_PSH	0x08
#define TCP_FLAG_ACK	0x10
/* A merged packet's IPv4 length is 16 bits, and so is the pbuf's tot_len
   that also holds the Ethernet header. */
#define MERGE_MAX	(0xffff - ETH_HLEN)

static struct {
	struct pbuf *head, *tail;	/* the merged packet so far, or NULL */
	size_t ip_len;			/* its IPv4 total length */
	u32_t next_seq;			/* the sequence number that continues it */
	bool psh;			/* its last segment pushes */
} merge;

static inline u16_t
get16(const u8_t *p)
{
	return (u16_t)(p[0] << 8 | p[1]);
}

static inline u32_t
get32(const u8_t *p)
{
	return (u32_t)p[0] << 24 | (u32_t)p[1] << 16 | (u32_t)p[2] << 8 | p[3];
}

static u16_t
sum_fold(u32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (u16_t)sum;
}

/* Whether an IPv4 header's and its TCP segment's checksums hold. */
static bool
tcp4_sums_ok(const u8_t *ip, size_t ip_len)
{
	u16_t tcp_len = (u16_t)(ip_len - IP4_HLEN);
	u32_t sum = LWIP_CHKSUM(ip + 12, 8) + lwip_htons(IP_PROTO_TCP) +
		    lwip_htons(tcp_len) + LWIP_CHKSUM(ip + IP4_HLEN, tcp_len);
	return sum_fold(LWIP_CHKSUM(ip, IP4_HLEN)) == 0xffff &&
	       sum_fold(sum) == 0xffff;
}

/*
 * The payload length of a frame that may be merged: IPv4 without options
 * or fragmentation, TCP without options, data, flags ACK (and PSH), sums
 * good (or vouched for by the device: flags). 0 for any other frame.
 */
static size_t
mergeable(const u8_t *f, size_t len, unsigned flags)
{
	if (len < SEG_HLEN || get16(f + 12) != ETHTYPE_IP || f[14] != 0x45 ||
	    f[23] != IP_PROTO_TCP || (get16(f + 20) & 0x3fff) != 0)
		return 0;
	size_t ip_len = get16(f + 16);
	const u8_t *tcp = f + ETH_HLEN + IP4_HLEN;
	if (ip_len <= IP4_HLEN + TCP_HLEN_MIN || ETH_HLEN + ip_len > len ||
	    tcp[12] != (TCP_HLEN_MIN / 4) << 4 ||
	    (tcp[13] & ~TCP_FLAG_PSH) != TCP_FLAG_ACK)
		return 0;
	if (!(flags & VNET_RX_CSUM_OK) && !tcp4_sums_ok(f + ETH_HLEN, ip_len))
		return 0;
	return ip_len - IP4_HLEN - TCP_HLEN_MIN;
}

/* Whether frame f continues the merged segment: the same link and IP
   addresses, TOS and ports, the next sequence number, the same ACK,
   flags and window. */
static bool
merge_continues(const u8_t *f)
{
	const u8_t *h = merge.head->payload;

	return memcmp(f, h, 12) == 0 && f[15] == h[15] &&
	       memcmp(f + 26, h + 26, 12) == 0 &&
	       get32(f + 38) == merge.next_seq &&
	       memcmp(f + 42, h + 42, 5) == 0 &&
	       (f[47] & ~TCP_FLAG_PSH) == h[47] &&
	       memcmp(f + 48, h + 48, 2) == 0;
}

/* Hands a frame to lwIP; tcp_checked: netd checked its TCP checksum. */
static void
link_input(struct pbuf *p, bool tcp_checked)
{
	u16_t checks = nif.chksum_flags;

	if (tcp_checked)
		nif.chksum_flags = checks & ~NETIF_CHECKSUM_CHECK_TCP;
	if (nif.input(p, &nif) != ERR_OK)
		pbuf_free(p);
	nif.chksum_flags = checks;
}

/* Hands the merged segment to lwIP, its headers saying what it holds. */
static void
merge_flush(void)
{
	struct pbuf *p = merge.head;

	if (p == NULL)
		return;
	merge.head = NULL;
	u8_t *ip = (u8_t *)p->payload + ETH_HLEN;
	if (p->next != NULL) {
		size_t left = ETH_HLEN + merge.ip_len;
		for (struct pbuf *q = p; q != NULL; q = q->next) {
			q->tot_len = (u16_t)left;
			left -= q->len;
		}
		ip[2] = (u8_t)(merge.ip_len >> 8);
		ip[3] = (u8_t)merge.ip_len;
		ip[10] = ip[11] = 0;
		u16_t sum = (u16_t)~LWIP_CHKSUM(ip, IP4_HLEN);
		memcpy(ip + 10, &sum, 2);
		if (merge.psh)
			ip[IP4_HLEN + 13] |= TCP_FLAG_PSH;
	}
	link_input(p, true);
}

/* Adds a checked segment (frame f, copied into p) to the merge. */
static void
merge_add(struct pbuf *p, const u8_t *f, size_t payload)
{
	size_t ip_len = IP4_HLEN + TCP_HLEN_MIN + payload;

	pbuf_realloc(p, (u16_t)(ETH_HLEN + ip_len));	/* Ethernet padding */
	if (merge.head != NULL && (!merge_continues(f) ||
	    merge.ip_len + payload > MERGE_MAX))
		merge_flush();
	if (merge.head == NULL) {
		merge.head = merge.tail = p;
		merge.ip_len = ip_len;
	} else {
		pbuf_remove_header(p, SEG_HLEN);
		merge.tail->next = p;
		merge.tail = p;
		merge.ip_len += payload;
	}
	merge.next_seq = get32(f + 38) + (u32_t)payload;
	merge.psh = f[47] & TCP_FLAG_PSH;
	if (merge.psh)
		merge_flush();	/* the sender's write ends here: no waiting */
}

/* A received frame lent to lwIP in the driver's buffer, given back to
   the driver when lwIP frees its pbuf. */
static struct rx_lent {
	struct pbuf_custom pc;	/* first: lwIP frees &pc.pbuf */
	unsigned buf;
} rx_lent[VNET_RX_BUFS];

static void
rx_lent_free(struct pbuf *p)
{
	struct rx_lent *l = (struct rx_lent *)(void *)p;

	vnet_rx_return(nif.state, l->buf);
}

/*
 * A pbuf for a received frame: over the driver's buffer buf if it lends
 * it (buf < VNET_RX_BUFS: no copy), else a copy in a pool pbuf. NULL when
 * the pool is empty.
 */
static struct pbuf *
rx_pbuf(uint8_t *frame, size_t len, unsigned buf)
{
	if (buf < VNET_RX_BUFS) {
		struct rx_lent *l = &rx_lent[buf];
		l->pc.custom_free_function = rx_lent_free;
		l->buf = buf;
		return pbuf_alloced_custom(PBUF_RAW, (u16_t)len, PBUF_REF,
					   &l->pc, frame, (u16_t)len);
	}
	struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
	if (p != NULL)
		pbuf_take(p, frame, (u16_t)len);
	return p;
}

/* Returns true when it keeps the driver's buffer (vnet_receive). */
static bool
deliver(void *ctx, uint8_t *frame, size_t len, unsigned flags, unsigned buf)
{
	(void)ctx;
	size_t payload = mergeable(frame, len, flags);
	struct pbuf *p = rx_pbuf(frame, len, buf);
	if (!p)
		return false;	/* out of pool buffers: dropped, TCP resends */
	if (payload != 0 && p->next == NULL) {
		merge_add(p, frame, payload);
	} else {
		merge_flush();	/* what came before goes first */
		link_input(p, false);
	}
	return buf < VNET_RX_BUFS;
}

void
link_poll(struct vnet *nic)
{
	vnet_receive(nic, deliver, NULL);
	merge_flush();
}
