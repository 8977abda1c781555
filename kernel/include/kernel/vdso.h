/*
 * The vDSO (kernel/linux/vdso.c): the arch's shared object and the [vvar]
 * clock page it reads, mapped into every new program, so that
 * clock_gettime, gettimeofday, time and getcpu need no system call.
 * Big lock held for all of these.
 */
#ifndef KERNEL_VDSO_H
#define KERNEL_VDSO_H

#include <kernel/types.h>

struct vm;
struct proc;

/*
 * Keeps the arch's vDSO image and makes the clock page, after the clock's
 * calibration; with enabled false (the command line's vdso=0), or where
 * the arch has no vDSO, programs get none. Once, at boot.
 */
void vdso_init(bool enabled);
/*
 * Maps [vvar] and [vdso] into vm, the new image of p being built by exec.
 * Returns the vDSO's address (auxv's AT_SYSINFO_EHDR), 0 if there is
 * none, or -ENOMEM.
 */
long vdso_map(struct vm *vm, struct proc *p);
/* The kernel's clocks changed (the wall clock was set): rewrites the
 * clock page under its sequence counter. Does not sleep. */
void vdso_clock_changed(void);
/*
 * p's time namespace changed (setns, or a fork into its parent's
 * time_for_children): if it moves the clocks, p's [vvar] becomes the
 * page that sends every read to the system call, which applies the
 * offsets. Does not sleep.
 */
void vdso_timens_changed(struct proc *p);

#endif
