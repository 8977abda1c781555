/*
 * The flattened device tree the loader passes in x0 (the Devicetree
 * Specification, chapter 5): a walk of its structure block that keeps
 * what the boot needs in `fdt` (<arch/boot.h>): RAM, /chosen's command
 * line and initramfs, the CPUs, the PL011 and PL031, QEMU's fw_cfg, the
 * GIC (and its MSI frame), the timer's interrupt, PSCI, the virtio-mmio
 * transports, the PCIe host bridge.
 */
#include <arch/boot.h>
#include <kernel/errno.h>
#include <kernel/string.h>

struct fdt_info fdt;

#define FDT_MAGIC 0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9
#define DEPTH_MAX 16

struct fdt_header {
	uint32_t magic, totalsize, off_dt_struct, off_dt_strings;
	uint32_t off_mem_rsvmap, version, last_comp_version;
	uint32_t boot_cpuid_phys, size_dt_strings, size_dt_struct;
};

/* The node being read: where its properties' cells are interpreted. */
struct node {
	const char *name;
	int addr_cells, size_cells;	/* for its children's reg */
	const char *compat;		/* its compatible list */
	uint32_t compat_len;
	const uint8_t *reg;		/* its reg, in the parent's cells */
	uint32_t reg_len;
	const uint8_t *irqs;		/* its interrupts */
	uint32_t irqs_len;
	uint32_t phandle;
	const uint8_t *ranges;		/* its ranges, bus-range, */
	uint32_t ranges_len;
	const uint8_t *bus_range;
	const uint8_t *imap;		/* interrupt-map and its mask */
	uint32_t imap_len;
	const uint8_t *imap_mask;
	uint32_t msi_parent;		/* msi-parent's or msi-map's phandle */
};

/* What the PCIe host's interrupt-map needs of its parent, the GIC, which
 * may come after it in the tree: read once the walk is over. */
static const uint8_t *pci_imap;
static uint32_t pci_imap_len;
static int gic_addr_cells = 2;

static uint32_t
be32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

/* A number of `cells` 32-bit cells at p. */
static uint64_t
cells(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 32 | be32(p + 4 * i);
	return v;
}

uint32_t
fdt_size(const void *blob)
{
	const struct fdt_header *h = blob;
	return be32(&h->magic) == FDT_MAGIC ? be32(&h->totalsize) : 0;
}

/* True if the compatible list holds `want`. */
static bool
compatible(const struct node *n, const char *want)
{
	const char *s = n->compat;
	const char *end = s + n->compat_len;
	while (s && s < end) {
		if (strcmp(s, want) == 0)
			return true;
		s += strnlen(s, (size_t)(end - s)) + 1;
	}
	return false;
}

/* The i-th (address, size) pair of the node's reg; false past its end. */
static bool
reg_pair(const struct node *n, const struct node *parent, int i,
	 uint64_t *addr, uint64_t *size)
{
	int ac = parent->addr_cells, sc = parent->size_cells;
	uint32_t pair = (uint32_t)(ac + sc) * 4;
	if (!n->reg || pair == 0 || (uint32_t)(i + 1) * pair > n->reg_len)
		return false;
	*addr = cells(n->reg + i * pair, ac);
	*size = cells(n->reg + i * pair + 4 * ac, sc);
	return true;
}

static void
read_chosen_prop(const char *name, const uint8_t *val, uint32_t len)
{
	if (strcmp(name, "bootargs") == 0) {
		size_t n = MIN(len, sizeof(fdt.bootargs) - 1);
		memcpy(fdt.bootargs, val, n);
		fdt.bootargs[n] = 0;
	} else if (strcmp(name, "linux,initrd-start") == 0) {
		fdt.initrd_start = cells(val, (int)(len / 4));
	} else if (strcmp(name, "linux,initrd-end") == 0) {
		fdt.initrd_end = cells(val, (int)(len / 4));
	}
}

/* The INTID of a node's first interrupt, if it is an SPI (type 0) in the
 * GIC's three-cell form: SPI n is INTID n + 32. */
static int
spi_intid(const struct node *n)
{
	if (n->irqs_len < 12 || be32(n->irqs) != 0)
		return 0;
	return (int)be32(n->irqs + 4) + 32;
}

/* The host bridge's ranges: each a PCI address (3 cells, the space in
 * the first: 1 I/O, 2 32-bit memory, 3 64-bit memory), a CPU address
 * (the parent's cells) and a size (the node's). */
static void
read_pci_ranges(const struct node *n, const struct node *parent)
{
	int pc = parent->addr_cells, sc = n->size_cells;
	uint32_t entry = (uint32_t)(3 + pc + sc) * 4;
	for (uint32_t off = 0; n->ranges && off + entry <= n->ranges_len;
	     off += entry) {
		const uint8_t *r = n->ranges + off;
		struct fdt_window w = { cells(r + 12, pc), cells(r + 4, 2),
					cells(r + 12 + 4 * pc, sc) };
		switch ((be32(r) >> 24) & 3) {
		case 1: fdt.pci.io = w; break;
		case 2: fdt.pci.mem32 = w; break;
		case 3: fdt.pci.mem64 = w; break;
		}
	}
}

static void
read_pci_host(const struct node *n, const struct node *parent, paddr_t ecam,
	      uint64_t size)
{
	fdt.pci.ecam = ecam;
	fdt.pci.ecam_size = size;
	fdt.pci.bus_first = n->bus_range ? be32(n->bus_range) : 0;
	fdt.pci.bus_last = n->bus_range ? be32(n->bus_range + 4) :
					 (unsigned)(size >> 20) - 1;
	read_pci_ranges(n, parent);
	if (n->imap_mask) {
		fdt.pci.intx_mask_devfn = be32(n->imap_mask);
		fdt.pci.intx_mask_pin = be32(n->imap_mask + 12);
	}
	pci_imap = n->imap;
	pci_imap_len = n->imap_len;
	fdt.pci.msi_parent = n->msi_parent;
}

/*
 * The interrupt-map's entries: a child unit address (3 cells, the device
 * number in the first) and pin (1 cell), the parent's phandle, its unit
 * address (the GIC's #address-cells) and its interrupt (3 cells: SPIs
 * only, QEMU virt's kind).
 */
static void
read_pci_imap(void)
{
	uint32_t entry = (uint32_t)(4 + 1 + gic_addr_cells + 3) * 4;
	for (uint32_t off = 0; pci_imap && off + entry <= pci_imap_len &&
			       fdt.pci.intx_count < FDT_INTX_MAX;
	     off += entry) {
		const uint8_t *e = pci_imap + off;
		const uint8_t *irq = e + 20 + 4 * gic_addr_cells;
		if (be32(irq) != 0)
			continue;	/* not an SPI */
		fdt.pci.intx[fdt.pci.intx_count++] = (struct fdt_intx){
			be32(e), be32(e + 12), (int)be32(irq + 4) + 32 };
	}
}

/* The node's own properties are all read: keep what it describes. */
static void
node_done(const struct node *n, const struct node *parent, int depth)
{
	uint64_t a, b, size;
	if (depth == 2 && strncmp(parent->name, "cpus", 4) == 0 &&
	    strncmp(n->name, "cpu@", 4) == 0 && n->reg) {
		/* A CPU's reg is its MPIDR affinity, in #address-cells cells
		 * and no size. */
		if (fdt.cpus < (int)ARRAY_SIZE(fdt.cpu_mpidr))
			fdt.cpu_mpidr[fdt.cpus] = cells(n->reg, parent->addr_cells);
		fdt.cpus++;
		return;
	}
	if (depth == 1 && strncmp(n->name, "memory", 6) == 0 &&
	    fdt.mem_size == 0 && reg_pair(n, parent, 0, &a, &size)) {
		fdt.mem_base = a;
		fdt.mem_size = size;
	} else if (compatible(n, "arm,pl011") && fdt.uart == 0 &&
		   reg_pair(n, parent, 0, &a, &size)) {
		fdt.uart = a;
		fdt.uart_irq = spi_intid(n);
	} else if (compatible(n, "arm,pl031") && fdt.rtc == 0 &&
		   reg_pair(n, parent, 0, &a, &size)) {
		fdt.rtc = a;
	} else if (compatible(n, "qemu,fw-cfg-mmio") &&
		   reg_pair(n, parent, 0, &a, &size)) {
		fdt.fw_cfg = a;
	} else if (compatible(n, "arm,gic-v3") &&
		   reg_pair(n, parent, 0, &a, &size) &&
		   reg_pair(n, parent, 1, &b, &size)) {
		fdt.gic_version = 3;
		fdt.gic_dist = a;
		fdt.gic_cpu = b;
		gic_addr_cells = n->addr_cells;
	} else if ((compatible(n, "arm,cortex-a15-gic") ||
		    compatible(n, "arm,gic-400")) &&
		   reg_pair(n, parent, 0, &a, &size) &&
		   reg_pair(n, parent, 1, &b, &size)) {
		fdt.gic_version = 2;
		fdt.gic_dist = a;
		fdt.gic_cpu = b;
		gic_addr_cells = n->addr_cells;
	} else if (compatible(n, "arm,gic-v2m-frame") && !fdt.gic_v2m &&
		   reg_pair(n, parent, 0, &a, &size)) {
		fdt.gic_v2m = a;
		fdt.gic_v2m_phandle = n->phandle;
	} else if (compatible(n, "arm,gic-v3-its") && !fdt.gic_its &&
		   reg_pair(n, parent, 0, &a, &size)) {
		fdt.gic_its = a;
		fdt.gic_its_phandle = n->phandle;
	} else if (compatible(n, "pci-host-ecam-generic") && !fdt.pci.ecam &&
		   reg_pair(n, parent, 0, &a, &size)) {
		read_pci_host(n, parent, a, size);
	} else if (compatible(n, "virtio,mmio") &&
		   fdt.virtio_count < FDT_VIRTIO_MAX &&
		   reg_pair(n, parent, 0, &a, &size) && spi_intid(n)) {
		fdt.virtio[fdt.virtio_count++] =
		    (struct fdt_virtio){ a, size, spi_intid(n) };
	} else if (compatible(n, "arm,armv8-timer") && n->irqs_len >= 36) {
		/* Secure, non-secure physical, virtual, hypervisor timers;
		 * each <type number flags>, a PPI's INTID its number + 16. */
		fdt.timer_ppi = (int)be32(n->irqs + 28) + 16;
	}
}

/* Properties a PCIe host bridge or an MSI controller has. */
static void
read_pci_prop(struct node *n, const char *name, const uint8_t *val,
	      uint32_t len)
{
	if (strcmp(name, "phandle") == 0 && len == 4)
		n->phandle = be32(val);
	else if (strcmp(name, "ranges") == 0) {
		n->ranges = val;
		n->ranges_len = len;
	} else if (strcmp(name, "bus-range") == 0 && len == 8)
		n->bus_range = val;
	else if (strcmp(name, "interrupt-map") == 0) {
		n->imap = val;
		n->imap_len = len;
	} else if (strcmp(name, "interrupt-map-mask") == 0 && len == 16)
		n->imap_mask = val;
	else if (strcmp(name, "msi-parent") == 0 && len >= 4)
		n->msi_parent = be32(val);
	else if (strcmp(name, "msi-map") == 0 && len >= 16)
		n->msi_parent = be32(val + 4);	/* rid-base, phandle, ... */
}

/* A property of node n, which sits at depth `depth` below the root. */
static void
read_prop(struct node *n, int depth, const char *name, const uint8_t *val,
	  uint32_t len)
{
	if (strcmp(name, "#address-cells") == 0 && len == 4)
		n->addr_cells = (int)be32(val);
	else if (strcmp(name, "#size-cells") == 0 && len == 4)
		n->size_cells = (int)be32(val);
	else if (strcmp(name, "compatible") == 0) {
		n->compat = (const char *)val;
		n->compat_len = len;
	} else if (strcmp(name, "reg") == 0) {
		n->reg = val;
		n->reg_len = len;
	} else if (depth == 1 && strcmp(n->name, "chosen") == 0) {
		read_chosen_prop(name, val, len);
	}
	if (strcmp(name, "interrupts") == 0) {
		n->irqs = val;
		n->irqs_len = len;
	}
	read_pci_prop(n, name, val, len);
	if (strcmp(name, "method") == 0 && strncmp(n->name, "psci", 4) == 0) {
		fdt.psci = true;
		fdt.psci_hvc = strcmp((const char *)val, "hvc") == 0;
	}
}

int
fdt_parse(const void *blob)
{
	const struct fdt_header *h = blob;
	if (be32(&h->magic) != FDT_MAGIC)
		return -EINVAL;
	const uint8_t *p = (const uint8_t *)blob + be32(&h->off_dt_struct);
	const uint8_t *end = p + be32(&h->size_dt_struct);
	const char *strings = (const char *)blob + be32(&h->off_dt_strings);
	struct node stack[DEPTH_MAX + 1];
	int depth = -1;	/* the root node is depth 0 */

	while (p + 4 <= end) {
		uint32_t token = be32(p);
		p += 4;
		if (token == FDT_BEGIN_NODE) {
			const char *name = (const char *)p;
			p += ALIGN_UP(strlen(name) + 1, 4);
			if (++depth > DEPTH_MAX)
				return -EINVAL;
			/* Defaults of the spec (2.3.5) for a missing #cells. */
			stack[depth] = (struct node){ .name = name,
						      .addr_cells = 2,
						      .size_cells = 1 };

		} else if (token == FDT_END_NODE) {
			if (depth < 0)
				return -EINVAL;
			if (depth > 0)
				node_done(&stack[depth], &stack[depth - 1], depth);
			depth--;
		} else if (token == FDT_PROP) {
			uint32_t len = be32(p), nameoff = be32(p + 4);
			const uint8_t *val = p + 8;
			p = val + ALIGN_UP(len, 4);
			if (depth >= 0)
				read_prop(&stack[depth], depth, strings + nameoff,
					  val, len);
		} else if (token == FDT_END) {
			break;
		} else if (token != FDT_NOP) {
			return -EINVAL;
		}
	}
	read_pci_imap();
	return 0;
}
