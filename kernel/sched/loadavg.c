/*
 * Load averages (/proc/loadavg, sysinfo) in 1/65536 units: every 5 s of
 * uptime, the number of running and runnable threads is folded in with
 * Linux's decay factors for 1, 5 and 15 minutes. With no periodic tick,
 * missed intervals are caught up when the scheduler next looks (decaying
 * toward the count then). Big lock held.
 */
#include <kernel/sched.h>

uint64_t loadavg[3];
static uint64_t loadavg_next_ns;

bool
loadavg_due(uint64_t now)
{
	return now >= loadavg_next_ns;
}

/* When the load average is next due. */
uint64_t
loadavg_next(void)
{
	return loadavg_next_ns;
}

void
loadavg_update(uint64_t now, unsigned active)
{
	static const uint64_t decay[3] = { 1884, 2014, 2037 };	/* of 2048 */
	for (int rounds = 0; now >= loadavg_next_ns && rounds < 200; rounds++) {
		for (int i = 0; i < 3; i++)
			loadavg[i] = (loadavg[i] * decay[i] + ((uint64_t)active << 16) * (2048 - decay[i])) >> 11;
		loadavg_next_ns += 5000000000ull;
	}
	if (now >= loadavg_next_ns)
		loadavg_next_ns = now + 5000000000ull;
}
