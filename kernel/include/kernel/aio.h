/*
 * Linux native AIO (kernel/linux/aio.c): the limits /proc/sys/fs shows,
 * and the end of a process's contexts. Big lock.
 */
#ifndef KERNEL_AIO_H
#define KERNEL_AIO_H

struct proc;

extern unsigned aio_max_nr;	/* aio-max-nr: events all contexts may ask */
extern unsigned aio_nr;		/* aio-nr: events they asked */

/* p's address space goes (exit, exec): so do its AIO contexts. */
void aio_exit(struct proc *p);

#endif
