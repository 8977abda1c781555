/*
 * The real-time clock's broken-down time, as the arch hooks in
 * <kernel/arch.h> (arch_rtc_read, arch_rtc_write) exchange it, and the
 * calendar arithmetic shared by arch/ARCH/rtc.c and /dev/rtc0.
 */
#ifndef KERNEL_RTC_H
#define KERNEL_RTC_H

#include <kernel/types.h>

struct file_ops;
/* /dev/rtc0 (kernel/fs/rtcdev.c) */
extern const struct file_ops rtc_fops;

/* UTC; mon is 1..12 and year the full year (2026). */
struct rtc_time_k {
	int sec, min, hour;
	int mday, mon, year;
};

/* Days from 1970-01-01 to y-m-d in the civil (proleptic Gregorian)
 * calendar; negative before 1970. */
static inline int64_t
rtc_days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Seconds since the epoch of a broken-down time. */
static inline int64_t
rtc_time_seconds(const struct rtc_time_k *t)
{
	return rtc_days_from_civil(t->year, t->mon, t->mday) * 86400 +
	       t->hour * 3600 + t->min * 60 + t->sec;
}

#endif
