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
