/*
 * PCI functions for servers: the scan (through bridges), BAR sizes, the
 * MSI-X table (or INTx where MSI does not reach a CPU), and configuration
 * access filtered so that a driver cannot move its BARs or aim its
 * interrupts: the kernel owns those registers.
 */
#include <kernel/devices.h>
#include <kernel/mmu.h>
#include <kernel/printk.h>
#include <kernel/errno.h>
#include <arch/mmu.h>

#define PCI_COMMAND 0x04
#define PCI_COMMAND_IO 0x1
#define PCI_COMMAND_MEMORY 0x2
#define PCI_COMMAND_MASTER 0x4
#define PCI_COMMAND_INTX_OFF 0x400
#define PCI_STATUS 0x06
#define PCI_STATUS_INTX 0x08
#define PCI_STATUS_CAPS 0x10
#define PCI_INTERRUPT_PIN 0x3d
#define PCI_CAP_MSI 0x05
#define PCI_CAP_VENDOR 0x09
#define PCI_CAP_MSIX 0x11
#define VIRTIO_VENDOR 0x1af4
#define VIRTIO_CAP_ISR 3	/* virtio 1.x, 4.1.4: the ISR status */
#define MSIX_ENABLE 0x8000
#define MSIX_FUNCTION_MASK 0x4000
#define CFG_LEGACY_SIZE 256

static uint32_t
cfg_read(struct dev_desc *d, unsigned off, unsigned size)
{
	return arch_pci_cfg_read(d->info.pci_addr, off, size);
}

static void
cfg_write(struct dev_desc *d, unsigned off, unsigned size, uint32_t val)
{
	arch_pci_cfg_write(d->info.pci_addr, off, size, val);
}

/* Sizes the BARs; decoding is off meanwhile so no window moves under use. */
static void
read_bars(struct dev_desc *d)
{
	uint32_t cmd = cfg_read(d, PCI_COMMAND, 2);
	cfg_write(d, PCI_COMMAND, 2, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (int i = 0; i < 6; i++) {
		unsigned reg = 0x10 + 4 * i;
		uint32_t orig = cfg_read(d, reg, 4);
		cfg_write(d, reg, 4, 0xffffffff);
		uint32_t mask = cfg_read(d, reg, 4);
		cfg_write(d, reg, 4, orig);
		struct pt_bar *b = &d->info.bar[i];
		if (orig & 1) {
			b->base = orig & ~3u;
			b->size = mask ? (~(mask & ~3u) + 1) & 0xffff : 0;
			b->flags = PT_BAR_IO;
			continue;
		}
		uint64_t base = orig & ~0xfu, size_mask = mask & ~0xfu;
		b->flags = PT_BAR_MMIO | ((orig & 8) ? PT_BAR_PREFETCH : 0);
		if (((orig >> 1) & 3) == 2 && i < 5) {
			uint32_t hi = cfg_read(d, reg + 4, 4);
			cfg_write(d, reg + 4, 4, 0xffffffff);
			uint32_t hmask = cfg_read(d, reg + 4, 4);
			cfg_write(d, reg + 4, 4, hi);
			base |= (uint64_t)hi << 32;
			size_mask |= (uint64_t)hmask << 32;
			b->flags |= PT_BAR_64;
			b->base = base;
			b->size = size_mask ? ~size_mask + 1 : 0;
			i++;	/* the upper half is not a BAR of its own */
			continue;
		}
		b->base = base;
		b->size = size_mask ? (uint32_t)(~size_mask + 1) : 0;
	}
	cfg_write(d, PCI_COMMAND, 2, cmd);
}

/* A virtio function's ISR status register, from its capability. */
static void
read_virtio_isr(struct dev_desc *d, unsigned cap)
{
	if (d->info.vendor != VIRTIO_VENDOR ||
	    cfg_read(d, cap + 3, 1) != VIRTIO_CAP_ISR)
		return;
	unsigned bar = cfg_read(d, cap + 4, 1);
	uint32_t off = cfg_read(d, cap + 8, 4);
	if (bar < 6 && (d->info.bar[bar].flags & PT_BAR_MMIO) &&
	    off < d->info.bar[bar].size)
		d->virtio_isr = d->info.bar[bar].base + off;
}

/* No MSI-X: the function's INTx line, where the arch knows it. */
static void
read_intx(struct dev_desc *d)
{
	unsigned pin = cfg_read(d, PCI_INTERRUPT_PIN, 1);
	uint32_t line = pin >= 1 && pin <= 4 ?
			arch_pci_intx(d->info.pci_addr, pin) : 0;
	if (!line)
		return;
	d->intx = true;
	d->gsi = line;
	d->info.nirqs = 1;
}

static void
read_caps(struct dev_desc *d)
{
	if (!(cfg_read(d, PCI_STATUS, 2) & PCI_STATUS_CAPS)) {
		read_intx(d);
		return;
	}
	unsigned cap = cfg_read(d, 0x34, 1) & 0xfc;
	for (int n = 0; cap >= 0x40 && n < 48; n++) {
		unsigned id = cfg_read(d, cap, 1);
		if (id == PCI_CAP_MSIX) {
			uint32_t table = cfg_read(d, cap + 4, 4);
			uint32_t pba = cfg_read(d, cap + 8, 4);
			d->msix_cap = (uint8_t)cap;
			d->msix_size = (cfg_read(d, cap + 2, 2) & 0x7ff) + 1;
			d->msix_bar = table & 7;
			d->msix_off = table & ~7u;
			d->pba_bar = pba & 7;
			d->pba_off = pba & ~7u;
		} else if (id == PCI_CAP_MSI) {
			d->msi_cap = (uint8_t)cap;
		} else if (id == PCI_CAP_VENDOR) {
			read_virtio_isr(d, cap);
		}
		cap = cfg_read(d, cap + 1, 1) & 0xfc;
	}
	if (d->msix_cap && d->msix_bar < 6 && d->pba_bar < 6 &&
	    arch_msi_available())
		d->info.nirqs = MIN(d->msix_size, DEV_IRQ_MAX);
	else
		read_intx(d);
}

static void scan_bus(unsigned bus, int depth);

static void
scan_function(unsigned bus, unsigned dev, unsigned fn, int depth)
{
	uint32_t bdf = bus << 8 | dev << 3 | fn;
	uint32_t id = arch_pci_cfg_read(bdf, 0, 4);
	uint32_t class = arch_pci_cfg_read(bdf, 0x08, 4);
	if ((class >> 24) == 0x06) {	/* bridges: follow, do not list */
		/* A bridge no firmware numbered says secondary bus 0. */
		unsigned secondary = arch_pci_cfg_read(bdf, 0x19, 1);
		if (((class >> 16) & 0xff) == 0x04 && depth < 8 &&
		    secondary > bus)
			scan_bus(secondary, depth + 1);
		return;
	}
	struct dev_desc *d = dev_add();
	if (!d) {
		printk("pci: %02x:%02x.%x left out (more than %d devices,"
		       " or no memory)\n", bus, dev, fn, DEV_MAX);
		return;
	}
	d->info.bus = PT_BUS_PCI;
	d->info.pci_addr = bdf;
	d->info.vendor = id & 0xffff;
	d->info.device = id >> 16;
	d->info.class_code = class >> 24;
	d->info.subclass = (class >> 16) & 0xff;
	d->info.prog_if = (class >> 8) & 0xff;
	d->info.revision = class & 0xff;
	read_bars(d);
	read_caps(d);
}

static void
scan_bus(unsigned bus, int depth)
{
	for (unsigned dev = 0; dev < 32; dev++) {
		uint32_t bdf = bus << 8 | dev << 3;
		if ((arch_pci_cfg_read(bdf, 0, 2) & 0xffff) == 0xffff)
			continue;
		unsigned fns = (arch_pci_cfg_read(bdf, 0x0e, 1) & 0x80) ? 8 : 1;
		for (unsigned fn = 0; fn < fns; fn++)
			if ((arch_pci_cfg_read(bdf | fn, 0, 2) & 0xffff) != 0xffff)
				scan_function(bus, dev, fn, depth);
	}
}

void
pci_scan(void)
{
	scan_bus(0, 0);
}

long
pci_cfg_read_checked(struct dev_desc *d, unsigned off, unsigned size)
{
	if (off + size > CFG_LEGACY_SIZE)
		return -EINVAL;
	return cfg_read(d, off, size);
}

static bool
overlaps(unsigned off, unsigned size, unsigned start, unsigned len)
{
	return start && off < start + len && off + size > start;
}

long
pci_cfg_write_checked(struct dev_desc *d, unsigned off, unsigned size,
		      uint32_t val)
{
	if (off + size > CFG_LEGACY_SIZE)
		return -EINVAL;
	if (off == PCI_COMMAND && size <= 2) {
		/* Decoding and bus mastering only; INTx stays as the kernel set it. */
		uint32_t keep = PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
		uint32_t cmd = cfg_read(d, PCI_COMMAND, 2);
		cfg_write(d, PCI_COMMAND, 2, (cmd & ~keep) | (val & keep));
		return 0;
	}
	if (off < 0x40 || overlaps(off, size, d->msix_cap, 12) ||
	    overlaps(off, size, d->msi_cap, 24))
		return -EPERM;	/* identity, BARs and interrupt routing */
	cfg_write(d, off, size, val);
	return 0;
}

/* The kernel's view of MSI-X table entry `index`, or NULL if unreachable. */
static volatile uint32_t *
msix_entry(struct dev_desc *d, unsigned index)
{
	paddr_t pa = d->info.bar[d->msix_bar].base + d->msix_off + 16ul * index;
	if (!(d->info.bar[d->msix_bar].flags & PT_BAR_MMIO) || pa + 16 > (4ul << 30))
		return NULL;	/* the direct map covers the low 4 GiB */
	return phys_to_virt(pa);
}

void
pci_msix_mask(struct dev_desc *d, unsigned index, bool mask)
{
	volatile uint32_t *e = msix_entry(d, index);
	if (e)
		e[3] = mask ? 1 : 0;
}

void
pci_msix_route(struct dev_desc *d, unsigned index, int vector)
{
	volatile uint32_t *e = msix_entry(d, index);
	uint64_t addr;
	uint32_t data;
	if (!e) {
		printk("pci: %02x:%02x.%x: MSI-X table out of reach\n",
		       d->info.pci_addr >> 8, (d->info.pci_addr >> 3) & 31,
		       d->info.pci_addr & 7);
		return;
	}
	arch_msi_message(d->info.pci_addr, vector, &addr, &data);
	e[3] = 1;
	e[0] = (uint32_t)addr;
	e[1] = (uint32_t)(addr >> 32);
	e[2] = data;
	e[3] = 0;
	uint32_t ctl = cfg_read(d, d->msix_cap + 2, 2);
	cfg_write(d, d->msix_cap + 2, 2, (ctl | MSIX_ENABLE) & ~MSIX_FUNCTION_MASK);
	cfg_write(d, PCI_COMMAND, 2,
		  cfg_read(d, PCI_COMMAND, 2) | PCI_COMMAND_INTX_OFF);
}

static bool
range_hits(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	a = ALIGN_DOWN(a, PAGE_SIZE);
	alen = ALIGN_UP(alen, PAGE_SIZE);
	return a < b + blen && b < a + alen;
}

bool
pci_msix_overlaps(struct dev_desc *d, unsigned bar, uint64_t off, uint64_t len)
{
	if (!d->msix_cap)
		return false;
	uint64_t table_len = 16ul * d->msix_size;
	uint64_t pba_len = 8ul * ((d->msix_size + 63) / 64);
	return (bar == d->msix_bar &&
		range_hits(off, len, ALIGN_DOWN(d->msix_off, PAGE_SIZE),
			   ALIGN_UP(d->msix_off + table_len, PAGE_SIZE) -
				   ALIGN_DOWN(d->msix_off, PAGE_SIZE))) ||
	       (bar == d->pba_bar &&
		range_hits(off, len, ALIGN_DOWN(d->pba_off, PAGE_SIZE),
			   ALIGN_UP(d->pba_off + pba_len, PAGE_SIZE) -
				   ALIGN_DOWN(d->pba_off, PAGE_SIZE)));
}

uint32_t
pci_intx_take(struct dev_desc *d)
{
	/* Reading a virtio ISR status acknowledges it (virtio 1.x, 4.1.4.5). */
	if (d->virtio_isr)
		return *(volatile uint8_t *)phys_to_virt(d->virtio_isr);
	if (!(cfg_read(d, PCI_STATUS, 2) & PCI_STATUS_INTX))
		return 0;
	cfg_write(d, PCI_COMMAND, 2,
		  cfg_read(d, PCI_COMMAND, 2) | PCI_COMMAND_INTX_OFF);
	return 1;
}

void
pci_intx_unmask(struct dev_desc *d)
{
	if (d->intx && !d->virtio_isr)
		cfg_write(d, PCI_COMMAND, 2,
			  cfg_read(d, PCI_COMMAND, 2) & ~PCI_COMMAND_INTX_OFF);
}

void
pci_stop(struct dev_desc *d)
{
	uint32_t cmd = cfg_read(d, PCI_COMMAND, 2);
	cfg_write(d, PCI_COMMAND, 2, cmd & ~PCI_COMMAND_MASTER);
	if (d->msix_cap) {
		uint32_t ctl = cfg_read(d, d->msix_cap + 2, 2);
		cfg_write(d, d->msix_cap + 2, 2, ctl & ~MSIX_ENABLE);
	}
}
