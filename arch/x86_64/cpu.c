/*
 * CPU setup: GDT and TSS per CPU, the IDT, the SYSCALL MSRs, and the
 * protection features (NX, SMEP, SMAP, UMIP) and FPU/SSE state.
 */
#include <kernel/arch.h>
#include <kernel/cpu.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <arch/trap.h>
#include <arch/entry.h>
#include <arch/vdso.h>

struct cpu cpus[CPU_MAX];
_Static_assert(offsetof(struct cpu, self) == CPU_SELF &&
	       offsetof(struct cpu, arch.kstack_top) == CPU_KSTACK_TOP &&
	       offsetof(struct cpu, arch.user_rsp) == CPU_USER_RSP,
	       "entry.S reaches these fields of struct cpu from GS");
int cpu_count = 1;
bool cpu_has_smap;

struct idt_entry {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, zero;
} __attribute__((packed));

static struct idt_entry idt[256];

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

_Static_assert(sizeof(struct idt_entry) == 16, "a gate is two words");

/* Each gate written as its two 64-bit words (14 instructions a gate; the
 * fields one by one took 19: 1,300 more of the boot). */
static void
idt_init(void)
{
	for (int v = 0; v < 256; v++) {
		uint64_t a = (uint64_t)trap_stubs + 16 * v;
		uint64_t gate[2] = {
			(a & 0xffff) | (uint64_t)KERNEL_CS << 16 |
				(uint64_t)0x8e << 40 | (a & 0xffff0000) << 32,
			a >> 32,	/* off2; the word's top half is zero */
		};
		__builtin_memcpy(&idt[v], gate, sizeof(gate));
	}
	/* Double faults and NMIs run on their own stack (IST1). */
	idt[8].ist = 1;
	idt[2].ist = 1;
	/* int3 is user code's to raise (a debugger's breakpoint): a gate of
	 * privilege 3, as Linux's; any other int N from ring 3 is #GP. */
	idt[3].type = 0xee;
}

static void
gdt_load(struct cpu *c)
{
	uint64_t *g = c->arch.gdt;
	uint64_t tss = (uint64_t)&c->arch.tss;
	uint64_t limit = sizeof(struct tss) - 1;

	g[0] = 0;
	g[1] = 0x00af9a000000ffff;	/* 0x08 kernel code */
	g[2] = 0x00cf92000000ffff;	/* 0x10 kernel data */
	g[3] = 0x00cff2000000ffff;	/* 0x18 user data */
	g[4] = 0x00affa000000ffff;	/* 0x20 user code */
	g[5] = (limit & 0xffff) | ((tss & 0xffffff) << 16) |
	       (0x89ul << 40) | (((tss >> 24) & 0xff) << 56);
	g[6] = tss >> 32;
	c->arch.tss.iomap_base = sizeof(struct tss);

	struct desc_ptr gp = { sizeof(c->arch.gdt) - 1, (uint64_t)g };
	__asm__ volatile("lgdt %0\n"
			 "pushq $0x08\n"
			 "leaq 1f(%%rip), %%rax\n"
			 "pushq %%rax\n"
			 "lretq\n"
			 "1: movl $0x10, %%eax\n"
			 "movl %%eax, %%ds\n"
			 "movl %%eax, %%es\n"
			 "movl %%eax, %%ss\n"
			 "xorl %%eax, %%eax\n"
			 "movl %%eax, %%fs\n"
			 "movl %%eax, %%gs\n"
			 "movw $0x28, %%ax\n"
			 "ltr %%ax\n"
			 : : "m"(gp) : "rax", "memory");
}

/* The boot CPU's stack for NMIs and double faults; start_ap gives each
 * other CPU one from the page allocator (a static one for every possible
 * CPU was 120 KiB of the smallest --mem). */
static uint8_t boot_ist_stack[IST_STACK_SIZE] __attribute__((aligned(16)));

static void
features_init(void)
{
	uint32_t r[4];
	uint64_t cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_PGE;

	cpuid(7, 0, r);
	if (r[1] & (1u << 7))
		cr4 |= CR4_SMEP;
	if (r[1] & (1u << 20)) {
		cr4 |= CR4_SMAP;
		cpu_has_smap = true;
	}
	if (r[2] & (1u << 2))
		cr4 |= CR4_UMIP;
	write_cr4(cr4);
	write_cr0((read_cr0() | CR0_MP | CR0_WP) & ~(uint64_t)(CR0_EM | CR0_TS));
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | 1 /* SCE */ | (1 << 11) /* NXE */);
	/* SYSRET loads CS = STAR[63:48] + 16, SS = STAR[63:48] + 8. */
	wrmsr(MSR_STAR, ((uint64_t)0x10 << 48) | ((uint64_t)KERNEL_CS << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	/* Mask IF, TF, DF, AC and NT on entry. */
	wrmsr(MSR_FMASK, RFLAGS_IF | (1 << 8) | (1 << 10) | RFLAGS_AC | (1 << 14));
}

/* Sets up the calling CPU: segments, interrupts table, features, GS. */
void
cpu_setup(struct cpu *c)
{
	c->self = c;
	if (!c->arch.tss.ist[0])
		c->arch.tss.ist[0] = (uint64_t)&boot_ist_stack[IST_STACK_SIZE];
	gdt_load(c);
	struct desc_ptr ip = { sizeof(idt) - 1, (uint64_t)idt };
	__asm__ volatile("lidt %0" ::"m"(ip));
	features_init();
	vdso_cpu_init(c);
	wrmsr(MSR_GS_BASE, (uint64_t)c);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}

void
arch_cpu_init(void)
{
	idt_init();
	cpus[0].id = 0;
	cpus[0].online = true;
	cpu_setup(&cpus[0]);
}

_Noreturn void
arch_halt(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

void
arch_idle(void)
{
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}


/* Vendor, model name and feature flags from CPUID, for /proc/cpuinfo. */
uint64_t
arch_random_seed(void)
{
	uint32_t r[4];
	cpuid(1, 0, r);
	if (r[2] & (1u << 30)) {
		uint64_t v;
		unsigned char ok;
		for (int i = 0; i < 10; i++) {
			__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
			if (ok)
				return v;
		}
	}
	return rdtsc();
}

void
arch_spin_wait(void)
{
	__asm__ volatile("pause" ::: "memory");
}

void
arch_irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

void
arch_irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}

bool
arch_irq_enabled(void)
{
	return read_rflags() & RFLAGS_IF;
}
