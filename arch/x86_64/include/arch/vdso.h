/*
 * x86_64's vDSO, the kernel side and the vDSO's own code (vdso/vclock.c):
 * how getcpu reads the CPU number the kernel left in IA32_TSC_AUX.
 */
#ifndef ARCH_VDSO_H
#define ARCH_VDSO_H

/* struct vvar's cpu_mode (kernel/include/kernel/vvar.h). */
#define VVAR_CPU_RDTSCP 1	/* RDTSCP's ECX */
#define VVAR_CPU_RDPID 2	/* RDPID, which leaves the TSC alone */

/* IA32_TSC_AUX holds cpu | node << 12, as Linux sets it. */
#define MSR_TSC_AUX 0xc0000103
#define TSC_AUX_CPU_MASK 0xfffu
#define TSC_AUX_NODE_SHIFT 12

/* vdso_image.S: the linked vDSO (mk/vdso.mk), as bytes. */
extern const char vdso_image[], vdso_image_end[];

struct cpu;
/* Sets this CPU's IA32_TSC_AUX where the CPU has RDTSCP or RDPID; on
 * each CPU as it comes up (cpu_setup). */
void vdso_cpu_init(struct cpu *c);

#endif
