/*
 * The CMOS real-time clock (MC146818): read at boot for the wall clock,
 * and read or set through /dev/rtc0 (hwclock). Registers hold BCD or
 * binary and 12- or 24-hour values as register B says; the clock holds
 * UTC, and only years 2000-2099 (no century register is trusted).
 */
#include <kernel/arch.h>
#include <kernel/rtc.h>
#include <kernel/errno.h>
#include <arch/cpu.h>

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define RTC_REG_A 0x0a
#define RTC_REG_B 0x0b
#define RTC_A_UIP 0x80		/* an update is under way */
#define RTC_B_SET 0x80		/* updates halted while we write */
#define RTC_B_BINARY 0x04
#define RTC_B_24H 0x02
#define RTC_PM 0x80		/* in the hour register, 12-hour mode */

static uint64_t rtc_boot_seconds;

static uint8_t
cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static void
cmos_write(uint8_t reg, uint8_t v)
{
	outb(CMOS_INDEX, reg);
	outb(CMOS_DATA, v);
}

static int
from_bcd(uint8_t v, bool is_bcd)
{
	return is_bcd ? (v & 15) + (v >> 4) * 10 : v;
}

static uint8_t
to_bcd(int v, bool is_bcd)
{
	return is_bcd ? (uint8_t)((v / 10) << 4 | v % 10) : (uint8_t)v;
}

static int
hour_from_cmos(uint8_t hr, uint8_t b, bool is_bcd)
{
	int h = from_bcd(hr & 0x7f, is_bcd);
	if (!(b & RTC_B_24H))	/* 12 AM is 0 h, 12 PM is 12 h */
		h = h % 12 + (hr & RTC_PM ? 12 : 0);
	return h;
}

static uint8_t
hour_to_cmos(int h, uint8_t b, bool is_bcd)
{
	if (b & RTC_B_24H)
		return to_bcd(h, is_bcd);
	int h12 = h % 12 ? h % 12 : 12;
	return to_bcd(h12, is_bcd) | (h >= 12 ? RTC_PM : 0);
}

/* Reads the clock now. Returns 0, or -EIO when it holds no valid date. */
int
arch_rtc_read(struct rtc_time_k *t)
{
	while (cmos_read(RTC_REG_A) & RTC_A_UIP)
		pause();
	uint8_t b = cmos_read(RTC_REG_B);
	bool is_bcd = !(b & RTC_B_BINARY);
	t->sec = from_bcd(cmos_read(0), is_bcd);
	t->min = from_bcd(cmos_read(2), is_bcd);
	t->hour = hour_from_cmos(cmos_read(4), b, is_bcd);
	t->mday = from_bcd(cmos_read(7), is_bcd);
	t->mon = from_bcd(cmos_read(8), is_bcd);
	t->year = from_bcd(cmos_read(9), is_bcd) + 2000;
	if (t->mon < 1 || t->mon > 12 || t->mday < 1 || t->mday > 31 ||
	    t->hour > 23 || t->min > 59 || t->sec > 59)
		return -EIO;
	return 0;
}

/* Sets the clock. Returns 0, or -EINVAL for a year it cannot hold. The
 * caller has checked the other fields. */
int
arch_rtc_write(const struct rtc_time_k *t)
{
	if (t->year < 2000 || t->year > 2099)
		return -EINVAL;
	uint8_t b = cmos_read(RTC_REG_B);
	bool is_bcd = !(b & RTC_B_BINARY);
	cmos_write(RTC_REG_B, b | RTC_B_SET);
	cmos_write(0, to_bcd(t->sec, is_bcd));
	cmos_write(2, to_bcd(t->min, is_bcd));
	cmos_write(4, hour_to_cmos(t->hour, b, is_bcd));
	cmos_write(7, to_bcd(t->mday, is_bcd));
	cmos_write(8, to_bcd(t->mon, is_bcd));
	cmos_write(9, to_bcd(t->year - 2000, is_bcd));
	cmos_write(RTC_REG_B, b & ~RTC_B_SET);
	return 0;
}

void
arch_rtc_init(void)
{
	struct rtc_time_k t;
	if (arch_rtc_read(&t) == 0)
		rtc_boot_seconds = (uint64_t)rtc_time_seconds(&t);
}

uint64_t
arch_rtc_seconds(void)
{
	return rtc_boot_seconds;
}
