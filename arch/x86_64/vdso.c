/*
 * x86_64's part of the vDSO (kernel/linux/vdso.c): its image, how it
 * reads the clock (the TSC, as arch_now_ns()) and how its getcpu finds
 * the CPU: RDPID, else RDTSCP, each reading IA32_TSC_AUX, which every
 * CPU gets its number in as it comes up.
 */
#include <kernel/arch.h>
#include <kernel/cpu.h>
#include <kernel/vvar.h>
#include <arch/cpu.h>
#include <arch/timer.h>
#include <arch/vdso.h>

static uint32_t cpu_mode;	/* VVAR_CPU_*, the same on every CPU */

/* RDPID (CPUID 7: ECX bit 22), else RDTSCP (0x80000001: EDX bit 27). */
static uint32_t
cpu_mode_find(void)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	if (r[0] >= 7) {
		cpuid(7, 0, r);
		if (r[2] & (1u << 22))
			return VVAR_CPU_RDPID;
	}
	cpuid(0x80000000, 0, r);
	if (r[0] >= 0x80000001) {
		cpuid(0x80000001, 0, r);
		if (r[3] & (1u << 27))
			return VVAR_CPU_RDTSCP;
	}
	return VVAR_CPU_SYSCALL;
}

void
vdso_cpu_init(struct cpu *c)
{
	if (c->id == 0)
		cpu_mode = cpu_mode_find();
	if (cpu_mode != VVAR_CPU_SYSCALL)
		wrmsr(MSR_TSC_AUX, (uint64_t)c->id & TSC_AUX_CPU_MASK);
}

const void *
arch_vdso_image(size_t *size)
{
	*size = (size_t)(vdso_image_end - vdso_image);
	return vdso_image;
}

void
arch_vvar_clock(uint64_t *cycles_base, uint64_t *ns_mult, uint32_t *mode)
{
	const struct tsc_clock *c = __atomic_load_n(&tsc_clock,
						    __ATOMIC_ACQUIRE);
	*cycles_base = c->base;
	*ns_mult = c->ns_mult;
	*mode = cpu_mode;
}
