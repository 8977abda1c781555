/*
 * The text of /proc/net/tcp, tcp6, udp and udp6 in Linux's exact layout,
 * built from lwIP's pcb lists so that connections lwIP still finishes
 * alone (FIN-WAIT, TIME-WAIT) are listed too. BusyBox netstat reads it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "sock_int.h"

/* Linux pads each IPv4 line to these widths (seq_setwidth). */
#define TCP4_WIDTH	149
#define UDP4_WIDTH	127
/* What %pK prints when kernel pointers are hidden. */
#define NULL_POINTER	"0000000000000000"
#define USER_HZ		100	/* clock_t ticks per second */

struct out {
	char *buf;
	size_t len;
	size_t pos;	/* length of the full text so far */
	size_t line;	/* where the current line started */
};

static void
out_printf(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	size_t room = o->pos < o->len ? o->len - o->pos : 0;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room > 0 ? o->buf + o->pos : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->pos += (size_t)n;
}

/* Ends a line: IPv4 files pad it with spaces to width, IPv6 ones not. */
static void
out_end_line(struct out *o, int width)
{
	int used = (int)(o->pos - o->line);

	if (width > used)
		out_printf(o, "%*s", width - used, "");
	out_printf(o, "\n");
	o->line = o->pos;
}

/* Prints an address as Linux does: the raw 32-bit words in hex, so
   127.0.0.1 reads 0100007F on a little-endian machine. */
static void
out_addr(struct out *o, int family, const ip_addr_t *ip, u16_t port)
{
	u32_t w[4] = { 0, 0, 0, 0 };

	if (family == AF_INET) {
		if (IP_IS_V4_VAL(*ip))
			w[0] = ip4_addr_get_u32(ip_2_ip4(ip));
		out_printf(o, "%08X:%04X", w[0], port);
		return;
	}
	if (IP_IS_V6_VAL(*ip)) {
		memcpy(w, ip_2_ip6(ip)->addr, sizeof(w));
	} else if (IP_IS_V4_VAL(*ip)) {
		w[2] = PP_HTONL(0x0000ffffUL);
		w[3] = ip4_addr_get_u32(ip_2_ip4(ip));
	}
	out_printf(o, "%08X%08X%08X%08X:%04X", w[0], w[1], w[2], w[3], port);
}

/* Linux's TCP state numbers (include/net/tcp_states.h). */
static int
linux_tcp_state(enum tcp_state st)
{
	static const int map[] = {
		[CLOSED] = 7, [LISTEN] = 10, [SYN_SENT] = 2,
		[SYN_RCVD] = 3, [ESTABLISHED] = 1, [FIN_WAIT_1] = 4,
		[FIN_WAIT_2] = 5, [CLOSE_WAIT] = 8, [CLOSING] = 11,
		[LAST_ACK] = 9, [TIME_WAIT] = 6,
	};

	return (unsigned)st < LWIP_ARRAYSIZE(map) ? map[st] : 7;
}

/* Which file lists a pcb: its socket's family (a SYN-RCVD pcb goes
   with its listener), else its address type. */
static int
tcp_family(const struct tcp_pcb *pcb)
{
	const struct nsock *s = nsock_tcp_owner(pcb);

	if (s == NULL && pcb->state == SYN_RCVD && pcb->listener != NULL)
		s = nsock_tcp_owner((const struct tcp_pcb *)pcb->listener);
	if (s != NULL)
		return s->family;
	return IP_IS_V4_VAL(pcb->local_ip) ? AF_INET : AF_INET6;
}

/* A TIME-WAIT line: Linux prints timer 3 with the time left, and
   stops after the pointer. */
static void
tcp_tw_line(struct out *o, int family, int sl, const struct tcp_pcb *pcb)
{
	u32_t waited = (tcp_ticks - pcb->tmr) * TCP_SLOW_INTERVAL;
	u32_t left = waited < 2 * TCP_MSL ? 2 * TCP_MSL - waited : 0;

	out_printf(o, "%4d: ", sl);
	out_addr(o, family, &pcb->local_ip, pcb->local_port);
	out_printf(o, " ");
	out_addr(o, family, &pcb->remote_ip, pcb->remote_port);
	out_printf(o, " %02X %08X:%08X %02X:%08X %08X %5d %8d %d %d %s",
	    linux_tcp_state(TIME_WAIT), 0, 0, 3, left * USER_HZ / 1000, 0,
	    0, 0, 0, 1, NULL_POINTER);
}

static void
tcp_line(struct out *o, int family, int sl, const struct tcp_pcb *pcb)
{
	const struct nsock *s = nsock_tcp_owner(pcb);
	bool listen = pcb->state == LISTEN;
	unsigned txq = 0, rxq = 0;

	out_printf(o, "%4d: ", sl);
	out_addr(o, family, &pcb->local_ip, pcb->local_port);
	out_printf(o, " ");
	if (listen)
		out_addr(o, family, IP_IS_V4_VAL(pcb->local_ip) ?
		    IP4_ADDR_ANY : IP6_ADDR_ANY, 0);
	else
		out_addr(o, family, &pcb->remote_ip, pcb->remote_port);
	if (listen && s != NULL) {
		rxq = (unsigned)s->accept_count;
	} else if (!listen) {
		txq = TCP_SND_BUF - pcb->snd_buf;
		rxq = s != NULL ? (unsigned)s->rx_bytes : 0;
	}
	out_printf(o, " %02X %08X:%08X 00:00000000 %08X %5u %8d %lu %d %s",
	    linux_tcp_state(pcb->state), txq, rxq,
	    listen ? 0 : pcb->nrtx, 0, 0, 0UL, 1, NULL_POINTER);
	if (listen) {
		out_printf(o, " %d %d %d %d %d", USER_HZ, 0, 0, 10, 0);
		return;
	}
	/* rto in clock ticks, cwnd and ssthresh in segments (-1 while in
	   slow start), as Linux prints them. */
	out_printf(o, " %d %d %d %u %d",
	    pcb->rto * TCP_SLOW_INTERVAL * USER_HZ / 1000, 0, 0,
	    (unsigned)(pcb->cwnd / (pcb->mss ? pcb->mss : 1)),
	    pcb->cwnd < pcb->ssthresh ? -1 :
	    (int)(pcb->ssthresh / (pcb->mss ? pcb->mss : 1)));
}

static const char tcp4_header[] = "  sl  local_address rem_address   st "
    "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
static const char tcp6_header[] = "  sl  local_address                  "
    "       remote_address                        st tx_queue rx_queue tr "
    "tm->when retrnsmt   uid  timeout inode";

static void
format_tcp(struct out *o, int family)
{
	/* Listeners first, then connections, as Linux walks its tables. */
	struct tcp_pcb *lists[] = {
		tcp_listen_pcbs.pcbs, tcp_active_pcbs, tcp_tw_pcbs,
	};
	int sl = 0;

	out_printf(o, "%s", family == AF_INET ? tcp4_header : tcp6_header);
	out_end_line(o, family == AF_INET ? TCP4_WIDTH : 0);
	for (size_t i = 0; i < LWIP_ARRAYSIZE(lists); i++) {
		for (struct tcp_pcb *pcb = lists[i]; pcb; pcb = pcb->next) {
			if (tcp_family(pcb) != family)
				continue;
			if (pcb->state == TIME_WAIT)
				tcp_tw_line(o, family, sl++, pcb);
			else
				tcp_line(o, family, sl++, pcb);
			out_end_line(o, family == AF_INET ? TCP4_WIDTH : 0);
		}
	}
}

static const char udp4_header[] = "   sl  local_address rem_address   st "
    "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref "
    "pointer drops";
static const char udp6_header[] = "  sl  local_address                  "
    "       remote_address                        st tx_queue rx_queue tr "
    "tm->when retrnsmt   uid  timeout inode ref pointer drops";

static void
udp_line(struct out *o, int family, int sl, const struct udp_pcb *pcb,
    const struct nsock *s)
{
	bool connected = (pcb->flags & UDP_FLAGS_CONNECTED) != 0;

	out_printf(o, "%5d: ", sl);
	out_addr(o, family, &pcb->local_ip, pcb->local_port);
	out_printf(o, " ");
	out_addr(o, family, &pcb->remote_ip, pcb->remote_port);
	/* Linux's UDP states: TCP_ESTABLISHED when connected, else CLOSE. */
	out_printf(o, " %02X %08X:%08X 00:00000000 %08X %5u %8d %lu %d %s %u",
	    connected ? 1 : 7, 0u,
	    s != NULL ? (unsigned)s->dgram_bytes : 0u, 0, 0, 0, 0UL, 2,
	    NULL_POINTER, s != NULL ? s->drops : 0u);
}

static void
format_udp(struct out *o, int family)
{
	int sl = 0;

	out_printf(o, "%s", family == AF_INET ? udp4_header : udp6_header);
	out_end_line(o, family == AF_INET ? UDP4_WIDTH : 0);
	for (struct udp_pcb *pcb = udp_pcbs; pcb != NULL; pcb = pcb->next) {
		/* lwIP's own pcbs (DHCP, DNS) have no socket. */
		const struct nsock *s = nsock_udp_owner(pcb);
		int f = IP_IS_V4_VAL(pcb->local_ip) ? AF_INET : AF_INET6;

		if (s != NULL)
			f = s->family;
		if (f != family)
			continue;
		udp_line(o, family, sl++, pcb, s);
		out_end_line(o, family == AF_INET ? UDP4_WIDTH : 0);
	}
}

int
nsock_format_proc(int family, int proto, char *buf, size_t len)
{
	struct out o = { buf, len, 0, 0 };

	if ((family != AF_INET && family != AF_INET6) ||
	    (proto != IPPROTO_TCP && proto != IPPROTO_UDP))
		return -EINVAL;
	if (buf != NULL && len > 0)
		buf[0] = '\0';
	if (proto == IPPROTO_TCP)
		format_tcp(&o, family);
	else
		format_udp(&o, family);
	return (int)o.pos;
}
