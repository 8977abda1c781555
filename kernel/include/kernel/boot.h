/*
 * What the boot loader told us, in one form whatever the entry (PVH or
 * Multiboot2). Filled by the arch boot code before kmain() runs.
 */
#ifndef KERNEL_BOOT_H
#define KERNEL_BOOT_H

#include <kernel/types.h>

#define BOOT_MEM_MAX 64
#define BOOT_CMDLINE_MAX 4096

struct boot_mem {
	paddr_t base;
	uint64_t size;
	bool usable;
};

struct boot_info {
	const char *loader;		/* "pvh" or "multiboot2" */
	struct boot_mem mem[BOOT_MEM_MAX];
	int mem_count;
	char cmdline[BOOT_CMDLINE_MAX];
	paddr_t initrd;
	uint64_t initrd_size;
	paddr_t rsdp;			/* 0 if the loader did not say */
	uint8_t rsdp_copy[64];		/* Multiboot2 hands a copy; keep it */
	uint64_t tsc_at_entry;		/* TSC at the first kernel instruction */
};

extern struct boot_info boot_info;
/* The kernel image's first byte and the byte after its last (the arch's
 * linker script, kernel.ld, places them). */
extern char kernel_start[], kernel_end[];

/* Portable boot sequence, entered once on the boot CPU. */
_Noreturn void kmain(void);
/* Logs the time from the first kernel instruction to init's first entry
 * to user mode (the scheduler calls it then). */
void boot_report_init(void);

#endif
