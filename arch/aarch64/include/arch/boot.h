/*
 * What the AArch64 boot found: the device tree's facts (fdt.c) and the
 * loader's. Filled once by the boot CPU before anything reads it.
 */
#ifndef ARCH_BOOT_H
#define ARCH_BOOT_H

#include <kernel/types.h>

struct cpu;

#define BOOT_ARGS_MAX 1024
#define FDT_VIRTIO_MAX 32		/* QEMU virt has 32 transports */

/* A virtio-mmio transport: its registers and its SPI's INTID. */
struct fdt_virtio {
	paddr_t base;
	uint64_t size;
	int intid;
};

/* An INTx route of the PCIe host's interrupt-map: the device number's
 * bits the map's mask keeps, the pin (1-4, INTA-INTD), the SPI's INTID. */
struct fdt_intx {
	uint32_t devfn;
	uint32_t pin;
	int intid;
};
#define FDT_INTX_MAX 32

/* A window of the host bridge's ranges: CPU and PCI addresses, size. */
struct fdt_window {
	paddr_t cpu;
	uint64_t pci, size;
};

/* The PCIe host bridge ("pci-host-ecam-generic"); ecam 0 if none. */
struct fdt_pci {
	paddr_t ecam;			/* configuration space, 1 MiB a bus */
	uint64_t ecam_size;
	unsigned bus_first, bus_last;	/* bus-range */
	struct fdt_window io, mem32, mem64;	/* ranges by space; size 0: none */
	uint32_t intx_mask_devfn, intx_mask_pin;	/* interrupt-map-mask */
	int intx_count;
	struct fdt_intx intx[FDT_INTX_MAX];
	uint32_t msi_parent;		/* msi-parent or msi-map's phandle; 0 */
};

struct fdt_info {
	paddr_t blob;			/* the device tree itself */
	paddr_t mem_base;		/* the first RAM range */
	uint64_t mem_size;
	paddr_t initrd_start, initrd_end;	/* 0, 0 if none */
	char bootargs[BOOT_ARGS_MAX];
	paddr_t uart;			/* PL011 registers; 0 if none */
	int uart_irq;			/* its INTID; 0 if unknown */
	paddr_t rtc;			/* PL031 registers; 0 if none */
	paddr_t fw_cfg;			/* QEMU's fw_cfg registers; 0 if none */
	int gic_version;		/* 2 or 3; 0 if none found */
	paddr_t gic_dist;		/* distributor */
	paddr_t gic_cpu;		/* v2: CPU interface; v3: redistributors */
	int timer_ppi;			/* virtual timer's INTID; 0 if none */
	bool psci_hvc;			/* PSCI through hvc, else smc */
	bool psci;			/* a PSCI node was found */
	int cpus;			/* /cpus/cpu@N nodes */
	uint64_t cpu_mpidr[16];		/* their reg: MPIDR affinity */
	int virtio_count;		/* "virtio,mmio" nodes, in tree order */
	struct fdt_virtio virtio[FDT_VIRTIO_MAX];
	struct fdt_pci pci;
	paddr_t gic_v2m;		/* GICv2m MSI frame; 0 if none */
	uint32_t gic_v2m_phandle;
	paddr_t gic_its;		/* GICv3 ITS; 0 if none */
	uint32_t gic_its_phandle;
};

extern struct fdt_info fdt;
extern int boot_el;			/* exception level at entry: 1 or 2 */

/*
 * fdt.c: reads the flattened device tree at `blob` (mapped) into fdt.
 * Returns 0, or -EINVAL if it is not a device tree.
 */
int fdt_parse(const void *blob);
/* The device tree's size from its header, 0 if it has none. */
uint32_t fdt_size(const void *blob);

/* console.c: asks the PL011 to interrupt when a byte arrives. */
void console_enable_irq(void);

/* boot/start.S: where PSCI CPU_ON starts another CPU, MMU off, with x0
 * the physical address of a struct ap_boot. */
extern char secondary_entry[];
struct ap_boot {
	uint64_t ttbr1;			/* the kernel's tables */
	uint64_t sp;			/* its first stack */
	uint64_t cpu;			/* its struct cpu, for smp_ap_entry */
};
/* smp.c: a started CPU's C code, on the kernel's mapping. */
_Noreturn void smp_ap_entry(struct cpu *c);

/* early.c: the C side of the boot, on the kernel's own mapping. */
_Noreturn void arch_early_main(paddr_t dtb_phys, paddr_t kernel_phys, int el);

#endif
