/*
 * aarch64 has no vDSO yet (kernel/linux/vdso.c maps none): its programs
 * read the clocks through the system calls. Were one built, its clock
 * would be the generic timer's count, as arch_now_ns() reads it.
 */
#include <kernel/arch.h>
#include <kernel/vvar.h>
#include <arch/timer.h>

const void *
arch_vdso_image(size_t *size)
{
	*size = 0;
	return NULL;
}

void
arch_vvar_clock(uint64_t *cycles_base, uint64_t *ns_mult, uint32_t *mode)
{
	*cycles_base = timer_base;
	*ns_mult = timer_ns_mult;
	*mode = VVAR_CPU_SYSCALL;
}
