/*
 * Guest program for system/clock-log: the error cases of setting the clock
 * (clock_settime, settimeofday, RTC_SET_TIME on /dev/rtc0) and of the
 * kernel log (syslog(2)), first as root, then as uid 65534, for whom each
 * is refused. Prints one line per probe: its name and the result.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define RTC_RD_TIME 0x80247009
#define RTC_SET_TIME 0x4024700a

static const char *
errname(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EINVAL: return "EINVAL";
	case EFAULT: return "EFAULT";
	case ENOTTY: return "ENOTTY";
	}
	return strerror(e);
}

static void
show(const char *name, long r)
{
	if (r < 0)
		printf("%s: %s\n", name, errname(errno));
	else
		printf("%s: %ld\n", name, r);
}

static void
as_root(int rtc)
{
	struct timespec ts = { 1, 0 }, bad = { 1, 1000000000 };
	struct tm tm;
	char buf[4096];

	show("settime monotonic", clock_settime(CLOCK_MONOTONIC, &ts));
	show("settime bad nsec", clock_settime(CLOCK_REALTIME, &bad));
	show("rtc read", ioctl(rtc, RTC_RD_TIME, &tm));
	tm.tm_mon = 12;
	show("rtc set month 12", ioctl(rtc, RTC_SET_TIME, &tm));
	show("rtc other ioctl", ioctl(rtc, 0x7001));
	show("syslog size", klogctl(10, NULL, 0) > 0 ? 0 : -1);
	long n = klogctl(3, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	show("syslog read_all has Petrel", strstr(buf, "Petrel") ? 0 : -1);
	show("syslog read_all len -1", klogctl(3, buf, -1));
	show("syslog console level 9", klogctl(8, NULL, 9));
	show("syslog bad action", klogctl(99, NULL, 0));
}

static void
as_nobody(int rtc)
{
	struct timespec ts = { 2000000000, 0 };
	struct timeval tv = { 2000000000, 0 };
	struct tm tm;
	char buf[64];

	if (setuid(65534) < 0) {
		perror("setuid");
		return;
	}
	show("user clock_settime", clock_settime(CLOCK_REALTIME, &ts));
	show("user settimeofday", settimeofday(&tv, NULL));
	show("user syslog read_all", klogctl(3, buf, sizeof(buf)));
	show("user syslog size", klogctl(10, NULL, 0));
	show("user rtc read", ioctl(rtc, RTC_RD_TIME, &tm) < 0 ? -1 : 0);
	show("user rtc set", ioctl(rtc, RTC_SET_TIME, &tm));
	show("user open rtc0", open("/dev/rtc0", O_RDONLY));
}

int
main(void)
{
	int rtc = open("/dev/rtc", O_RDONLY);
	show("open /dev/rtc", rtc < 0 ? -1 : 0);
	as_root(rtc);
	as_nobody(rtc);
	return 0;
}
