/*
 * The interrupt controller: GICv3 (the distributor, this CPU's
 * redistributor, the CPU interface's system registers) or GICv2 (the
 * distributor and the memory-mapped CPU interface), whichever the device
 * tree names (QEMU virt: v3 by default, v2 with gic-version=2). Every
 * interrupt is group 1, non-secure, one priority; SPIs go to the boot
 * CPU, SGIs wake the others.
 */
#include <kernel/cpu.h>
#include <kernel/printk.h>
#include <arch/boot.h>
#include <arch/mmu.h>
#include <arch/sysreg.h>
#include <arch/trap.h>

/* Distributor (both versions). */
#define GICD_CTLR 0x000
#define GICD_IGROUPR 0x080
#define GICD_ISENABLER 0x100
#define GICD_ICENABLER 0x180
#define GICD_ICFGR 0xc00
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR 0x800
#define GICD_SGIR 0xf00
#define GICD_IROUTER 0x6000
#define GICD_CTLR_RWP (1u << 31)
/* v3: ARE_NS, EnableGrp1A, EnableGrp1 (Linux's choice, which fits a GIC
 * with one security state and the non-secure view of one with two). */
#define GICD_CTLR_V3 ((1u << 4) | (1u << 1) | (1u << 0))
/* v3 redistributor: RD_base, then SGI_base 64 KiB on. */
#define GICR_TYPER 0x0008
#define GICR_TYPER_VLPIS (1ul << 1)
#define GICR_TYPER_LAST (1ul << 4)
#define GICR_WAKER 0x0014
#define GICR_SGI 0x10000
#define GICR_IGROUPR0 (GICR_SGI + 0x080)
#define GICR_ISENABLER0 (GICR_SGI + 0x100)
#define GICR_IPRIORITYR (GICR_SGI + 0x400)
#define WAKER_PROCESSOR_SLEEP (1u << 1)
#define WAKER_CHILDREN_ASLEEP (1u << 2)
/* v2 CPU interface. */
#define GICC_CTLR 0x00
#define GICC_PMR 0x04
#define GICC_IAR 0x0c
#define GICC_EOIR 0x10
/* v3 CPU interface registers, by encoding (binutils may not name them). */
#define ICC_PMR_EL1 S3_0_C4_C6_0
#define ICC_IAR1_EL1 S3_0_C12_C12_0
#define ICC_EOIR1_EL1 S3_0_C12_C12_1
#define ICC_SGI1R_EL1 S3_0_C12_C11_5
#define ICC_SRE_EL1 S3_0_C12_C12_5
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define sysreg_read(r) read_sysreg(r)
#define sysreg_write(r, v) write_sysreg(r, v)

#define PRIORITY 0xa0	/* below the priority mask: delivered */

static volatile uint8_t *dist;
static volatile uint8_t *cpu_if;	/* v2's CPU interface (banked per CPU) */

/* v3: the running CPU's redistributor. */
static volatile uint8_t *
redist(void)
{
	return this_cpu()->arch.gicr;
}

static uint32_t
mmio_read(volatile uint8_t *base, unsigned off)
{
	return *(volatile uint32_t *)(base + off);
}

static void
mmio_write(volatile uint8_t *base, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(base + off) = v;
}

/* v3: the redistributor whose GICR_TYPER names this CPU's affinity
 * (Aff3.Aff2.Aff1.Aff0 in its top 32 bits); frames of 128 KiB, 256 KiB
 * with virtual LPIs, the last one marked. */
static volatile uint8_t *
find_redist(uint64_t mpidr)
{
	uint32_t want = (uint32_t)((mpidr >> 8 & 0xff000000) | (mpidr & 0xffffff));
	volatile uint8_t *rd = phys_to_virt(fdt.gic_cpu);
	for (int i = 0; i < CPU_MAX * 2; i++) {
		uint64_t typer = *(volatile uint64_t *)(rd + GICR_TYPER);
		if ((uint32_t)(typer >> 32) == want)
			return rd;
		if (typer & GICR_TYPER_LAST)
			break;
		rd += (typer & GICR_TYPER_VLPIS) ? 0x40000 : 0x20000;
	}
	return NULL;
}

/* v3, on each CPU: wake its redistributor, its SGIs and PPIs to group 1,
 * the system-register interface on. */
static void
gic3_cpu_init(struct cpu *c)
{
	c->arch.gicr = find_redist(c->arch.mpidr);
	if (!c->arch.gicr)
		panic("no GICv3 redistributor for CPU %d", c->id);
	volatile uint8_t *rd = c->arch.gicr;
	uint32_t waker = mmio_read(rd, GICR_WAKER);
	mmio_write(rd, GICR_WAKER, waker & ~WAKER_PROCESSOR_SLEEP);
	while (mmio_read(rd, GICR_WAKER) & WAKER_CHILDREN_ASLEEP)
		;
	mmio_write(rd, GICR_IGROUPR0, 0xffffffffu);
	sysreg_write(ICC_SRE_EL1, sysreg_read(ICC_SRE_EL1) | 1);
	isb();
	sysreg_write(ICC_PMR_EL1, 0xff);
	sysreg_write(ICC_IGRPEN1_EL1, 1);
	isb();
}

/* v2, on each CPU: its interface on; its target bit is what the banked
 * GICD_ITARGETSR0 reads (for the SGIs others send it). */
static void
gic2_cpu_init(struct cpu *c)
{
	c->arch.gic_target = *(dist + GICD_ITARGETSR);
	mmio_write(cpu_if, GICC_PMR, 0xff);
	mmio_write(cpu_if, GICC_CTLR, 1);
}

void
gic_cpu_init(void)
{
	if (fdt.gic_version == 3)
		gic3_cpu_init(this_cpu());
	else
		gic2_cpu_init(this_cpu());
}

/* The distributor, once, then the boot CPU's part. */
void
gic_init(void)
{
	if (fdt.gic_version == 0)
		panic("no GIC in the device tree");
	dist = phys_to_virt(fdt.gic_dist);
	cpu_if = phys_to_virt(fdt.gic_cpu);
	if (fdt.gic_version == 3) {
		mmio_write(dist, GICD_CTLR, GICD_CTLR_V3);
		while (mmio_read(dist, GICD_CTLR) & GICD_CTLR_RWP)
			;
	} else {
		mmio_write(dist, GICD_CTLR, 1);
	}
	gic_cpu_init();
}

/* Raises SGI intid on CPU c. */
void
gic_send_sgi(const struct cpu *c, int intid)
{
	dsb(ishst);	/* what the target will look at, visible first */
	if (fdt.gic_version == 3) {
		uint64_t m = c->arch.mpidr;
		uint64_t v = ((m >> 32 & 0xff) << 48) | ((m >> 16 & 0xff) << 32) |
			     ((uint64_t)intid << 24) | ((m >> 8 & 0xff) << 16) |
			     (1ul << (m & 0xf));
		sysreg_write(ICC_SGI1R_EL1, v);
		isb();
	} else {
		mmio_write(dist, GICD_SGIR,
			   (uint32_t)c->arch.gic_target << 16 | (uint32_t)intid);
	}
}


/* Enables an interrupt: an SGI or PPI of this CPU, or an SPI routed to
 * the boot CPU. */
void
gic_enable(int intid)
{
	unsigned bit = 1u << (intid % 32);
	if (intid >= 32) {
		*(dist + GICD_IPRIORITYR + intid) = PRIORITY;
		if (fdt.gic_version == 3) {
			unsigned group = GICD_IGROUPR + 4 * (intid / 32);
			mmio_write(dist, group, mmio_read(dist, group) | bit);
			*(volatile uint64_t *)(dist + GICD_IROUTER + 8 * intid) =
			    cpus[0].arch.mpidr;
		}
		else
			*(dist + GICD_ITARGETSR + intid) = cpus[0].arch.gic_target;
		mmio_write(dist, GICD_ISENABLER + 4 * (intid / 32), bit);
		return;
	}
	if (fdt.gic_version == 3) {
		*(redist() + GICR_IPRIORITYR + intid) = PRIORITY;
		mmio_write(redist(), GICR_ISENABLER0, bit);
	} else {
		*(dist + GICD_IPRIORITYR + intid) = PRIORITY;
		mmio_write(dist, GICD_ISENABLER, bit);
	}
}

void
gic_disable(int intid)
{
	if (intid < 32)
		return;	/* SGIs and PPIs stay as gic_enable left them */
	mmio_write(dist, GICD_ICENABLER + 4 * (intid / 32), 1u << (intid % 32));
	if (fdt.gic_version == 3)
		while (mmio_read(dist, GICD_CTLR) & GICD_CTLR_RWP)
			;
}

/* Two bits an interrupt in GICD_ICFGR; the upper one set: edge. */
void
gic_set_trigger(int intid, bool level)
{
	if (intid < 32)
		return;
	unsigned reg = GICD_ICFGR + 4 * (intid / 16);
	uint32_t edge = 2u << (2 * (intid % 16));
	uint32_t v = mmio_read(dist, reg);
	uint32_t want = level ? v & ~edge : v | edge;
	if (want == v)
		return;
	gic_disable(intid);
	mmio_write(dist, reg, want);
}

int
gic_ack(void)
{
	if (fdt.gic_version == 3) {
		int intid = (int)(sysreg_read(ICC_IAR1_EL1) & 0xffffff);
		dsb(sy);
		return intid;
	}
	return (int)(mmio_read(cpu_if, GICC_IAR) & 0x3ff);
}

void
gic_eoi(int intid)
{
	if (fdt.gic_version == 3) {
		sysreg_write(ICC_EOIR1_EL1, (uint64_t)intid);
		isb();
	} else {
		mmio_write(cpu_if, GICC_EOIR, (uint32_t)intid);
	}
}
