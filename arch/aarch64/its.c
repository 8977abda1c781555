/*
 * GICv3's Interrupt Translation Service (Arm IHI 0069, chapter 5): MSI for
 * PCI functions where the GIC is v3 (QEMU virt with gic-version=3). A
 * function writes an event ID to GITS_TRANSLATER; the ITS looks up its
 * device (the requester ID: virt's msi-map is the identity) in the device
 * table, the event in that device's translation table, and raises the LPI
 * found there at the collection's redistributor, the boot CPU's. Set up
 * when the PCI functions are first listed (pci.c's arch_msi_available).
 * Big lock held.
 */
#include <kernel/cpu.h>
#include <kernel/page.h>
#include <kernel/printk.h>
#include <arch/boot.h>
#include <arch/mmu.h>
#include <arch/sysreg.h>
#include <arch/trap.h>

#define GITS_CTLR 0x0000
#define GITS_TYPER 0x0008
#define GITS_CBASER 0x0080
#define GITS_CWRITER 0x0088
#define GITS_CREADR 0x0090
#define GITS_BASER 0x0100
#define GITS_TRANSLATER 0x10040
#define GITS_TYPER_PTA (1ul << 19)	/* collections name redistributors
					   by address, not number */
#define BASER_VALID (1ul << 63)
#define BASER_TYPE(v) (((v) >> 56) & 7)
#define BASER_DEVICES 1
#define BASER_COLLECTIONS 4
/* Inner write-back cacheable, inner shareable: the tables are in RAM the
 * CPU writes through its caches. */
#define TABLE_ATTR ((7ul << 59) | (1ul << 10))
#define GICR_CTLR 0x0000
#define GICR_CTLR_ENABLE_LPIS (1u << 0)
#define GICR_TYPER 0x0008
#define GICR_PROPBASER 0x0070
#define GICR_PENDBASER 0x0078
#define REDIST_ATTR ((7ul << 7) | (1ul << 10))
#define PENDBASER_PTZ (1ul << 62)	/* the pending table is zeroed */

#define LPI_ID_BITS 14			/* INTIDs below 16384 */
#define LPI_PRIORITY 0xa0		/* gic.c's */
#define EVENT_BITS 8			/* a device's events: LPI indexes */
#define DEVICES_MAX 32
#define CMDQ_ENTRIES (PAGE_SIZE / 32)

static volatile uint8_t *its;
static uint8_t *lpi_config;		/* a byte an LPI from LPI_FIRST */
static uint64_t *cmdq;
static unsigned cmd_next;
static uint64_t rdbase;			/* MAPC's target: the boot CPU */
static bool its_failed;
static uint8_t lpi_vector[LPI_COUNT];	/* 0: free */
static uint32_t lpi_device[LPI_COUNT];
static uint32_t devices_mapped[DEVICES_MAX];
static unsigned ndevices;

static uint64_t
rd64(volatile uint8_t *base, unsigned off)
{
	return *(volatile uint64_t *)(base + off);
}

static void
wr64(volatile uint8_t *base, unsigned off, uint64_t v)
{
	*(volatile uint64_t *)(base + off) = v;
}

/* One command into the queue, then waits until the ITS has read it;
 * false if it did not (the ITS is then given up). */
static bool
its_cmd(uint64_t d0, uint64_t d1, uint64_t d2)
{
	uint64_t *c = cmdq + 4 * cmd_next;
	c[0] = d0, c[1] = d1, c[2] = d2, c[3] = 0;
	dsb(ishst);
	cmd_next = (cmd_next + 1) % CMDQ_ENTRIES;
	wr64(its, GITS_CWRITER, (uint64_t)cmd_next * 32);
	for (long spins = 0; spins < 10000000; spins++)
		if (rd64(its, GITS_CREADR) == (uint64_t)cmd_next * 32)
			return true;
	printk("its: a command was not taken; MSI given up\n");
	its_failed = true;
	return false;
}

#define CMD_SYNC 0x05
#define CMD_MAPD 0x08
#define CMD_MAPC 0x09
#define CMD_MAPTI 0x0a
#define CMD_INV 0x0c
#define CMD_DISCARD 0x0f

/* A zeroed table of 2^order pages, or 0. */
static paddr_t
table_alloc(unsigned order)
{
	void *p = page_alloc_kva(order);
	return p ? virt_to_phys(p) : 0;
}

/* The device and collection tables: one page each (device IDs up to
 * 4096 / entry size: bus 0 and more). */
static bool
tables_init(void)
{
	for (int n = 0; n < 8; n++) {
		uint64_t v = rd64(its, GITS_BASER + 8 * n);
		unsigned type = BASER_TYPE(v);
		if (type != BASER_DEVICES && type != BASER_COLLECTIONS)
			continue;
		paddr_t pa = table_alloc(0);
		if (!pa)
			return false;
		/* Keep the type and entry size; 4 KiB pages, one of them. */
		v &= (7ul << 56) | (0x1ful << 48);
		v |= BASER_VALID | TABLE_ATTR | pa;
		wr64(its, GITS_BASER + 8 * n, v);
	}
	return true;
}

/* The boot CPU's redistributor takes LPIs, from tables in RAM. */
static bool
redist_init(void)
{
	volatile uint8_t *rd = cpus[0].arch.gicr;
	/* 8 KiB of configuration: LPIs below 16384. */
	paddr_t prop = table_alloc(1);
	paddr_t pend = table_alloc(4);		/* 64 KiB aligned */
	if (!rd || !prop || !pend)
		return false;
	lpi_config = phys_to_virt(prop);
	wr64(rd, GICR_PROPBASER, prop | REDIST_ATTR | (LPI_ID_BITS - 1));
	wr64(rd, GICR_PENDBASER, pend | REDIST_ATTR | PENDBASER_PTZ);
	*(volatile uint32_t *)(rd + GICR_CTLR) |= GICR_CTLR_ENABLE_LPIS;
	dsb(sy);
	if (rd64(its, GITS_TYPER) & GITS_TYPER_PTA)
		rdbase = virt_to_phys((const void *)rd) & 0x000fffffffff0000ul;
	else	/* the processor number, GICR_TYPER[23:8] */
		rdbase = ((rd64(rd, GICR_TYPER) >> 8) & 0xffff) << 16;
	return true;
}

static bool
its_setup(void)
{
	if (its || its_failed)
		return its != NULL && !its_failed;
	its_failed = true;
	if (fdt.gic_version != 3 || !fdt.gic_its)
		return false;
	its = phys_to_virt(fdt.gic_its);
	paddr_t q = table_alloc(0);
	if (!q || !tables_init() || !redist_init())
		return false;
	cmdq = phys_to_virt(q);
	wr64(its, GITS_CBASER, BASER_VALID | TABLE_ATTR | q);
	wr64(its, GITS_CWRITER, 0);
	*(volatile uint32_t *)(its + GITS_CTLR) |= 1;	/* enabled */
	its_failed = false;
	if (!its_cmd(CMD_MAPC, 0, BASER_VALID | rdbase) ||
	    !its_cmd(CMD_SYNC, 0, rdbase))
		return false;
	pr_info("its: MSI by the GICv3 ITS at %#lx\n", fdt.gic_its);
	return true;
}

/* Set up here, when the kernel lists the PCI functions: a failure leaves
 * them on INTx. */
bool
its_available(void)
{
	return fdt.gic_version == 3 && fdt.gic_its &&
	       (!fdt.pci.msi_parent ||
		fdt.pci.msi_parent == fdt.gic_its_phandle) &&
	       its_setup();
}

/* The device's translation table exists (MAPD), once. */
static bool
device_map(uint32_t devid)
{
	for (unsigned i = 0; i < ndevices; i++)
		if (devices_mapped[i] == devid)
			return true;
	paddr_t itt = table_alloc(0);
	if (ndevices == DEVICES_MAX || !itt)
		return false;
	if (!its_cmd(CMD_MAPD | (uint64_t)devid << 32, EVENT_BITS - 1,
		     BASER_VALID | itt))
		return false;
	devices_mapped[ndevices++] = devid;
	return true;
}

int
its_message(uint32_t devid, int vector, uint64_t *addr, uint32_t *data)
{
	if (!its_setup())
		return -1;
	int free = -1;
	for (int i = 0; i < LPI_COUNT; i++) {
		if (lpi_vector[i] == vector && lpi_device[i] == devid)
			free = i;
		else if (free < 0 && !lpi_vector[i])
			free = i;
	}
	if (free < 0 || !device_map(devid))
		return -1;
	if (lpi_vector[free] != vector) {
		uint64_t dev = (uint64_t)devid << 32, event = (uint64_t)free;
		lpi_config[free] = LPI_PRIORITY | 1;	/* enabled */
		dsb(ishst);
		if (!its_cmd(CMD_MAPTI | dev,
			     event | (uint64_t)(LPI_FIRST + free) << 32, 0) ||
		    !its_cmd(CMD_INV | dev, event, 0) ||
		    !its_cmd(CMD_SYNC, 0, rdbase))
			return -1;
		lpi_vector[free] = (uint8_t)vector;
		lpi_device[free] = devid;
	}
	*addr = fdt.gic_its + GITS_TRANSLATER;
	*data = (uint32_t)free;
	return LPI_FIRST + free;
}

int
its_lpi_vector(int intid)
{
	int i = intid - LPI_FIRST;
	return i >= 0 && i < LPI_COUNT ? lpi_vector[i] : 0;
}

void
its_free_vector(int vector)
{
	for (int i = 0; i < LPI_COUNT && its && !its_failed; i++) {
		if (lpi_vector[i] != vector)
			continue;
		lpi_config[i] = 0;	/* disabled */
		its_cmd(CMD_DISCARD | (uint64_t)lpi_device[i] << 32,
			(uint64_t)i, 0);
		its_cmd(CMD_SYNC, 0, rdbase);
		lpi_vector[i] = 0;
	}
}
