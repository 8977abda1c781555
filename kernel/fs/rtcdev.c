/*
 * /dev/rtc0: the real-time clock as Linux's RTC class device, for hwclock.
 * RTC_RD_TIME and RTC_SET_TIME move a struct rtc_time through the arch
 * hooks (arch_rtc_read, arch_rtc_write); reading the device itself, which
 * on Linux waits for clock interrupts, is not offered.
 */
#include <kernel/vfs.h>
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/arch.h>
#include <kernel/rtc.h>
#include <kernel/errno.h>

#define RTC_RD_TIME 0x80247009	/* _IOR('p', 0x09, struct rtc_time) */
#define RTC_SET_TIME 0x4024700a	/* _IOW('p', 0x0a, struct rtc_time) */

/* Linux's struct rtc_time: struct tm's first nine fields. */
struct rtc_time_linux {
	int32_t tm_sec, tm_min, tm_hour, tm_mday, tm_mon, tm_year;
	int32_t tm_wday, tm_yday, tm_isdst;
};

static bool
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
	static const int8_t days[12] = { 31, 28, 31, 30, 31, 30,
					 31, 31, 30, 31, 30, 31 };
	return days[m - 1] + (m == 2 && leap(y));
}

static long
rtc_get(uint64_t arg)
{
	struct rtc_time_k t;
	int e = arch_rtc_read(&t);
	if (e < 0)
		return e;
	int64_t days = rtc_days_from_civil(t.year, t.mon, t.mday);
	/* 1970-01-01 was a Thursday (4). */
	int32_t wday = (int32_t)((days % 7 + 11) % 7);
	struct rtc_time_linux r = {
		.tm_sec = t.sec, .tm_min = t.min, .tm_hour = t.hour,
		.tm_mday = t.mday, .tm_mon = t.mon - 1,
		.tm_year = t.year - 1900,
		.tm_wday = wday,
		.tm_yday = (int32_t)(days - rtc_days_from_civil(t.year, 1, 1)),
	};
	return copyout(arg, &r, sizeof(r));
}

/* Linux's rtc_valid_tm: wday, yday and isdst are not looked at. */
static long
rtc_set(uint64_t arg)
{
	struct rtc_time_linux r;
	if (!capable(CAP_SYS_TIME))
		return -EACCES;
	if (copyin(&r, arg, sizeof(r)) < 0)
		return -EFAULT;
	struct rtc_time_k t = {
		.sec = r.tm_sec, .min = r.tm_min, .hour = r.tm_hour,
		.mday = r.tm_mday, .mon = r.tm_mon + 1,
		.year = r.tm_year + 1900,
	};
	if (r.tm_year < 70 || r.tm_year > 100000 || t.mon < 1 || t.mon > 12 ||
	    t.mday < 1 || t.mday > month_days(t.year, t.mon) ||
	    (unsigned)t.hour > 23 || (unsigned)t.min > 59 ||
	    (unsigned)t.sec > 59)
		return -EINVAL;
	return arch_rtc_write(&t);
}

static long
rtc_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	(void)f;
	switch (cmd) {
	case RTC_RD_TIME:
		return rtc_get(arg);
	case RTC_SET_TIME:
		return rtc_set(arg);
	}
	return -ENOTTY;
}

static unsigned
rtc_poll(struct file *f)
{
	(void)f;
	return 0;	/* no update interrupts are delivered */
}

const struct file_ops rtc_fops = {
	.ioctl = rtc_ioctl,
	.poll = rtc_poll,
};
