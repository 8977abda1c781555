/*
 * /proc/net's socket tables (tcp, tcp6, udp, udp6): the network
 * server's text, asked for at each open.
 */
#include <kernel/ipc.h>
#include <kernel/kmalloc.h>
#include <kernel/sockfile.h>
#include <kernel/string.h>
#include "procfs_int.h"

#define AF_INET_K 2
#define AF_INET6_K 10
#define IPPROTO_TCP_K 6
#define IPPROTO_UDP_K 17
#define NET_TABLE_MAX (1 << 20)	/* bytes of a socket table we take */

/*
 * A socket table in Linux's layout, written by the network server
 * (PT_SOCK_PROC). No server: an empty file. The server's length is not
 * trusted: the text is whatever it wrote, at most what we asked for.
 */
static void
gen_table(struct gen *g, int family, int proto)
{
	struct kobj *chan = sockfile_route(PT_ROUTE_INET);
	size_t cap = 16384;
	/* Twice at most: again only if the first buffer was too small. */
	for (int tries = 0; chan && tries < 2; tries++) {
		struct pt_sock_msg msg = {
			.op = PT_SOCK_PROC, .id = ~0ULL,
			.arg = { family, proto },
		};
		char *buf = kmalloc(cap);
		if (!buf)
			return;
		struct chan_seg seg = {
			.addr = (uint64_t)buf, .len = cap, .flags = PT_SEG_OUT,
			.kernel = true,
		};
		long n = sockfile_call(chan, &msg, NULL, &seg, 1);
		bool last = n <= (long)cap || cap == NET_TABLE_MAX || tries == 1;
		if (last && n > 0)
			gprintf(g, "%.*s", (int)MIN((size_t)n, cap), buf);
		kfree(buf);
		if (last)
			return;
		cap = MIN((size_t)n, (size_t)NET_TABLE_MAX);
	}
}

void
gen_net(struct gen *g, enum pkind kind)
{
	int v6 = kind == P_NET_TCP6 || kind == P_NET_UDP6;
	int tcp = kind == P_NET_TCP || kind == P_NET_TCP6;
	gen_table(g, v6 ? AF_INET6_K : AF_INET_K,
		  tcp ? IPPROTO_TCP_K : IPPROTO_UDP_K);
}
