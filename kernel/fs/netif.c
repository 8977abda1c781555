/*
 * Network interfaces for ifconfig, route and friends: the network
 * server's configuration (PT_SOCK_IFINFO), asked for each time, as the
 * SIOCGIF* ioctls and /proc/net/dev, route and if_inet6 show it on Linux.
 * Setting anything (SIOCSIF*, SIOCADDRT) is refused.
 */
#include <kernel/netif.h>
#include <kernel/sockfile.h>
#include <kernel/ipc.h>
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/kmalloc.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include "procfs_int.h"

#define AF_INET_K 2
#define SIOCADDRT 0x890b
#define SIOCDELRT 0x890c
#define SIOCGIFNAME 0x8910
#define SIOCGIFCONF 0x8912
#define SIOCGIFFLAGS 0x8913
#define SIOCGIFADDR 0x8915
#define SIOCGIFDSTADDR 0x8917
#define SIOCGIFBRDADDR 0x8919
#define SIOCGIFNETMASK 0x891b
#define SIOCGIFMETRIC 0x891d
#define SIOCGIFMEM 0x891f
#define SIOCGIFMTU 0x8921
#define SIOCGIFHWADDR 0x8927
#define SIOCGIFINDEX 0x8933
#define SIOCGIFTXQLEN 0x8942
#define SIOCGIFMAP 0x8970
#define SIOCSIFMAP 0x8971
#define IFF_UP 0x1
#define IFF_BROADCAST 0x2
#define IFF_POINTOPOINT 0x10
#define RTF_UP 0x1
#define RTF_GATEWAY 0x2
#define TXQUEUELEN 1000		/* Linux's default for lo and eth */

/* struct ifreq and struct ifconf as x86_64 Linux lays them out. */
struct sockaddr_in_k {
	uint16_t family;
	uint16_t port;
	uint32_t addr;
	uint8_t zero[8];
};

struct ifreq_k {
	char name[16];
	union {
		struct sockaddr_in_k addr;
		struct {
			uint16_t family;
			uint8_t data[14];
		} hwaddr;
		int16_t flags;
		int32_t ivalue;
		uint8_t map[24];
	};
};
_Static_assert(sizeof(struct ifreq_k) == 40, "struct ifreq");

struct ifconf_k {
	int32_t len;
	int32_t pad;
	uint64_t buf;
};

int
netif_info(struct pt_net_info *info)
{
	memset(info, 0, sizeof(*info));
	struct kobj *chan = sockfile_route(PT_ROUTE_INET);
	if (!chan)
		return 0;
	struct pt_sock_msg msg = { .op = PT_SOCK_IFINFO, .id = ~0ULL };
	struct chan_seg seg = {
		.addr = (uint64_t)info, .len = sizeof(*info),
		.flags = PT_SEG_OUT, .kernel = true,
	};
	long n = sockfile_call(chan, &msg, NULL, &seg, 1);
	/* An old or failed server: no interfaces. Never trust its count. */
	if (n < (long)sizeof(*info))
		memset(info, 0, sizeof(*info));
	info->count = MIN(info->count, PT_IF_MAX);
	for (uint32_t i = 0; i < info->count; i++) {
		struct pt_if_info *f = &info->ifs[i];
		f->name[PT_IF_NAME_MAX - 1] = 0;
		f->naddr6 = MIN(f->naddr6, PT_IF_ADDR6_MAX);
		f->hwaddr_len = MIN(f->hwaddr_len, sizeof(f->hwaddr));
	}
	return 0;
}

const struct pt_if_info *
netif_find(const struct pt_net_info *info, const char *name, uint32_t index)
{
	for (uint32_t i = 0; i < info->count; i++) {
		const struct pt_if_info *f = &info->ifs[i];
		if (name ? strcmp(f->name, name) == 0 : f->index == index)
			return f;
	}
	return NULL;
}

bool
netif_ioctl_cmd(unsigned long cmd)
{
	return cmd >= SIOCADDRT && cmd <= SIOCSIFMAP;
}

static void
set_addr(struct ifreq_k *r, uint32_t addr)
{
	memset(&r->addr, 0, sizeof(r->addr));
	r->addr.family = AF_INET_K;
	r->addr.addr = addr;
}

/* SIOCGIFCONF: an ifreq with the IPv4 address of each interface that
 * has one; with no buffer, the length all of them need. */
static long
get_conf(const struct pt_net_info *info, uint64_t arg)
{
	struct ifconf_k c;
	if (copyin(&c, arg, sizeof(c)) < 0)
		return -EFAULT;
	int32_t used = 0;
	for (uint32_t i = 0; i < info->count; i++) {
		const struct pt_if_info *f = &info->ifs[i];
		if (!f->addr4)
			continue;
		if (c.buf) {
			if (c.len - used < (int32_t)sizeof(struct ifreq_k))
				break;
			struct ifreq_k r = { 0 };
			memcpy(r.name, f->name, sizeof(r.name));
			set_addr(&r, f->addr4);
			if (copyout(c.buf + (uint64_t)used, &r, sizeof(r)) < 0)
				return -EFAULT;
		}
		used += (int32_t)sizeof(struct ifreq_k);
	}
	c.len = used;
	return copyout(arg, &c, sizeof(c));
}

/* Fills r's answer to cmd about interface f; 0 or -errno. */
static long
get_one(unsigned long cmd, const struct pt_if_info *f, struct ifreq_k *r)
{
	uint32_t bcast = f->addr4 | ~f->netmask4;
	switch (cmd) {
	case SIOCGIFNAME:
		memcpy(r->name, f->name, sizeof(r->name));
		return 0;
	case SIOCGIFFLAGS:
		r->flags = (int16_t)f->flags;
		return 0;
	case SIOCGIFADDR:
	case SIOCGIFNETMASK:
	case SIOCGIFBRDADDR:
	case SIOCGIFDSTADDR:
		if (!f->addr4)
			return -EADDRNOTAVAIL;
		if (cmd == SIOCGIFDSTADDR && !(f->flags & IFF_POINTOPOINT))
			return -EADDRNOTAVAIL;
		set_addr(r, cmd == SIOCGIFADDR ? f->addr4 :
			    cmd == SIOCGIFNETMASK ? f->netmask4 :
			    (f->flags & IFF_BROADCAST) ? bcast : 0);
		return 0;
	case SIOCGIFHWADDR:
		memset(&r->hwaddr, 0, sizeof(r->hwaddr));
		r->hwaddr.family = f->type;
		memcpy(r->hwaddr.data, f->hwaddr, f->hwaddr_len);
		return 0;
	case SIOCGIFMTU:
		r->ivalue = (int32_t)f->mtu;
		return 0;
	case SIOCGIFINDEX:
		r->ivalue = (int32_t)f->index;
		return 0;
	case SIOCGIFMETRIC:
	case SIOCGIFMEM:
		r->ivalue = 0;
		return 0;
	case SIOCGIFTXQLEN:
		r->ivalue = TXQUEUELEN;
		return 0;
	case SIOCGIFMAP:
		memset(r->map, 0, sizeof(r->map));
		return 0;
	}
	return -ENOTTY;
}

/* The ioctls that change things: only root may try, and nothing can be
 * changed (the server's configuration is its own). */
static bool
is_set_cmd(unsigned long cmd)
{
	static const uint16_t set[] = {
		SIOCADDRT, SIOCDELRT, 0x8914, 0x8916, 0x8918, 0x891a, 0x891c,
		0x891e, 0x8920, 0x8922, 0x8923, 0x8924, 0x8926, 0x8930, 0x8931,
		0x8932, 0x8934, 0x8936, 0x8937, 0x8941, 0x8943, SIOCSIFMAP,
	};
	for (size_t i = 0; i < ARRAY_SIZE(set); i++)
		if (cmd == set[i])
			return true;
	return false;
}

long
netif_ioctl(unsigned long cmd, uint64_t arg)
{
	/* Linux reads the ifreq first (EFAULT), a route's after EPERM. */
	struct ifreq_k r;
	if (is_set_cmd(cmd) && cmd != SIOCADDRT && cmd != SIOCDELRT &&
	    copyin(&r, arg, sizeof(r)) < 0)
		return -EFAULT;
	if (is_set_cmd(cmd))
		return !capable(CAP_NET_ADMIN) ? -EPERM : -EOPNOTSUPP;
	struct pt_net_info *info = kmalloc(sizeof(*info));
	if (!info)
		return -ENOMEM;
	long e = netif_info(info);
	if (e == 0 && cmd == SIOCGIFCONF) {
		e = get_conf(info, arg);
	} else if (e == 0 && copyin(&r, arg, sizeof(r)) < 0) {
		e = -EFAULT;
	} else if (e == 0) {
		r.name[sizeof(r.name) - 1] = 0;
		const struct pt_if_info *f = cmd == SIOCGIFNAME ?
			netif_find(info, NULL, (uint32_t)r.ivalue) :
			netif_find(info, r.name, 0);
		e = f ? get_one(cmd, f, &r) : -ENODEV;
		if (e == 0 && copyout(arg, &r, sizeof(r)) < 0)
			e = -EFAULT;
	}
	kfree(info);
	return e;
}

/* The server's configuration for a /proc/net file, or NULL. */
static struct pt_net_info *
info_for_proc(void)
{
	struct pt_net_info *info = kmalloc(sizeof(*info));
	if (info && netif_info(info) < 0) {
		kfree(info);
		return NULL;
	}
	return info;
}

void
procfs_net_dev(struct gen *g)
{
	gprintf(g, "Inter-|   Receive                                                |"
		"  Transmit\n face |bytes    packets errs drop fifo frame "
		"compressed multicast|bytes    packets errs drop fifo colls "
		"carrier compressed\n");
	struct pt_net_info *info = info_for_proc();
	for (uint32_t i = 0; info && i < info->count; i++) {
		const struct pt_if_info *f = &info->ifs[i];
		gprintf(g, "%6s: %7lu %7lu %4lu %4lu %4u %5u %10u %9u "
			"%8lu %7lu %4lu %4lu %4u %5u %7u %10u\n", f->name,
			f->rx_bytes, f->rx_packets, f->rx_errors, f->rx_dropped,
			0, 0, 0, 0, f->tx_bytes, f->tx_packets, f->tx_errors,
			f->tx_dropped, 0, 0, 0, 0);
	}
	kfree(info);
}

/* One line of /proc/net/route, padded to 127 columns as Linux's. */
static void
route_line(struct gen *g, const char *name, uint32_t dest, uint32_t gw,
	   unsigned flags, uint32_t mask)
{
	size_t start = g->len;
	gprintf(g, "%s\t%08X\t%08X\t%04X\t%d\t%u\t%d\t%08X\t%d\t%u\t%u", name,
		dest, gw, flags, 0, 0, 0, mask, 0, 0, 0);
	size_t used = g->len - start;
	gprintf(g, "%*s\n", used < 127 ? (int)(127 - used) : 0, "");
}

void
procfs_net_route(struct gen *g)
{
	gprintf(g, "%-127s\n", "Iface\tDestination\tGateway \tFlags\tRefCnt\t"
		"Use\tMetric\tMask\t\tMTU\tWindow\tIRTT");
	struct pt_net_info *info = info_for_proc();
	if (!info)
		return;
	const struct pt_if_info *def = info->default_index ?
		netif_find(info, NULL, info->default_index) : NULL;
	if (def && def->gateway4 && def->addr4)
		route_line(g, def->name, 0, def->gateway4, RTF_UP | RTF_GATEWAY, 0);
	for (uint32_t i = 0; i < info->count; i++) {
		const struct pt_if_info *f = &info->ifs[i];
		if (f->addr4 && f->netmask4 && (f->flags & IFF_UP) &&
		    f->type != 772)	/* lo's are in the local table */
			route_line(g, f->name, f->addr4 & f->netmask4, 0,
				   RTF_UP, f->netmask4);
	}
	kfree(info);
}

/* Linux's IPv6 address scopes for if_inet6 (IPV6_ADDR_SCOPE_*). */
static unsigned
scope6(uint8_t rt_scope)
{
	return rt_scope == 254 ? 0x10 : rt_scope == 253 ? 0x20 : 0;
}

void
procfs_net_if_inet6(struct gen *g)
{
	struct pt_net_info *info = info_for_proc();
	for (uint32_t i = 0; info && i < info->count; i++) {
		const struct pt_if_info *f = &info->ifs[i];
		for (unsigned k = 0; k < f->naddr6; k++) {
			const struct pt_if_addr6 *a = &f->addr6[k];
			for (int b = 0; b < 16; b++)
				gprintf(g, "%02x", a->addr[b]);
			gprintf(g, " %02x %02x %02x %02x %8s\n", f->index,
				a->prefix_len, scope6(a->scope), a->flags, f->name);
		}
	}
	kfree(info);
}
