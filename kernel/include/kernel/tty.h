/*
 * Terminals (kernel/fs/tty.c): the part every terminal shares (a line
 * discipline, a session, a foreground process group, a window size,
 * hangup) and the drivers behind it: the console's serial port
 * (tty_console.c) and pseudo-terminal slaves (pty.c, devpts.c).
 */
#ifndef KERNEL_TTY_H
#define KERNEL_TTY_H

#include <kernel/types.h>
#include <kernel/list.h>
#include <kernel/tty_ldisc.h>
#include <kernel/sched.h>

struct tty;
struct file;
struct inode;
struct proc;

/* Linux's device numbers, in the encoding stat(2) shows (new_encode_dev). */
#define TTY_DEV(major, minor) \
	(((minor) & 0xffu) | ((major) << 8) | (((minor) & ~0xffu) << 12))
#define TTY_MAJOR_TTY		5	/* 0 tty, 1 console, 2 ptmx */
#define TTY_MAJOR_SERIAL	4	/* 4,64 ttyS0 */
#define TTY_MAJOR_PTS		136	/* /dev/pts/N */

/*
 * What a terminal's device does. All hooks run under the big lock and
 * must not sleep.
 */
struct tty_driver {
	/* A file opens the terminal: 0, or -errno to refuse (NULL: 0). */
	int (*open)(struct tty *t);
	/* Takes len bytes the line discipline produced (output, echo); at
	 * most write_room's count, anything beyond may be dropped. */
	void (*write)(struct tty *t, const char *buf, size_t len);
	/* Bytes the device can take now; NULL: any amount, at once. */
	size_t (*write_room)(struct tty *t);
	/* A reader took input: the device may send more (NULL: no matter). */
	void (*input_drained)(struct tty *t);
	/* The last open file of the terminal closed (NULL: no matter). */
	void (*last_close)(struct tty *t);
};

/* Linux struct winsize (TIOCGWINSZ). */
struct tty_winsize {
	uint16_t rows, cols, xpixel, ypixel;
};

/*
 * One terminal, as programs reading and writing it see it. Everything is
 * guarded by the big lock.
 */
struct tty {
	struct tty_ldisc ld;
	const struct tty_driver *driver;
	void *driver_data;		/* the driver's own (a pty pair) */
	uint32_t rdev;			/* its device number, TTY_DEV() */
	struct waitq readers;		/* read: input, hangup */
	struct waitq writers;		/* write: room, VSTART, hangup */
	struct list files;		/* struct tty_file: its open files */
	int session;			/* sid of its session, 0: none */
	int fg_pgrp;
	struct tty_winsize winsize;
	bool hung_up;			/* its files read 0, write EIO */
};

/* Sets up t (Linux's default termios, 24x80) for driver. */
void tty_setup(struct tty *t, const struct tty_driver *driver,
	       void *driver_data, uint32_t rdev);
/*
 * Input from the device: through the line discipline (echo, signals),
 * then readers and pollers are woken. Never sleeps; input beyond the
 * room the line discipline has is dropped (see tty_input_room).
 */
void tty_receive(struct tty *t, const char *buf, size_t len);
/* Bytes tty_receive can take without dropping any (Linux's n_tty receive
 * room): in canonical mode with no whole line waiting, any amount, since
 * the line is being edited; SIZE_MAX stands for that. */
size_t tty_input_room(const struct tty *t);
/* Wakes the terminal's writers and pollers: the device has room again. */
void tty_wake_writers(struct tty *t);
/* Wakes pollers of every open file of t (readiness changed). */
void tty_notify(struct tty *t);
/*
 * Hangs t up, as Linux's tty_vhangup: its session leader gets SIGHUP and
 * SIGCONT, no process keeps t as controlling terminal, and its open files
 * read 0 and write EIO from now on. Sleepers are woken.
 */
void tty_hangup(struct tty *t);
/* vhangup(2): hangs up the files open on p's controlling terminal now, as
 * tty_hangup, but the terminal opens again (none: nothing). */
void tty_vhangup_ctty(struct proc *p);
/* Whether t has open files. */
bool tty_is_open(const struct tty *t);
/*
 * Ties a new open file to t (f->priv) once the driver's open hook agrees:
 * a session leader without a terminal that opened it for reading gets t
 * as controlling terminal, unless noctty or O_NOCTTY. 0, -EIO (hung up),
 * the hook's error or -ENOMEM. For a driver's file_ops.open.
 */
int tty_attach(struct tty *t, struct file *f, bool noctty);
/* The terminal f is open on (its file_ops are TTY_FILE_OPS). */
struct tty *tty_of_file(struct file *f);
/* Applies termios, window size and process-group ioctls to t for a file
 * of the caller (the pty master passes its slave); -ENOTTY for others. */
long tty_mode_ioctl(struct tty *t, struct file *f, unsigned long cmd,
		    uint64_t arg, bool from_master);

long tty_read(struct file *f, void *buf, size_t len, uint64_t *off);
long tty_write(struct file *f, const void *buf, size_t len, uint64_t *off);
long tty_ioctl(struct file *f, unsigned long cmd, uint64_t arg);
unsigned tty_poll(struct file *f);
void tty_close(struct file *f);

/* The file operations of a terminal's open file; a driver adds .open,
 * which finds the terminal and calls tty_attach. */
int tty_fasync(struct file *f, bool on);
#define TTY_FILE_OPS                                                        \
	.read = tty_read, .write = tty_write, .ioctl = tty_ioctl,           \
	.poll = tty_poll, .close = tty_close, .fasync = tty_fasync

/* /dev/tty: the caller's controlling terminal (ENXIO without one). */
extern const struct file_ops ctty_fops;

/* The console (tty_console.c): /dev/console, /dev/ttyS0. */
extern struct tty console_tty;
extern const struct file_ops console_fops;
void tty_init(void);
/* Drains the UART into the line discipline (console interrupt). */
void tty_console_irq(void);

/* Pseudo-terminals (pty.c): /dev/ptmx and /dev/pts/ptmx open a new pair. */
#define PTY_MAX 1024			/* pairs at once (Linux: 4096) */
extern const struct file_ops ptmx_fops;
extern const struct file_ops pts_fops;
/* The node of /dev/pts/index (a new reference), or NULL if none. */
struct inode *pty_node(unsigned index);
/* The lowest index >= from with a node, or -1. */
int pty_next(unsigned from);

/*
 * devpts (devpts.c), the file system of /dev/pts: one set of pairs shown
 * by every mount. devpts_new makes a mount's root (options as mount's
 * data: mode=, gid=, uid=, ptmxmode=) or returns an error pointer;
 * devpts_node_new makes /dev/pts/index for the caller (owner, mode) with
 * pts_fops, or returns NULL.
 */
struct inode *devpts_new(const char *options);
struct inode *devpts_node_new(unsigned index);

#endif
