/*
 * The rates of the TSC (the clock) and of the local APIC timer. The
 * hypervisor's word comes first: CPUID leaf 0x40000010, then KVM's
 * pvclock. Else the TSC is measured against the PIT over the boot itself,
 * each end of the window read between two TSC reads, so that the host
 * descheduling the vCPU (it does, on a loaded host) widens the error bound
 * instead of skewing the rate: the narrowest of several reads is kept.
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
#define APIC_START 0xffffffffu
#define SAMPLE_TRIES 4		/* reads per window end; the narrowest wins */
#define RATE_ERR_PPM 1000	/* good enough: 86 s a day at worst */
#define RATE_ERR_MAX_PPM 20000	/* worse than 2%: measure again */
#define FRESH_WINDOWS 3
#define WINDOW_READS_MAX (1 << 20)	/* a PIT that never expires */

/* One reading of the PIT and the local APIC timer between two TSC reads. */
struct clock_sample {
	uint64_t tsc_before, tsc_after;
	uint16_t pit;		/* both count down */
	uint32_t apic;
};

static struct clock_sample window_start;
static bool window_started;

/* Starts PIT channel 0 one-shot from 0xffff: 55 ms until it expires. */
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

/* Reads channel 0 (read-back: status, then count); false once expired. */
static bool
sample_once(struct clock_sample *s)
{
	s->tsc_before = rdtsc();
	outb(0x43, 0xc2);	/* latch status and count of channel 0 */
	uint8_t status = inb(0x40);
	s->pit = inb(0x40) | (inb(0x40) << 8);
	s->apic = lapic_read(LAPIC_TIMER_CUR);
	s->tsc_after = rdtsc();
	/* OUT high: expired; null count: not loaded yet; else no PIT. */
	return !(status & 0xc0) && (status & 0x3f) == PIT_MODE0;
}

/* The narrowest of SAMPLE_TRIES reads; false once the PIT expired or if
   there is none. */
static bool
sample_best(struct clock_sample *best)
{
	struct clock_sample s;
	bool got = false;

	for (int i = 0; i < SAMPLE_TRIES; i++) {
		if (!sample_once(&s))
			return false;
		if (!got || s.tsc_after - s.tsc_before <
				    best->tsc_after - best->tsc_before)
			*best = s;
		got = true;
	}
	return true;
}

/* The local APIC timer alone, for a start without a PIT. */
static void
sample_apic(struct clock_sample *s)
{
	s->tsc_before = rdtsc();
	s->apic = lapic_read(LAPIC_TIMER_CUR);
	s->tsc_after = rdtsc();
}

/* Starts the PIT and the local APIC timer counting, and reads both. */
static void
window_begin(void)
{
	lapic_write(LAPIC_TIMER_DIV, 3);	/* divide by 16 */
	lapic_write(LAPIC_TIMER, 1 << 16);	/* masked: just counting */
	pit_start();
	lapic_write(LAPIC_TIMER_INIT, APIC_START);
	window_started = sample_best(&window_start);
	if (!window_started)
		sample_apic(&window_start);
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

struct window_rate {
	uint64_t tsc_khz;
	uint64_t err_ppm;	/* bound on the rate's error */
	uint32_t ticks;		/* PIT ticks in the window */
};

/* The TSC's rate over [a, b]; false if no PIT tick passed. */
static bool
window_rate(const struct clock_sample *a, const struct clock_sample *b,
	    struct window_rate *r)
{
	uint32_t ticks = (uint16_t)(a->pit - b->pit);
	uint64_t dt = (b->tsc_before + b->tsc_after) / 2 -
		      (a->tsc_before + a->tsc_after) / 2;

	if (ticks == 0 || dt == 0)
		return false;
	/* Each end is somewhere in its read, give or take one PIT tick. */
	uint64_t slack = (a->tsc_after - a->tsc_before) / 2 +
			 (b->tsc_after - b->tsc_before) / 2 + 2 * dt / ticks;
	r->tsc_khz = dt * PIT_HZ / ticks / 1000;
	r->err_ppm = slack * 1000000 / dt;
	r->ticks = ticks;
	return true;
}

/*
 * Reads the end of the window until the rate's error bound is small
 * enough or the PIT runs out, and keeps the best bound seen. Returns
 * false if no rate came out at all.
 */
static bool
window_finish(struct window_rate *best)
{
	struct clock_sample end;
	struct window_rate r;
	bool got = false;

	for (int reads = 0; reads < WINDOW_READS_MAX && sample_best(&end);
	     reads++) {
		if (!window_rate(&window_start, &end, &r))
			continue;
		if (!got || r.err_ppm < best->err_ppm)
			*best = r;
		got = true;
		if (best->err_ppm <= RATE_ERR_PPM &&
		    best->ticks >= PIT_HZ / 1000)
			break;
	}
	return got;
}

/* The PIT measurement: the boot's window, else fresh ones. */
static bool
pit_rate(uint64_t *khz, char *source, size_t size)
{
	struct window_rate r = { 0 };
	bool got = false;
	int windows = 0;

	while (windows < 1 + FRESH_WINDOWS) {
		if (windows > 0)
			window_begin();
		windows++;
		struct window_rate w;
		if (window_started && window_finish(&w) &&
		    (!got || w.err_ppm < r.err_ppm)) {
			r = w;
			got = true;
		}
		if (got && r.err_ppm <= RATE_ERR_MAX_PPM)
			break;
	}
	pit_stop();
	if (!got)
		return false;
	*khz = r.tsc_khz;
	snprintk(source, size, "pit, %u ms window%s, +-%lu ppm",
		 r.ticks / (PIT_HZ / 1000), windows > 1 ? " anew" : "",
		 r.err_ppm);
	return true;
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
 * The local APIC timer's rate against the TSC's, over the same window
 * (it counts from APIC_START since window_begin). Returns ticks per ms.
 */
static uint64_t
apic_rate(uint64_t tsc_khz)
{
	struct clock_sample now;

	sample_apic(&now);
	uint64_t dt = (now.tsc_after + now.tsc_before) / 2 -
		      (window_start.tsc_after + window_start.tsc_before) / 2;
	uint32_t da = window_start.apic - now.apic;
	if (now.apic == 0 || dt == 0)
		return 0;	/* ran out: 68 s at QEMU's rate, not in a boot */
	return (uint64_t)((unsigned __int128)da * tsc_khz / dt);
}

/*
 * Finds both rates and says where the TSC's came from. Called once, on
 * the boot CPU, with the window started by timer_early_start.
 */
void
tsc_find_rates(struct clock_rates *c)
{
	uint32_t r[4];
	char signature[13];

	c->tsc_khz = hypervisor_khz(c->source, sizeof(c->source));
	c->apic_ticks_per_ms = 0;
	if (c->tsc_khz && hypervisor_leaf(signature) >= 0x40000010) {
		cpuid(0x40000010, 0, r);
		c->apic_ticks_per_ms = r[1] / 16;	/* bus kHz, divided */
	}
	if (!c->tsc_khz &&
	    !pit_rate(&c->tsc_khz, c->source, sizeof(c->source))) {
		c->tsc_khz = 1000000;	/* a guess: QEMU's usual rates */
		snprintk(c->source, sizeof(c->source), "guessed, no PIT");
	}
	pit_stop();
	/* At least 1 ms for the APIC timer to count, on a fast boot. */
	while (rdtsc() < window_start.tsc_after + c->tsc_khz)
		pause();
	if (!c->apic_ticks_per_ms)
		c->apic_ticks_per_ms = apic_rate(c->tsc_khz);
	if (!c->apic_ticks_per_ms)
		c->apic_ticks_per_ms = 1000000 / 16;
}
