/*
 * Unit test of the calendar arithmetic in <kernel/rtc.h> (the boot wall
 * clock and /dev/rtc0): known dates, and every day from 1900 to 2400
 * against the host's timegm.
 */
#define _DEFAULT_SOURCE
#include <kernel/types.h>
#include <kernel/rtc.h>

#include <stdio.h>
#include <string.h>
#include <time.h>
#include "check.h"

static void
test_known(void)
{
	struct rtc_time_k t = { 9, 8, 7, 6, 5, 2031 };

	CHECK_EQ(rtc_days_from_civil(1970, 1, 1), 0);
	CHECK_EQ(rtc_days_from_civil(1969, 12, 31), -1);
	CHECK_EQ(rtc_days_from_civil(2000, 3, 1), 11017);
	CHECK_EQ(rtc_time_seconds(&t), 1935817689);
}

/* Each day's number follows the previous one's, and agrees with timegm. */
static void
test_days(void)
{
	struct tm tm;
	int64_t prev = rtc_days_from_civil(1900, 1, 1) - 1;

	for (int y = 1900; y <= 2400; y++)
		for (int m = 1; m <= 12; m++)
			for (int d = 1; d <= 31; d++) {
				memset(&tm, 0, sizeof(tm));
				tm.tm_year = y - 1900;
				tm.tm_mon = m - 1;
				tm.tm_mday = d;
				time_t s = timegm(&tm);
				if (tm.tm_mday != d)
					continue;	/* no such day */
				int64_t days = rtc_days_from_civil(y, m, d);
				CHECK_EQ(days, prev + 1);
				CHECK_EQ(days * 86400, (int64_t)s);
				prev = days;
			}
}

int
main(void)
{
	test_known();
	test_days();
	return check_done("test_rtc");
}
