/*
 * The real-time clock: QEMU virt's PL031 (`arm,pl031` in the device tree),
 * whose data register counts seconds since the epoch, in UTC.
 */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/rtc.h>
#include <arch/boot.h>
#include <arch/mmu.h>

#define RTC_DR 0x00	/* the count, read */
#define RTC_LR 0x08	/* the count, set */

static uint64_t rtc_boot_seconds;

static volatile uint32_t *
rtc_regs(void)
{
	return fdt.rtc ? phys_to_virt(fdt.rtc) : NULL;
}

void
arch_rtc_init(void)
{
	volatile uint32_t *r = rtc_regs();
	rtc_boot_seconds = r ? r[RTC_DR / 4] : 0;
}

uint64_t
arch_rtc_seconds(void)
{
	return rtc_boot_seconds;
}

/* The civil date of a day count from 1970-01-01 (the inverse of
 * rtc_days_from_civil). */
static void
civil_from_days(int64_t z, struct rtc_time_k *t)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	t->mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	t->mon = (int)(mp < 10 ? mp + 3 : mp - 9);
	t->year = (int)(yoe + era * 400 + (t->mon <= 2));
}

int
arch_rtc_read(struct rtc_time_k *t)
{
	volatile uint32_t *r = rtc_regs();
	if (!r)
		return -EIO;
	uint64_t s = r[RTC_DR / 4];
	civil_from_days((int64_t)(s / 86400), t);
	t->hour = (int)(s % 86400 / 3600);
	t->min = (int)(s % 3600 / 60);
	t->sec = (int)(s % 60);
	return 0;
}

/* The PL031 holds 32 bits of seconds: up to 2106. */
int
arch_rtc_write(const struct rtc_time_k *t)
{
	volatile uint32_t *r = rtc_regs();
	if (!r)
		return -EIO;
	int64_t s = rtc_time_seconds(t);
	if (s < 0 || s > 0xffffffffll)
		return -EINVAL;
	r[RTC_LR / 4] = (uint32_t)s;
	return 0;
}
