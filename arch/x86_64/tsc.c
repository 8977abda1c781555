/*
 * The rates of the TSC (the clock) and of the local APIC timer. The
 * hypervisor's word comes first (CPUID 0x40000010, then KVM's pvclock),
 * then the CPU's (CPUID 0x15 with its crystal's rate). Else the TSC is
 * measured against the PIT between two of its edges (the instants its
 * count changes, each bracketed by two TSC reads), so that neither the
 * PIT's tick nor a vCPU the host deschedules skews the rate: a wide
 * bracket widens the error bound instead. The boot's own work is the
 * first window and gives a provisional rate, so the boot never waits for
 * a long one; timer.c then ends longer windows with a kernel timer
 * (tsc_refine_step) and takes the rate over a chain of consecutive
 * windows that agree.
 */
#include <kernel/arch.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <arch/timer.h>

#define PIT_HZ 1193182
#define PIT_MODE0 0x30		/* channel 0, lo/hi bytes, mode 0, binary */
#define PIT_NULL_COUNT 0x40	/* read-back status: count not loaded yet */
#define APIC_START 0xffffffffu
#define EDGE_READS_MAX 4096	/* a tick is a few reads: else no PIT */
#define EDGE_TRIES 3		/* edges per window end; the narrowest wins */
#define PROVISIONAL_PPM 2000	/* the boot's window is good enough at this */
#define REFINE_PPM 50		/* the refinement's goal */
#define REFINE_WINDOWS_MAX 8	/* then the best chain's rate, if any */

/* One reading of the PIT's channel 0 between two TSC reads. */
struct pit_read {
	uint64_t tsc_before, tsc_after;
	uint16_t count;		/* counts down */
	uint8_t status;
	uint32_t apic;		/* the local APIC timer's count, read too */
};

/* An edge: the count became `count` at a TSC value in [lo, hi]. */
struct pit_edge {
	uint64_t lo, hi;
	uint16_t count;
	bool out;		/* OUT high: the count passed 0 (mode 0) */
	uint32_t apic;		/* the APIC timer's count at apic_tsc */
	uint64_t apic_tsc;
};

/* The TSC's rate over a window between two edges. */
struct window_rate {
	uint64_t tsc_khz;
	uint64_t err_ppm;	/* bound on the rate's error */
	uint64_t cycles;	/* the window's length */
};

static struct pit_edge boot_start;	/* the boot's window */
static bool boot_started;
static uint64_t apic_per_tsc;		/* APIC ticks per 2^32 TSC cycles */

/* The refinement's windows, each from the last edge to the next; a chain
   is a run of consecutive windows whose rates agree. The big lock's (its
   kernel timer runs under it). */
static struct {
	struct pit_edge chain;		/* where the chain starts */
	struct pit_edge last;		/* where the current window starts */
	struct window_rate before;	/* the window before, if chained */
	int chained;			/* windows in the chain */
	uint64_t guess_khz, guess_ppm;	/* the best rate so far */
	uint64_t provisional_khz;
	int windows;
} refine;

/* Starts PIT channel 0 one-shot from 0xffff: 55 ms until OUT goes high,
   the count wrapping on after that. */
static void
pit_start(void)
{
	outb(0x43, PIT_MODE0);
	outb(0x40, 0xff);
	outb(0x40, 0xff);
}

/*
 * Leaves the PIT still: mode 0 with no count written makes no further
 * transitions, so QEMU arms no timer for it (a periodic mode woke the
 * host 18 times a second for nothing).
 */
static void
pit_stop(void)
{
	outb(0x43, PIT_MODE0);
}

/* Reads channel 0 (read-back: status, then count); false if what came
   back is no mode-0 channel with its count loaded. */
static bool
pit_read(struct pit_read *r)
{
	r->tsc_before = rdtsc();
	outb(0x43, 0xc2);	/* latch status and count of channel 0 */
	r->status = inb(0x40);
	r->count = inb(0x40) | (inb(0x40) << 8);
	r->apic = lapic_read(LAPIC_TIMER_CUR);
	r->tsc_after = rdtsc();
	return (r->status & 0x3f) == PIT_MODE0 &&
	       !(r->status & PIT_NULL_COUNT);
}

/* Reads until the count changes; false if it never does (no PIT). */
static bool
pit_edge(struct pit_edge *e)
{
	struct pit_read before, now;
	int reads = 0;

	while (!pit_read(&before))
		if (++reads >= EDGE_READS_MAX || (before.status & 0x3f) !=
							 PIT_MODE0)
			return false;
	for (; reads < EDGE_READS_MAX; reads++) {
		if (!pit_read(&now))
			continue;
		if (now.count == before.count) {
			before = now;
			continue;
		}
		e->lo = before.tsc_before;
		e->hi = now.tsc_after;
		e->count = now.count;
		e->out = now.status & 0x80;
		e->apic = now.apic;
		e->apic_tsc = now.tsc_before / 2 + now.tsc_after / 2;
		return true;
	}
	return false;
}

/* The narrowest of EDGE_TRIES edges, or the first one no wider than
   narrow cycles. */
static bool
pit_edge_narrow(struct pit_edge *best, uint64_t narrow)
{
	struct pit_edge e;

	for (int i = 0; i < EDGE_TRIES; i++) {
		if (!pit_edge(&e))
			return i > 0;
		if (i == 0 || e.hi - e.lo < best->hi - best->lo)
			*best = e;
		if (best->hi - best->lo <= narrow)
			break;
	}
	return true;
}

/*
 * The TSC's rate from edge a to the later edge b. The PIT ticks between
 * them are the counts' difference plus whole wraps of the 16-bit count,
 * which a rate known to guess_ppm counts when it leaves no doubt; with
 * no guess (guess_khz 0) none may have passed: OUT must still be low.
 * False if no rate comes out.
 */
static bool
window_rate(const struct pit_edge *a, const struct pit_edge *b,
	    uint64_t guess_khz, uint64_t guess_ppm, struct window_rate *r)
{
	uint64_t ticks = (uint16_t)(a->count - b->count);
	uint64_t mid_a = a->lo / 2 + a->hi / 2, mid_b = b->lo / 2 + b->hi / 2;

	if (mid_b <= mid_a)
		return false;
	uint64_t cycles = mid_b - mid_a;
	/* Each edge lies somewhere in its bracket; the kHz are rounded. */
	uint64_t slack = (a->hi - a->lo) / 2 + (b->hi - b->lo) / 2 + 1;
	if (guess_khz) {
		uint64_t guess = (uint64_t)((unsigned __int128)cycles * PIT_HZ /
					    guess_khz / 1000);
		uint64_t doubt = guess * guess_ppm / 1000000 + 2 +
				 slack * PIT_HZ / guess_khz / 1000;
		if (doubt >= 0x4000)	/* a quarter of a wrap */
			return false;
		if (guess > ticks)
			ticks += (guess - ticks + 0x8000) & ~0xffffull;
		if (ticks > guess + doubt || guess > ticks + doubt)
			return false;	/* the PIT and the TSC disagree */
	} else if (b->out) {
		return false;
	}
	if (ticks == 0)
		return false;
	r->tsc_khz = (uint64_t)((unsigned __int128)cycles * PIT_HZ / ticks /
				1000);
	if (!r->tsc_khz)
		return false;
	r->err_ppm = slack * 1000000 / cycles + 1000000 / r->tsc_khz + 1;
	r->cycles = cycles;
	return true;
}

/* The local APIC timer's count alone, for a start or end without a
   PIT edge. */
static void
apic_sample(struct pit_edge *e)
{
	e->lo = rdtsc();
	e->apic = lapic_read(LAPIC_TIMER_CUR);
	e->hi = rdtsc();
	e->apic_tsc = e->lo / 2 + e->hi / 2;
}

/* Starts the PIT and the local APIC timer counting, and finds an edge. */
static void
window_begin(void)
{
	lapic_write(LAPIC_TIMER_DIV, 3);	/* divide by 16 */
	lapic_write(LAPIC_TIMER, 1 << 16);	/* masked: just counting */
	lapic_write(LAPIC_TIMER_INIT, APIC_START);
	pit_start();
	boot_started = pit_edge(&boot_start);
	if (!boot_started)
		apic_sample(&boot_start);
}

/*
 * Starts the measuring window at the very start of the boot; the boot's
 * own work then fills it, instead of a busy-wait.
 */
void
timer_early_start(void)
{
	lapic_init();
	window_begin();
}

/*
 * The PIT measurement at boot: the boot's window if it is good enough,
 * else a fresh one, read until it is or the PIT runs out. Leaves the
 * window's end in *end.
 */
static bool
pit_rate(struct window_rate *best, struct pit_edge *end)
{
	struct window_rate w;
	struct pit_edge e;
	bool got = false;

	if (boot_started && pit_edge(&e) &&
	    window_rate(&boot_start, &e, 0, 0, &w) &&
	    w.err_ppm <= PROVISIONAL_PPM) {
		*best = w;
		*end = e;
		return true;
	}
	window_begin();	/* the boot outlasted the PIT's 55 ms, or was short */
	while (boot_started && pit_edge(&e) && !e.out) {
		if (!window_rate(&boot_start, &e, 0, 0, &w))
			continue;
		if (!got || w.err_ppm < best->err_ppm) {
			*best = w;
			*end = e;
		}
		got = true;
		if (best->err_ppm <= PROVISIONAL_PPM)
			break;
	}
	return got;
}

/* The hypervisor's vendor leaf, or 0 if there is none. */
static uint32_t
hypervisor_leaf(char signature[13])
{
	uint32_t r[4];

	cpuid(1, 0, r);
	if (!(r[2] & (1u << 31)))
		return 0;
	cpuid(0x40000000, 0, r);
	memcpy(signature, &r[1], 4);
	memcpy(signature + 4, &r[2], 4);
	memcpy(signature + 8, &r[3], 4);
	signature[12] = 0;
	return r[0] >= 0x40000000 && r[0] < 0x40010000 ? r[0] : 0;
}

/* KVM's pvclock time info (struct pvclock_vcpu_time_info). */
struct pvclock {
	uint32_t version;
	uint32_t pad0;
	uint64_t tsc_timestamp;
	uint64_t system_time;
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags;
	uint8_t pad[2];
} __attribute__((packed));

#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01
#define KVM_FEATURE_CLOCKSOURCE2 (1u << 3)

static struct pvclock kvm_clock __attribute__((aligned(64)));

/*
 * KVM's clock: ns = tsc * mul >> 32, shifted by tsc_shift, so the TSC's
 * rate in kHz is 10^6 * 2^32 / mul, shifted the other way. The area is
 * registered only for this read, so KVM writes no memory afterwards.
 */
static uint64_t
kvmclock_khz(void)
{
	volatile struct pvclock *pv = &kvm_clock;
	uint32_t r[4], version, mul;
	int8_t shift;

	cpuid(0x40000001, 0, r);
	if (!(r[0] & KVM_FEATURE_CLOCKSOURCE2))
		return 0;
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, virt_to_phys(&kvm_clock) | 1);
	do {
		version = pv->version;
		__asm__ volatile("" ::: "memory");
		mul = pv->tsc_to_system_mul;
		shift = pv->tsc_shift;
		__asm__ volatile("" ::: "memory");
	} while ((version & 1) || version != pv->version);
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, 0);
	if (mul == 0)
		return 0;
	uint64_t khz = (1000000ull << 32) / mul;
	return shift < 0 ? khz << -shift : khz >> shift;
}

/* The TSC's rate from the hypervisor, or 0. */
static uint64_t
hypervisor_khz(char *source, size_t size)
{
	char signature[13];
	uint32_t max = hypervisor_leaf(signature);
	uint32_t r[4];
	uint64_t khz;

	if (max >= 0x40000010) {
		cpuid(0x40000010, 0, r);
		if (r[0]) {
			snprintk(source, size, "cpuid 0x40000010");
			return r[0];
		}
	}
	if (max >= 0x40000001 && memcmp(signature, "KVMKVMKVM\0\0\0", 12) == 0 &&
	    (khz = kvmclock_khz()) != 0) {
		snprintk(source, size, "kvmclock");
		return khz;
	}
	return 0;
}

/*
 * The TSC's rate from CPUID 0x15 (TSC/crystal ratio EBX/EAX, crystal Hz
 * in ECX), or 0 where the CPU does not say all three (QEMU's TCG says
 * none; Linux guesses the crystal from the model, which Petrel does not).
 */
static uint64_t
cpuid_khz(char *source, size_t size)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	if (r[0] < 0x15)
		return 0;
	cpuid(0x15, 0, r);
	if (!r[0] || !r[1] || !r[2])
		return 0;
	snprintk(source, size, "cpuid 0x15");
	return (uint64_t)r[2] * r[1] / r[0] / 1000;
}

/*
 * The local APIC timer's rate against the TSC's, over the same window
 * (it counts from APIC_START since window_begin): ticks per 2^32 TSC
 * cycles, taken low by the bound on its error (err_ppm, the TSC's own
 * included), so that a one-shot timer fires early, never late: the
 * scheduler re-arms an early one for the rest.
 */
static uint64_t
apic_ratio(const struct pit_edge *end, uint64_t err_ppm)
{
	uint64_t dt = end->apic_tsc - boot_start.apic_tsc;
	uint32_t da = boot_start.apic - end->apic;

	if (end->apic == 0 || dt == 0 || da == 0)
		return 0;	/* ran out: 68 s at QEMU's rate, not in a boot */
	uint64_t width = (boot_start.hi - boot_start.lo) / 2 +
			 (end->hi - end->lo) / 2;
	err_ppm += width * 1000000 / dt + 1000000 / da + 1;
	if (err_ppm >= 1000000)
		return 0;
	uint64_t ratio = (uint64_t)(((unsigned __int128)da << 32) / dt);
	return ratio - ratio / 1000000 * err_ppm;
}

/* The APIC timer's ticks per ms at TSC rate khz, or a guess. */
static uint64_t
apic_ticks_per_ms(uint64_t khz)
{
	if (!apic_per_tsc)
		return 1000000 / 16;	/* QEMU's 1 GHz bus, divided */
	return (uint64_t)(((unsigned __int128)apic_per_tsc * khz) >> 32);
}

/* The TSC's rate from a source that needs no measuring, or 0. */
static uint64_t
known_khz(struct clock_rates *c)
{
	char signature[13];
	uint32_t r[4];
	uint64_t khz = hypervisor_khz(c->source, sizeof(c->source));

	if (khz && hypervisor_leaf(signature) >= 0x40000010) {
		cpuid(0x40000010, 0, r);
		c->apic_ticks_per_ms = r[1] / 16;	/* bus kHz, divided */
	}
	return khz ? khz : cpuid_khz(c->source, sizeof(c->source));
}

/*
 * Finds both rates and says where the TSC's came from. Called once, on
 * the boot CPU, with the window started by timer_early_start. Sets
 * c->refine when the rate is the PIT's provisional one: timer.c then
 * calls tsc_refine_step at the end of each refinement window.
 */
void
tsc_find_rates(struct clock_rates *c)
{
	struct window_rate w = { .err_ppm = 0 };
	struct pit_edge end = { .lo = 0 };

	c->apic_ticks_per_ms = 0;
	c->refine = false;
	c->tsc_khz = known_khz(c);
	if (c->tsc_khz) {
		pit_stop();
		apic_sample(&end);
	} else if (pit_rate(&w, &end)) {
		c->tsc_khz = w.tsc_khz;
		c->refine = true;
		snprintk(c->source, sizeof(c->source),
			 "pit, %lu us window, +-%lu ppm; provisional",
			 w.cycles * 1000 / w.tsc_khz, w.err_ppm);
		refine.chain = refine.last = boot_start;
		refine.guess_khz = refine.provisional_khz = w.tsc_khz;
		refine.guess_ppm = w.err_ppm;
	} else {
		pit_stop();
		apic_sample(&end);
		c->tsc_khz = 1000000;	/* a guess: QEMU's usual rates */
		snprintk(c->source, sizeof(c->source), "guessed, no PIT");
	}
	apic_per_tsc = apic_ratio(&end, w.err_ppm);
	if (!c->apic_ticks_per_ms)
		c->apic_ticks_per_ms = apic_ticks_per_ms(c->tsc_khz);
}

/* Whether two windows' rates agree within their bounds. */
static bool
rates_agree(const struct window_rate *a, const struct window_rate *b)
{
	uint64_t diff = a->tsc_khz > b->tsc_khz ? a->tsc_khz - b->tsc_khz :
						 b->tsc_khz - a->tsc_khz;
	return diff * 1000000 / b->tsc_khz <= a->err_ppm + b->err_ppm;
}

/* The refined rate's line: windows, bound, and how far off the
   provisional one was. */
static void
refine_done(struct clock_rates *c, const struct window_rate *w)
{
	int64_t off = ((int64_t)refine.provisional_khz - (int64_t)w->tsc_khz) *
		      1000000 / (int64_t)w->tsc_khz;
	c->tsc_khz = w->tsc_khz;
	c->apic_ticks_per_ms = apic_ticks_per_ms(w->tsc_khz);
	snprintk(c->source, sizeof(c->source),
		 "pit, refined: %d windows, %lu ms, +-%lu ppm; provisional "
		 "%ld ppm off", refine.chained, w->cycles / w->tsc_khz,
		 w->err_ppm, off);
	pit_stop();
}

/* A better rate for counting the PIT's wraps. */
static void
refine_guess(const struct window_rate *w)
{
	if (w->err_ppm < refine.guess_ppm) {
		refine.guess_khz = w->tsc_khz;
		refine.guess_ppm = w->err_ppm;
	}
}

/*
 * Ends the current refinement window at the next PIT edge and starts the
 * next one there. A window that agrees with the one before extends their
 * chain, else starts a new one. Once a chain of two or more windows
 * bounds the rate within REFINE_PPM (or the windows run out), the rate
 * over the whole chain goes into *c: REFINE_DONE. REFINE_AGAIN: call
 * again a window later (timer.c lengthens them: a loaded host's PIT
 * reads take tens of us). REFINE_FAILED: no two windows agreed (or the
 * PIT went away); the provisional rate stays. Runs under the big lock,
 * from a kernel timer, on any CPU (the TSCs and the PIT are the
 * machine's).
 */
enum refine_result
tsc_refine_step(struct clock_rates *c)
{
	struct pit_edge now;
	struct window_rate w, chain;
	/* A bracket of 1/8 tick is as good as a window of ms needs. */
	uint64_t narrow = refine.guess_khz * 1000 / PIT_HZ / 8;

	if (!pit_edge_narrow(&now, narrow)) {
		pit_stop();
		return REFINE_FAILED;
	}
	refine.windows++;
	if (!window_rate(&refine.last, &now, refine.guess_khz,
			 refine.guess_ppm, &w)) {
		refine.chained = 0;
		refine.chain = now;
	} else if (refine.chained && rates_agree(&refine.before, &w)) {
		refine.chained++;
	} else {
		refine.chained = 1;
		refine.chain = refine.last;
	}
	refine.last = now;
	refine.before = w;
	bool last = refine.windows >= REFINE_WINDOWS_MAX;
	if (refine.chained >= 2 &&
	    window_rate(&refine.chain, &now, refine.guess_khz,
			refine.guess_ppm, &chain)) {
		refine_guess(&chain);
		if (chain.err_ppm <= REFINE_PPM || last) {
			refine_done(c, &chain);
			return REFINE_DONE;
		}
	} else if (refine.chained) {
		refine_guess(&w);
	}
	if (last) {
		pit_stop();
		return REFINE_FAILED;
	}
	return REFINE_AGAIN;
}
