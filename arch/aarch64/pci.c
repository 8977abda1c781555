/*
 * PCIe on a device-tree machine (QEMU virt): configuration space through
 * the host bridge's ECAM window ("pci-host-ecam-generic", fdt.c), and the
 * BARs that no firmware assigned (QEMU's -kernel boot runs none) placed in
 * the bridge's 32-bit memory and I/O windows, memory decoding on. Done
 * once, when the kernel first lists the devices (kernel/ipc/pci.c), so a
 * boot that never asks pays nothing. MSI goes to a GICv2m frame (irq.c);
 * without one, INTx through the bridge's interrupt-map. The ACPI DSDT
 * does not exist here.
 */
#include <kernel/devices.h>
#include <kernel/printk.h>
#include <arch/boot.h>
#include <arch/mmu.h>
#include <arch/trap.h>

#define PCI_COMMAND 0x04
#define PCI_COMMAND_IO 0x1
#define PCI_COMMAND_MEMORY 0x2
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define ECAM_BUS_SHIFT 20	/* 1 MiB of configuration space a bus */
#define ECAM_FN_SHIFT 12	/* 4 KiB a function */

static volatile uint8_t *ecam;	/* NULL: no host bridge (all ones) */
static bool host_done;

/* A window's unassigned part, as PCI addresses (the same as the CPU's on
 * QEMU virt; a window where they differ is not used). */
struct window {
	uint64_t next, end;
};

/* The register's address in the ECAM window; NULL past the bus range. */
static volatile uint8_t *
cfg_addr(uint32_t bdf, unsigned off)
{
	unsigned bus = bdf >> 8;
	if (!ecam || bus < fdt.pci.bus_first || bus > fdt.pci.bus_last ||
	    off >= 4096)
		return NULL;
	return ecam + ((uint64_t)(bus - fdt.pci.bus_first) << ECAM_BUS_SHIFT |
		       (uint64_t)(bdf & 0xff) << ECAM_FN_SHIFT | off);
}

static uint32_t
ecam_read(uint32_t bdf, unsigned off, unsigned size)
{
	volatile uint8_t *p = cfg_addr(bdf, off);
	if (!p)
		return size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
	if (size == 1)
		return *p;
	if (size == 2)
		return *(volatile uint16_t *)p;
	return *(volatile uint32_t *)p;
}

static void
ecam_write(uint32_t bdf, unsigned off, unsigned size, uint32_t val)
{
	volatile uint8_t *p = cfg_addr(bdf, off);
	if (!p)
		return;
	if (size == 1)
		*p = (uint8_t)val;
	else if (size == 2)
		*(volatile uint16_t *)p = (uint16_t)val;
	else
		*(volatile uint32_t *)p = val;
}

/* size bytes aligned to their size from w; 0 when the window is full. */
static uint64_t
window_take(struct window *w, uint64_t size)
{
	uint64_t at = ALIGN_UP(w->next, size);
	if (size == 0 || at < w->next || at + size > w->end || at + size < at)
		return 0;
	w->next = at + size;
	return at;
}

/* One BAR (and the next, for a 64-bit one) sized and placed; the number
 * of registers it took. Decoding is off meanwhile. */
static int
assign_bar(uint32_t bdf, int i, struct window *mem, struct window *io,
	   uint32_t *decode)
{
	unsigned reg = PCI_BAR0 + 4 * i;
	ecam_write(bdf, reg, 4, 0xffffffff);
	uint32_t mask = ecam_read(bdf, reg, 4);
	if (mask == 0)
		return 1;	/* not implemented */
	if (mask & 1) {
		uint64_t at = window_take(io, (~(mask & ~3u) + 1) & 0xffff);
		ecam_write(bdf, reg, 4, (uint32_t)at);
		*decode |= at ? PCI_COMMAND_IO : 0;
		return 1;
	}
	bool is64 = ((mask >> 1) & 3) == 2 && i < 5;
	uint64_t size_mask = mask & ~0xfu;
	if (is64) {
		ecam_write(bdf, reg + 4, 4, 0xffffffff);
		size_mask |= (uint64_t)ecam_read(bdf, reg + 4, 4) << 32;
	} else {
		size_mask |= 0xffffffff00000000ul;
	}
	uint64_t at = window_take(mem, ~size_mask + 1);
	if (!at)
		printk("pci: %02x:%02x.%x: no room for BAR %d (%#lx bytes)\n",
		       bdf >> 8, (bdf >> 3) & 31, bdf & 7, i, ~size_mask + 1);
	ecam_write(bdf, reg, 4, (uint32_t)at);
	if (is64)
		ecam_write(bdf, reg + 4, 4, (uint32_t)(at >> 32));
	*decode |= at ? PCI_COMMAND_MEMORY : 0;
	return is64 ? 2 : 1;
}

/* A function's BARs, unless firmware set it up already (decoding on). */
static void
assign_function(uint32_t bdf, struct window *mem, struct window *io)
{
	uint32_t cmd = ecam_read(bdf, PCI_COMMAND, 2);
	if (cmd & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY))
		return;
	if ((ecam_read(bdf, PCI_HEADER_TYPE, 1) & 0x7f) != 0)
		return;	/* a bridge: nothing set up behind it (aarch64.md) */
	uint32_t decode = 0;
	uint64_t first = mem->next;
	for (int i = 0; i < 6;)
		i += assign_bar(bdf, i, mem, io, &decode);
	ecam_write(bdf, PCI_COMMAND, 2, cmd | decode);
	if (decode)
		pr_info("pci %02x:%02x.%x: [%04x:%04x] BARs in %#lx-%#lx\n",
			bdf >> 8, (bdf >> 3) & 31, bdf & 7,
			ecam_read(bdf, 0, 2), ecam_read(bdf, 2, 2), first,
			mem->next);
}

/* Every function of the root bus gets its BARs. */
static void
assign_bars(void)
{
	const struct fdt_window *m = &fdt.pci.mem32, *o = &fdt.pci.io;
	struct window mem = { 0, 0 }, io = { 0, 0 };
	if (m->size && m->cpu == m->pci)
		mem = (struct window){ m->pci, m->pci + m->size };
	if (o->size)	/* port 0 reads as unassigned: start above it */
		io = (struct window){ MAX(o->pci, 0x1000ul), o->pci + o->size };
	unsigned bus = fdt.pci.bus_first;
	for (unsigned dev = 0; dev < 32; dev++) {
		uint32_t bdf = bus << 8 | dev << 3;
		if ((ecam_read(bdf, 0, 2) & 0xffff) == 0xffff)
			continue;
		bool multi = ecam_read(bdf, PCI_HEADER_TYPE, 1) & 0x80;
		unsigned fns = multi ? 8 : 1;
		for (unsigned fn = 0; fn < fns; fn++)
			if ((ecam_read(bdf | fn, 0, 2) & 0xffff) != 0xffff)
				assign_function(bdf | fn, &mem, &io);
	}
}

/* The ECAM window mapped (it lies above RAM on QEMU virt) and the BARs
 * placed, on the first configuration access. Big lock held. */
static void
host_setup(void)
{
	host_done = true;
	if (!fdt.pci.ecam || fdt.pci.bus_last < fdt.pci.bus_first)
		return;
	uint64_t size = (uint64_t)(fdt.pci.bus_last - fdt.pci.bus_first + 1)
			<< ECAM_BUS_SHIFT;
	size = MIN(size, fdt.pci.ecam_size);
	if (!mmu_map_device(fdt.pci.ecam, size)) {
		printk("pci: ECAM at %#lx cannot be mapped\n", fdt.pci.ecam);
		return;
	}
	ecam = phys_to_virt(fdt.pci.ecam);
	assign_bars();
}

uint32_t
arch_pci_cfg_read(uint32_t bdf, unsigned off, unsigned size)
{
	if (!host_done)
		host_setup();
	return ecam_read(bdf, off, size);
}

void
arch_pci_cfg_write(uint32_t bdf, unsigned off, unsigned size, uint32_t val)
{
	if (!host_done)
		host_setup();
	ecam_write(bdf, off, size, val);
}

/* Messages reach a CPU through a GICv2m frame or a GICv3 ITS, if the
 * bridge's MSI parent is one. */
bool
arch_msi_available(void)
{
	uint32_t parent = fdt.pci.msi_parent;
	return (fdt.gic_v2m && (!parent || parent == fdt.gic_v2m_phandle)) ||
	       its_available();
}

/* The SPI of the interrupt-map entry for the device's number and pin: a
 * function of the root bus only (behind a bridge the pin would be
 * swizzled, and no bridge is set up here). */
uint32_t
arch_pci_intx(uint32_t bdf, unsigned pin)
{
	if ((bdf >> 8) != fdt.pci.bus_first)
		return 0;
	uint32_t devfn = ((bdf & 0xff) << 8) & fdt.pci.intx_mask_devfn;
	pin &= fdt.pci.intx_mask_pin;
	for (int i = 0; i < fdt.pci.intx_count; i++) {
		const struct fdt_intx *e = &fdt.pci.intx[i];
		if (e->devfn != devfn || e->pin != pin)
			continue;
		pr_info("pci %02x:%02x.%x: INTx pin %c on INTID %d\n", bdf >> 8,
			(bdf >> 3) & 31, bdf & 7, 'A' + pin - 1, e->intid);
		return (uint32_t)e->intid;
	}
	return 0;
}

bool
arch_acpi_dsdt(const uint8_t **table, size_t *len)
{
	*table = NULL;
	*len = 0;
	return false;
}
