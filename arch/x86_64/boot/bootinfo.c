/*
 * Reads the PVH start info or the Multiboot2 information into boot_info.
 * Runs first, on the boot page tables, which map the low 4 GiB directly.
 */
#include <kernel/boot.h>
#include <kernel/string.h>
#include <kernel/arch.h>
#include <kernel/printk.h>
#include <arch/mmu.h>
#include <arch/entry.h>

#define BOOT_PVH 1
#define BOOT_MB2 2
#define PVH_MAGIC 0x336ec578

struct boot_info boot_info;
extern uint64_t boot_tsc;

struct pvh_start_info {
	uint32_t magic, version, flags, nr_modules;
	uint64_t modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr;
	uint32_t memmap_entries, reserved;
};

struct pvh_module {
	uint64_t paddr, size, cmdline_paddr, reserved;
};

struct pvh_memmap {
	uint64_t addr, size;
	uint32_t type, reserved;
};

static void
add_mem(paddr_t base, uint64_t size, bool usable)
{
	if (boot_info.mem_count == BOOT_MEM_MAX)
		return;
	boot_info.mem[boot_info.mem_count++] =
	    (struct boot_mem){ .base = base, .size = size, .usable = usable };
}

static void
copy_cmdline(paddr_t pa)
{
	const char *s = phys_to_virt(pa);
	size_t n = strnlen(s, BOOT_CMDLINE_MAX - 1);
	memcpy(boot_info.cmdline, s, n);
	boot_info.cmdline[n] = 0;
}

static void
read_pvh(paddr_t info)
{
	const struct pvh_start_info *si = phys_to_virt(info);

	if (si->magic != PVH_MAGIC)
		panic("bad PVH start info magic %x", si->magic);
	boot_info.loader = "pvh";
	if (si->cmdline_paddr)
		copy_cmdline(si->cmdline_paddr);
	if (si->nr_modules > 0) {
		const struct pvh_module *m = phys_to_virt(si->modlist_paddr);
		boot_info.initrd = m->paddr;
		boot_info.initrd_size = m->size;
	}
	boot_info.rsdp = si->rsdp_paddr;
	if (si->version >= 1 && si->memmap_paddr) {
		const struct pvh_memmap *mm = phys_to_virt(si->memmap_paddr);
		for (uint32_t i = 0; i < si->memmap_entries; i++)
			add_mem(mm[i].addr, mm[i].size, mm[i].type == 1);
	}
}

struct mb2_tag {
	uint32_t type, size;
};

static void
read_mb2_mmap(const struct mb2_tag *t)
{
	const uint32_t *w = (const uint32_t *)(t + 1);
	uint32_t entry_size = w[0];
	const uint8_t *p = (const uint8_t *)(w + 2);
	const uint8_t *end = (const uint8_t *)t + t->size;

	if (entry_size < 24)
		return;
	for (; p + entry_size <= end; p += entry_size) {
		const uint64_t *e = (const uint64_t *)p;
		add_mem(e[0], e[1], *(const uint32_t *)(p + 16) == 1);
	}
}

static void
read_mb2(paddr_t info)
{
	const uint8_t *base = phys_to_virt(info);
	uint32_t total = *(const uint32_t *)base;
	const uint8_t *p = base + 8;

	boot_info.loader = "multiboot2";
	while (p + 8 <= base + total) {
		const struct mb2_tag *t = (const struct mb2_tag *)p;
		if (t->type == 0 || t->size < 8)
			break;
		switch (t->type) {
		case 1:
			copy_cmdline(virt_to_phys(t + 1));
			break;
		case 3: {
			const uint32_t *m = (const uint32_t *)(t + 1);
			boot_info.initrd = m[0];
			boot_info.initrd_size = m[1] - m[0];
			break;
		}
		case 6:
			read_mb2_mmap(t);
			break;
		case 14:
		case 15: {
			/* The tag's memory is reused after boot: keep a copy. */
			size_t n = MIN((size_t)t->size - 8, sizeof(boot_info.rsdp_copy));
			memcpy(boot_info.rsdp_copy, t + 1, n);
			boot_info.rsdp = virt_to_phys(boot_info.rsdp_copy);
			break;
		}
		}
		p += ALIGN_UP(t->size, 8);
	}
}

/* Called from start.S in long mode on the boot stack. */
_Noreturn void
boot_start(uint32_t kind, uint32_t info)
{
	boot_info.tsc_at_entry = boot_tsc;
	arch_console_init();
	if (kind == BOOT_PVH)
		read_pvh(info);
	else if (kind == BOOT_MB2)
		read_mb2(info);
	else
		panic("unknown boot protocol");
	early_init();
	kmain();
}
