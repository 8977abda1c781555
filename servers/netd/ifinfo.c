/*
 * The configuration the kernel shows to ifconfig, route and ip
 * (PT_SOCK_IFINFO, include/petrel/sock.h): lwIP's interfaces under
 * Linux's names (lo, eth0), their flags, addresses and counters.
 */
#include "netd.h"
#include "vnet.h"
#include "lwip/dhcp.h"
#include "lwip/netif.h"
#include <petrel/sock.h>
#include <stdio.h>
#include <string.h>

/* Linux's numbers (<linux/if.h>, <linux/if_arp.h>, <linux/if_addr.h>). */
#define IFF_UP 0x1
#define IFF_BROADCAST 0x2
#define IFF_LOOPBACK 0x8
#define IFF_RUNNING 0x40
#define IFF_MULTICAST 0x1000
#define ARPHRD_ETHER 1
#define ARPHRD_LOOPBACK 772
#define RT_SCOPE_UNIVERSE 0
#define RT_SCOPE_LINK 253
#define RT_SCOPE_HOST 254
#define IFA_F_TENTATIVE 0x40
#define IFA_F_PERMANENT 0x80
#define LOOPBACK_MTU 65536	/* Linux's lo */

static bool
is_loopback(const struct netif *n)
{
	return n->name[0] == 'l' && n->name[1] == 'o';
}

static void
fill_addr6(struct pt_if_info *i, struct netif *n)
{
	for (int k = 0; k < LWIP_IPV6_NUM_ADDRESSES && i->naddr6 < PT_IF_ADDR6_MAX; k++) {
		u8_t state = netif_ip6_addr_state(n, k);
		if (!ip6_addr_isvalid(state) && !ip6_addr_istentative(state))
			continue;
		const ip6_addr_t *a = netif_ip6_addr(n, k);
		struct pt_if_addr6 *o = &i->addr6[i->naddr6++];
		memcpy(o->addr, a->addr, 16);
		o->prefix_len = ip6_addr_isloopback(a) ? 128 : 64;
		o->scope = ip6_addr_isloopback(a) ? RT_SCOPE_HOST :
			   ip6_addr_islinklocal(a) ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
		o->flags = IFA_F_PERMANENT |
			   (ip6_addr_istentative(state) ? IFA_F_TENTATIVE : 0);
	}
}

static void
fill_counters(struct pt_if_info *i, struct netif *n)
{
	struct vnet *nic = n->state;
	if (is_loopback(n) || nic == NULL)
		return;	/* lwIP keeps no loopback counts without its stats */
	i->rx_bytes = nic->rx_bytes;
	i->rx_packets = nic->rx_frames;
	i->rx_dropped = nic->rx_dropped;
	i->tx_bytes = nic->tx_bytes;
	i->tx_packets = nic->tx_frames;
	i->tx_dropped = nic->tx_dropped;
}

static void
fill_if(struct pt_if_info *i, struct netif *n, int *ethernets)
{
	memset(i, 0, sizeof(*i));
	i->index = netif_get_index(n);
	if (is_loopback(n)) {
		strcpy(i->name, "lo");
		i->flags = IFF_LOOPBACK;
		i->type = ARPHRD_LOOPBACK;
		i->mtu = LOOPBACK_MTU;
		i->hwaddr_len = 6;	/* all zero, as Linux's */
	} else {
		snprintf(i->name, sizeof(i->name), "eth%d", (*ethernets)++);
		i->flags = IFF_BROADCAST | IFF_MULTICAST;
		i->type = ARPHRD_ETHER;
		i->mtu = n->mtu;
		i->hwaddr_len = n->hwaddr_len;
		memcpy(i->hwaddr, n->hwaddr, n->hwaddr_len);
	}
	if (netif_is_up(n))
		i->flags |= IFF_UP;
	if (netif_is_up(n) && netif_is_link_up(n))
		i->flags |= IFF_RUNNING;
	i->addr4 = ip4_addr_get_u32(netif_ip4_addr(n));
	i->netmask4 = ip4_addr_get_u32(netif_ip4_netmask(n));
	i->gateway4 = ip4_addr_get_u32(netif_ip4_gw(n));
	i->dhcp = !is_loopback(n) && dhcp_supplied_address(n);
	fill_addr6(i, n);
	fill_counters(i, n);
}

/* By index, as Linux lists them (lwIP's list is newest first). */
static void
sort_by_index(struct pt_net_info *info)
{
	for (uint32_t i = 1; i < info->count; i++) {
		for (uint32_t k = i; k > 0; k--) {
			struct pt_if_info *a = &info->ifs[k - 1], *b = &info->ifs[k];
			if (a->index < b->index)
				break;
			struct pt_if_info t = *a;
			*a = *b;
			*b = t;
		}
	}
}

void
netd_ifinfo(struct pt_net_info *info)
{
	struct netif *n;
	int ethernets = 0;
	memset(info, 0, sizeof(*info));
	NETIF_FOREACH(n) {
		if (info->count == PT_IF_MAX)
			break;
		fill_if(&info->ifs[info->count++], n, &ethernets);
	}
	sort_by_index(info);
	if (netif_default != NULL && netif_is_up(netif_default))
		info->default_index = netif_get_index(netif_default);
}
