/*
 * Duplicate address detection as RFC 4862 has it, around lwIP's own.
 * lwIP takes any neighbour advertisement naming an address it holds for
 * a collision and marks that address duplicate for good (the link-local
 * one with every address derived from it), so one forged advertisement
 * ended a guest's IPv6. Here an advertisement counts only while the
 * address is tentative, under DAD (RFC 4862 5.4.4: later it is at most
 * worth a log line), and an address found duplicate is tried again after
 * a back-off, since its other owner may leave: a real duplicate costs one
 * solicitation per try.
 */
#include "netd.h"
#include "lwip/ip6_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/prot/icmp6.h"
#include "lwip/timeouts.h"
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define DAD_RETRY_FIRST_MS 1000
#define DAD_RETRY_MAX_MS 64000
#define NA_TARGET_OFFSET 8	/* type, code, checksum, flags */

static struct netif *guarded;
NETIF_DECLARE_EXT_CALLBACK(state_callback)
static u32_t retry_ms[LWIP_IPV6_NUM_ADDRESSES];	/* the next back-off */

/*
 * netd is linked with --wrap=nd6_input (mk/netd.mk): lwIP's ICMPv6 input
 * calls the wrapper, which calls lwIP's nd6_input as __real_nd6_input.
 */
void __real_nd6_input(struct pbuf *p, struct netif *inp);
void __wrap_nd6_input(struct pbuf *p, struct netif *inp);

/* Whether p, an ICMPv6 message, advertises an address inp holds past DAD. */
static bool
advertises_assigned(const struct pbuf *p, struct netif *inp)
{
	const u8_t *msg = p->payload;
	ip6_addr_t target;

	if (p->len < NA_TARGET_OFFSET + 16 || msg[0] != ICMP6_TYPE_NA)
		return false;
	memset(&target, 0, sizeof(target));
	memcpy(target.addr, msg + NA_TARGET_OFFSET, 16);
	for (s8_t i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++)
		if (ip6_addr_isvalid(netif_ip6_addr_state(inp, i)) &&
		    ip6_addr_cmp_zoneless(&target, netif_ip6_addr(inp, i)))
			return true;
	return false;
}

/* lwIP's ND input, less advertisements of addresses already assigned. */
void
__wrap_nd6_input(struct pbuf *p, struct netif *inp)
{
	if (advertises_assigned(p, inp)) {
		pbuf_free(p);
		return;
	}
	__real_nd6_input(p, inp);
}

/* The back-off has passed: DAD again for an address still duplicate. */
static void
dad_retry(void *arg)
{
	s8_t i = (s8_t)(intptr_t)arg;

	if (ip6_addr_isduplicated(netif_ip6_addr_state(guarded, i)))
		netif_ip6_addr_set_state(guarded, i, IP6_ADDR_TENTATIVE);
}

static void
dad_state_changed(struct netif *n, netif_nsc_reason_t reason,
		  const netif_ext_callback_args_t *args)
{
	if (n != guarded || !(reason & LWIP_NSC_IPV6_ADDR_STATE_CHANGED))
		return;
	s8_t i = args->ipv6_addr_state_changed.addr_index;
	u8_t state = netif_ip6_addr_state(n, i);
	if (ip6_addr_isvalid(state)) {
		retry_ms[i] = 0;
		return;
	}
	if (!ip6_addr_isduplicated(state))
		return;
	retry_ms[i] = retry_ms[i] == 0 ? DAD_RETRY_FIRST_MS :
		      retry_ms[i] >= DAD_RETRY_MAX_MS / 2 ? DAD_RETRY_MAX_MS :
		      retry_ms[i] * 2;
	fprintf(stderr, "netd: %s is in use by another host; trying again "
		"in %u s\n", ip6addr_ntoa(netif_ip6_addr(n, i)),
		(unsigned)(retry_ms[i] / 1000));
	sys_untimeout(dad_retry, (void *)(intptr_t)i);
	sys_timeout(retry_ms[i], dad_retry, (void *)(intptr_t)i);
}

void
dad_setup(struct netif *n)
{
	guarded = n;
	netif_add_ext_callback(&state_callback, dad_state_changed);
}
