/*
 * Spinlocks and the big kernel lock. The kernel is not preemptible and, for
 * now, one CPU at a time runs kernel code: every entry from user mode or
 * from an idle halt takes the big lock, every exit drops it. A CPU waiting
 * for the lock keeps taking interrupts, so TLB shootdowns reach it.
 */
#ifndef KERNEL_LOCK_H
#define KERNEL_LOCK_H

#include <kernel/types.h>

void bkl_lock(void);
bool bkl_trylock(void);	/* false if another CPU holds it */
void bkl_unlock(void);
bool bkl_held(void);	/* by this CPU */

#endif
