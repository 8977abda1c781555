/*
 * lwIP's cyclic timers (ARP, IP reassembly, DHCP, IGMP, DNS, IPv6 ND, MLD,
 * IPv6 reassembly), run by netd instead of by lwIP's timeout list, so an
 * idle netd sleeps instead of waking ten times a second (issue 13 §4).
 *
 * DHCP's, IGMP's and MLD's timers run when their state says they act (a
 * request to send again, a lease to renew, a report to send). ARP, IP
 * reassembly, DNS and IPv6 neighbour discovery run at their own periods
 * while the stack is busy (traffic in the last ACTIVE_MS; for ND also an
 * address still tentative, router solicitations to send, a neighbour
 * being probed), and not at all when it is quiet. The ticks any timer
 * missed are run on the next wakeup, oldest first, before anything else
 * is handled: entries age and lifetimes run out as if each tick had come
 * on time. lwIP's TCP timer is left to lwIP, which runs it only while
 * connections need it.
 */
#include "lwip/opt.h"
#include "lwip/sys.h"
#include "lwip/timeouts.h"
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/netif.h"
#include "lwip/dhcp.h"
#include "lwip/prot/dhcp.h"
#include "lwip/igmp.h"
#include "lwip/mld6.h"
#include "lwip/nd6.h"
#include "lwip/priv/nd6_priv.h"
#include "netd.h"

/* How long after the last frame or socket call every timer keeps its own
 * period: longer than an ARP request's retries (ARP_MAXPENDING, 5 s) and
 * a neighbour's probing, so those need no check of their own. */
#define ACTIVE_MS 10000
/* The longest netd sleeps with nothing due, and the most missed ticks of
 * one timer run on a wakeup (an hour of the one-second timers). */
#define QUIET_MAX_MS 3600000u
#define CATCHUP_MAX 3600u
#define NEVER UINT32_MAX

struct tick {
	const struct lwip_cyclic_timer *timer;
	u32_t last;		/* sys_now() of its last run */
};

static struct tick ticks[16];
static int ticks_count;
static u32_t last_activity;

void
ticks_init(void)
{
	u32_t now = sys_now();

	for (int i = 0; i < lwip_num_cyclic_timers; i++) {
		const struct lwip_cyclic_timer *t = &lwip_cyclic_timers[i];
		if (t->handler == tcp_tmr)	/* on demand already */
			continue;
		if (ticks_count == (int)LWIP_ARRAYSIZE(ticks))
			break;	/* left to lwIP */
		sys_untimeout(lwip_cyclic_timer, (void *)t);
		ticks[ticks_count++] = (struct tick){ t, now };
	}
	last_activity = now;
}

void
ticks_activity(void)
{
	last_activity = sys_now();
}

/* Coarse ticks until a DHCP lease's renewal, rebinding or end. */
static u32_t
dhcp_coarse_due(void)
{
	u32_t due = NEVER;
	struct netif *n;

	NETIF_FOREACH(n) {
		struct dhcp *d = netif_dhcp_data(n);
		if (d == NULL || d->state == DHCP_STATE_OFF)
			continue;
		if (d->t0_timeout && d->t0_timeout > d->lease_used)
			due = LWIP_MIN(due, (u32_t)(d->t0_timeout - d->lease_used));
		if (d->t2_rebind_time)
			due = LWIP_MIN(due, d->t2_rebind_time);
		if (d->t1_renew_time)
			due = LWIP_MIN(due, d->t1_renew_time);
	}
	return due;
}

/* Fine ticks until a DHCP request is sent again. */
static u32_t
dhcp_fine_due(void)
{
	u32_t due = NEVER;
	struct netif *n;

	NETIF_FOREACH(n) {
		struct dhcp *d = netif_dhcp_data(n);
		if (d != NULL && d->request_timeout)
			due = LWIP_MIN(due, d->request_timeout);
	}
	return due;
}

/* Ticks until an IGMP or MLD report goes out. */
static u32_t
reports_due(bool mld)
{
	u32_t due = NEVER;
	struct netif *n;

	NETIF_FOREACH(n) {
		if (mld) {
			for (struct mld_group *g = netif_mld6_data(n); g; g = g->next)
				if (g->timer)
					due = LWIP_MIN(due, g->timer);
		} else {
			for (struct igmp_group *g = netif_igmp_data(n); g; g = g->next)
				if (g->timer)
					due = LWIP_MIN(due, g->timer);
		}
	}
	return due;
}

/* Whether neighbour discovery has something to send on its next ticks. */
static bool
nd6_busy(void)
{
	struct netif *n;

	for (int i = 0; i < LWIP_ND6_NUM_NEIGHBORS; i++) {
		struct nd6_neighbor_cache_entry *e = &neighbor_cache[i];
		if (e->state == ND6_INCOMPLETE || e->state == ND6_DELAY ||
		    e->state == ND6_PROBE || e->q != NULL)
			return true;
	}
	NETIF_FOREACH(n) {
		if (n->rs_count > 0)
			return true;
		for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++)
			if (ip6_addr_istentative(netif_ip6_addr_state(n, i)))
				return true;
	}
	return false;
}

/* How many of t's periods may pass before it must run: 1 while busy. */
static u32_t
periods_until_needed(const struct tick *t, u32_t now)
{
	lwip_cyclic_timer_handler h = t->timer->handler;

	/* Timers whose state says exactly when they act. */
	if (h == dhcp_coarse_tmr)
		return dhcp_coarse_due();
	if (h == dhcp_fine_tmr)
		return dhcp_fine_due();
	if (h == igmp_tmr)
		return reports_due(false);
	if (h == mld6_tmr)
		return reports_due(true);
	/* ARP, reassembly, DNS, ND: at their periods a while after traffic. */
	if ((u32_t)(now - last_activity) < ACTIVE_MS)
		return 1;
	if (h == nd6_tmr && nd6_busy())
		return 1;
	return NEVER;
}

void
ticks_run(void)
{
	u32_t now = sys_now();

	for (int i = 0; i < ticks_count; i++) {
		struct tick *t = &ticks[i];
		u32_t period = t->timer->interval_ms;
		u32_t missed = (u32_t)(now - t->last) / period;
		if (missed > CATCHUP_MAX) {	/* the oldest are dropped */
			t->last += (missed - CATCHUP_MAX) * period;
			missed = CATCHUP_MAX;
		}
		for (u32_t k = 0; k < missed; k++)
			t->timer->handler();
		t->last += missed * period;
	}
}

u32_t
ticks_sleep_ms(void)
{
	u32_t now = sys_now(), sleep = QUIET_MAX_MS;

	for (int i = 0; i < ticks_count; i++) {
		const struct tick *t = &ticks[i];
		u32_t periods = periods_until_needed(t, now);
		if (periods == NEVER)
			continue;
		u32_t period = t->timer->interval_ms;
		u32_t gone = (u32_t)(now - t->last);
		u32_t wait = periods > QUIET_MAX_MS / period ? QUIET_MAX_MS
							    : periods * period;
		sleep = LWIP_MIN(sleep, wait > gone ? wait - gone : 0);
	}
	return sleep;
}
