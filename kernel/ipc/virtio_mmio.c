/*
 * virtio-mmio slots, as QEMU microvm and Firecracker announce them: on the
 * kernel command line (virtio_mmio.device=SIZE@BASE:IRQ) or, with ACPI, as
 * "LNRO0005" devices in the DSDT; or as a device tree's "virtio,mmio"
 * nodes (QEMU virt on AArch64, through the arch). Slots share pages,
 * so a driver reaches its registers through pt_dev_cfg_read/write, which
 * stay inside its own window, never through a mapping.
 */
#include <kernel/devices.h>
#include <kernel/boot.h>
#include <kernel/string.h>
#include <kernel/printk.h>
#include <kernel/errno.h>
#include <arch/mmu.h>

#define VIRTIO_MMIO_MAGIC 0x74726976	/* "virt" */
#define REG_MAGIC 0x000
#define REG_VERSION 0x004
#define REG_DEVICE_ID 0x008
#define REG_VENDOR_ID 0x00c
#define REG_INT_STATUS 0x060
#define REG_INT_ACK 0x064
#define REG_STATUS 0x070

static uint64_t
parse_number(const char **sp)
{
	const char *s = *sp;
	uint64_t v = 0;
	unsigned base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (;; s++) {
		unsigned digit;
		if (*s >= '0' && *s <= '9')
			digit = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			digit = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			digit = (unsigned)(*s - 'A' + 10);
		else
			break;
		v = v * base + digit;
	}
	if (*s == 'K' || *s == 'k')
		v <<= 10, s++;
	else if (*s == 'M' || *s == 'm')
		v <<= 20, s++;
	*sp = s;
	return v;
}

static uint64_t slot_bases[DEV_MAX];	/* slots listed, against repeats */
static unsigned slot_count;

static volatile void *
reg(struct dev_desc *d, unsigned off)
{
	return (volatile char *)phys_to_virt(d->info.bar[0].base) + off;
}

static uint32_t
read32(struct dev_desc *d, unsigned off)
{
	return *(volatile uint32_t *)reg(d, off);
}

static void
add_slot(uint64_t size, uint64_t base, uint64_t irq)
{
	for (unsigned i = 0; i < slot_count; i++)
		if (slot_bases[i] == base)
			return;	/* announced twice */
	if (size < 0x100 || size > 0x10000 || base + size > (4ul << 30) ||
	    irq > 255) {
		printk("virtio-mmio: slot %lx@%lx:%lu ignored\n", size, base, irq);
		return;
	}
	struct dev_desc probe = { .info.bar[0] = { base, size, PT_BAR_MMIO, 0 } };
	if (read32(&probe, REG_MAGIC) != VIRTIO_MMIO_MAGIC ||
	    read32(&probe, REG_DEVICE_ID) == 0)
		return;	/* no device in this slot */
	if (slot_count < DEV_MAX)
		slot_bases[slot_count++] = base;
	struct dev_desc *d = dev_add();
	if (!d)
		return;
	d->info.bus = PT_BUS_MMIO;
	d->info.bar[0] = (struct pt_bar){ base, size, PT_BAR_MMIO, 0 };
	d->gsi = (uint32_t)irq;
	d->info.device = (uint16_t)read32(d, REG_DEVICE_ID);
	d->info.vendor = (uint16_t)read32(d, REG_VENDOR_ID);
	d->info.revision = (uint8_t)read32(d, REG_VERSION);
	d->info.nirqs = 1;
}

/* One "SIZE@BASE:IRQ" parameter value. */
static void
add_cmdline_slot(const char *s)
{
	uint64_t size = parse_number(&s);
	if (*s++ != '@')
		return;
	uint64_t base = parse_number(&s);
	if (*s++ != ':')
		return;
	add_slot(size, base, parse_number(&s));
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/*
 * After each "LNRO0005" name in the DSDT, the device's _CRS holds a
 * Memory32Fixed descriptor (0x86) and an extended interrupt (0x89): found
 * by pattern within the next bytes, which is all QEMU's AML needs.
 */
static void
scan_dsdt(void)
{
	const uint8_t *t;
	size_t len;
	if (!arch_acpi_dsdt(&t, &len))
		return;
	for (size_t i = 0; i + 8 <= len; i++) {
		if (memcmp(t + i, "LNRO0005", 8) != 0)
			continue;
		size_t end = MIN(len, i + 96);
		uint64_t base = 0, size = 0, irq = ~0ull;
		for (size_t j = i + 8; j + 12 <= end; j++) {
			if (!base && t[j] == 0x86 && t[j + 1] == 9 && t[j + 2] == 0) {
				base = le32(t + j + 4);
				size = le32(t + j + 8);
			} else if (irq == ~0ull && t[j] == 0x89 && t[j + 2] == 0 &&
				   t[j + 4] == 1 && t[j + 1] >= 6) {
				irq = le32(t + j + 5);
			}
		}
		if (base && irq != ~0ull)
			add_slot(size, base, irq);
	}
}

void
virtio_mmio_scan(void)
{
	static const char key[] = "virtio_mmio.device=";
	static struct mmio_slot slots[DEV_MAX];
	unsigned n = arch_virtio_mmio_slots(slots, DEV_MAX);
	for (unsigned i = 0; i < n; i++)
		add_slot(slots[i].size, slots[i].base, slots[i].irq);
	const char *s = boot_info.cmdline;
	while ((s = strstr(s, key)) != NULL) {
		if (s == boot_info.cmdline || s[-1] == ' ')
			add_cmdline_slot(s + sizeof(key) - 1);
		s += sizeof(key) - 1;
	}
	scan_dsdt();
}

long
virtio_mmio_reg(struct dev_desc *d, unsigned off, unsigned size, uint32_t val,
		bool write)
{
	if (!d->info.bar[0].size || off + size > d->info.bar[0].size)
		return -EINVAL;
	volatile void *r = reg(d, off);
	if (write) {
		if (size == 1)
			*(volatile uint8_t *)r = (uint8_t)val;
		else if (size == 2)
			*(volatile uint16_t *)r = (uint16_t)val;
		else
			*(volatile uint32_t *)r = val;
		return 0;
	}
	if (size == 1)
		return *(volatile uint8_t *)r;
	if (size == 2)
		return *(volatile uint16_t *)r;
	return *(volatile uint32_t *)r;
}

void
virtio_mmio_stop(struct dev_desc *d)
{
	if (d->info.bar[0].size)
		*(volatile uint32_t *)reg(d, REG_STATUS) = 0;
}

uint32_t
virtio_mmio_irq_take(struct dev_desc *d)
{
	uint32_t s = *(volatile uint32_t *)reg(d, REG_INT_STATUS);
	if (s)
		*(volatile uint32_t *)reg(d, REG_INT_ACK) = s;
	return s;
}
