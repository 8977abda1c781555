/*
 * The console terminal (kernel/fs/tty.c): the serial port behind the line
 * discipline, with a session, a foreground process group and a window size.
 */
#ifndef KERNEL_TTY_H
#define KERNEL_TTY_H

#include <kernel/types.h>
#include <kernel/tty_ldisc.h>
#include <kernel/sched.h>

struct tty {
	struct tty_ldisc ld;
	struct waitq readers;
	int session;			/* sid of the controlling session, 0 = none */
	int fg_pgrp;
	uint16_t rows, cols;
};

extern struct tty console_tty;
extern const struct file_ops tty_fops;

void tty_init(void);
/* Drains the UART into the line discipline (console interrupt). */
void tty_console_irq(void);

#endif
