/*
 * adjtimex and clock_adjtime: the NTP state of Linux's kernel/time/ntp.c
 * as a program reads and sets it, with Linux's checks. Petrel keeps the
 * values (status, frequency, offset, errors, time constant, tick) and
 * reports them back, but does not steer its clock by them: no PLL, no
 * slewing, no leap second. ADJ_SETOFFSET steps the clock, as Linux does.
 */
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/clock.h>

#define ADJ_OFFSET 0x0001
#define ADJ_FREQUENCY 0x0002
#define ADJ_MAXERROR 0x0004
#define ADJ_ESTERROR 0x0008
#define ADJ_STATUS 0x0010
#define ADJ_TIMECONST 0x0020
#define ADJ_TAI 0x0080
#define ADJ_SETOFFSET 0x0100
#define ADJ_MICRO 0x1000
#define ADJ_NANO 0x2000
#define ADJ_TICK 0x4000
#define ADJ_ADJTIME 0x8000		/* with ADJ_OFFSET: adjtime(3)'s */
#define ADJ_OFFSET_READONLY 0x2000

#define STA_PLL 0x0001
#define STA_PPSFREQ 0x0002
#define STA_PPSTIME 0x0004
#define STA_INS 0x0010
#define STA_DEL 0x0020
#define STA_UNSYNC 0x0040
#define STA_PPSSIGNAL 0x0100
#define STA_PPSJITTER 0x0200
#define STA_PPSWANDER 0x0400
#define STA_PPSERROR 0x0800
#define STA_CLOCKERR 0x1000
#define STA_NANO 0x2000
#define STA_RONLY (STA_PPSSIGNAL | STA_PPSJITTER | STA_PPSWANDER | \
		   STA_PPSERROR | STA_CLOCKERR | STA_NANO | 0x4000 | 0x8000)

#define TIME_OK 0
#define TIME_ERROR 5
#define USER_HZ 100
#define MAXTC 10
#define MAXPHASE 500000000l		/* ns */
#define MAXFREQ_SCALED (500l << 16)	/* 500 ppm, scaled by 2^16 */
#define NTP_PHASE_LIMIT 16000000l	/* us */

/* struct timex on x86_64. */
struct timex_k {
	uint32_t modes;
	int32_t pad0;
	int64_t offset, freq, maxerror, esterror;
	int32_t status, pad1;
	int64_t constant, precision, tolerance;
	int64_t time_sec, time_usec;
	int64_t tick, ppsfreq, jitter;
	int32_t shift, pad2;
	int64_t stabil, jitcnt, calcnt, errcnt, stbcnt;
	int32_t tai;
	int32_t reserved[11];
};
_Static_assert(sizeof(struct timex_k) == 208, "Linux's struct timex");

/* The NTP state, Linux's values at boot. Big lock. */
static struct {
	int status;
	int64_t offset_ns;		/* the PLL's offset, as set */
	int64_t freq;			/* scaled ppm */
	int64_t maxerror, esterror;	/* us */
	int64_t constant;
	int64_t tick;			/* us per tick of USER_HZ */
	int64_t adjust;			/* adjtime(3)'s offset left, us */
	int tai;
} ntp = {
	.status = STA_UNSYNC, .maxerror = NTP_PHASE_LIMIT,
	.esterror = NTP_PHASE_LIMIT, .constant = 2,
	.tick = 1000000 / USER_HZ,
};

static int64_t
clamp64(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Linux's timekeeping_validate_timex. */
static long
validate(const struct timex_k *tx, bool root)
{
	if (tx->modes & ADJ_ADJTIME) {
		if (!(tx->modes & ADJ_OFFSET))
			return -EINVAL;	/* singleshot goes with nothing else */
		if (!(tx->modes & ADJ_OFFSET_READONLY) && !root)
			return -EPERM;
	} else {
		if (tx->modes && !root)
			return -EPERM;
		if ((tx->modes & ADJ_TICK) &&
		    (tx->tick < 900000 / USER_HZ || tx->tick > 1100000 / USER_HZ))
			return -EINVAL;
	}
	if (tx->modes & ADJ_SETOFFSET) {
		if (!root)
			return -EPERM;
		long limit = (tx->modes & ADJ_NANO) ? 1000000000 : 1000000;
		if (tx->time_usec < 0 || tx->time_usec >= limit)
			return -EINVAL;
	}
	if ((tx->modes & ADJ_FREQUENCY) &&
	    (tx->freq < INT64_MIN / 1000 || tx->freq > INT64_MAX / 1000))
		return -EINVAL;
	return 0;
}

/* Linux's process_adjtimex_modes, keeping the values as they are. */
static void
apply(const struct timex_k *tx)
{
	if (tx->modes & ADJ_STATUS)
		ntp.status = (ntp.status & STA_RONLY) | (tx->status & ~STA_RONLY);
	if (tx->modes & ADJ_NANO)
		ntp.status |= STA_NANO;
	if (tx->modes & ADJ_MICRO)
		ntp.status &= ~STA_NANO;
	if (tx->modes & ADJ_FREQUENCY)
		ntp.freq = clamp64(tx->freq, -MAXFREQ_SCALED, MAXFREQ_SCALED);
	if (tx->modes & ADJ_MAXERROR)
		ntp.maxerror = clamp64(tx->maxerror, 0, NTP_PHASE_LIMIT);
	if (tx->modes & ADJ_ESTERROR)
		ntp.esterror = clamp64(tx->esterror, 0, NTP_PHASE_LIMIT);
	if (tx->modes & ADJ_TIMECONST) {
		ntp.constant = clamp64(tx->constant, 0, MAXTC);
		if (!(ntp.status & STA_NANO))
			ntp.constant = clamp64(ntp.constant + 4, 0, MAXTC);
	}
	if ((tx->modes & ADJ_TAI) && tx->constant >= 0)
		ntp.tai = (int)tx->constant;
	if ((tx->modes & ADJ_OFFSET) && (ntp.status & STA_PLL)) {
		int64_t ns = (ntp.status & STA_NANO) ? tx->offset : tx->offset * 1000;
		ntp.offset_ns = clamp64(ns, -MAXPHASE, MAXPHASE);
	}
	if (tx->modes & ADJ_TICK)
		ntp.tick = tx->tick;
}

/* Steps CLOCK_REALTIME by tx->time (ADJ_SETOFFSET). */
static long
set_offset(const struct timex_k *tx)
{
	uint64_t now;
	long r = clock_now(CLOCK_REALTIME, &now);
	if (r < 0)
		return r;
	int64_t nsec = (tx->modes & ADJ_NANO) ? tx->time_usec : tx->time_usec * 1000;
	int64_t t = (int64_t)now + tx->time_sec * (int64_t)NSEC_PER_SEC + nsec;
	if (t < 0)
		return -EINVAL;
	return realtime_set(t / (int64_t)NSEC_PER_SEC, t % (int64_t)NSEC_PER_SEC);
}

/* Linux's __do_adjtimex answer: the state into tx, TIME_OK or TIME_ERROR. */
static long
report(struct timex_k *tx)
{
	bool nano = ntp.status & STA_NANO;
	tx->offset = nano ? ntp.offset_ns : ntp.offset_ns / 1000;
	tx->freq = ntp.freq;
	tx->maxerror = ntp.maxerror;
	tx->esterror = ntp.esterror;
	tx->status = ntp.status;
	tx->constant = ntp.constant;
	tx->precision = 1;
	tx->tolerance = MAXFREQ_SCALED;
	tx->tick = ntp.tick;
	tx->tai = ntp.tai;
	tx->ppsfreq = tx->jitter = tx->stabil = 0;
	tx->shift = 0;
	tx->jitcnt = tx->calcnt = tx->errcnt = tx->stbcnt = 0;
	uint64_t now = 0;
	clock_now(CLOCK_REALTIME, &now);
	tx->time_sec = (int64_t)(now / NSEC_PER_SEC);
	tx->time_usec = (int64_t)(now % NSEC_PER_SEC) / (nano ? 1 : 1000);
	/* Linux's is_error_status: unsynchronised, or PPS asked and missing. */
	bool error = (ntp.status & (STA_UNSYNC | STA_CLOCKERR)) ||
		     ((ntp.status & (STA_PPSFREQ | STA_PPSTIME)) &&
		      !(ntp.status & STA_PPSSIGNAL));
	return error ? TIME_ERROR : TIME_OK;
}

static long
do_adjtimex(uaddr_t utx)
{
	struct timex_k tx;
	if (copyin(&tx, utx, sizeof(tx)) < 0)
		return -EFAULT;
	long r = validate(&tx, capable(CAP_SYS_TIME));
	if (r < 0)
		return r;
	if (tx.modes & ADJ_SETOFFSET) {
		r = set_offset(&tx);
		if (r < 0)
			return r;
	}
	if (tx.modes & ADJ_ADJTIME) {
		int64_t left = ntp.adjust;
		if (!(tx.modes & ADJ_OFFSET_READONLY))
			ntp.adjust = tx.offset;
		r = report(&tx);
		tx.offset = left;
	} else {
		apply(&tx);
		r = report(&tx);
	}
	return copyout(utx, &tx, sizeof(tx)) < 0 ? -EFAULT : r;
}

long
sys_adjtimex(uaddr_t utx)
{
	return do_adjtimex(utx);
}

long
sys_clock_adjtime(int clock, uaddr_t utx)
{
	if (clock == CLOCK_REALTIME)
		return do_adjtimex(utx);
	uint64_t ns;
	if (clock < 0 || clock_now(clock, &ns) < 0)
		return -EINVAL;
	return -EOPNOTSUPP;	/* a clock without clock_adj */
}
