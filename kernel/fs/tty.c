/*
 * The terminal core: what every terminal's open file does, whatever the
 * device behind it (the console's UART, a pty's master). Reads wait for
 * the line discipline, writes go out through its OPOST processing as fast
 * as the device takes them, ioctls cover termios, the session and its
 * foreground process group, the window size. Job control: a background
 * reader gets SIGTTIN. A hung-up terminal's files read 0 and write EIO.
 */
#include <kernel/tty.h>
#include <kernel/vfs.h>
#include <kernel/proc.h>
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/kmalloc.h>
#include <kernel/vm.h>

#define TCGETS 0x5401
#define TCSETS 0x5402
#define TCSETSW 0x5403
#define TCSETSF 0x5404
#define TCGETA 0x5405
#define TCSETA 0x5406
#define TCSETAW 0x5407
#define TCSETAF 0x5408
#define TCSBRK 0x5409
#define TCXONC 0x540A
#define TCFLSH 0x540B
#define TIOCEXCL 0x540C
#define TIOCNXCL 0x540D
#define TIOCSCTTY 0x540E
#define TIOCGPGRP 0x540F
#define TIOCSPGRP 0x5410
#define TIOCOUTQ 0x5411
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define FIONREAD 0x541B
#define TIOCNOTTY 0x5422
#define TIOCSETD 0x5423
#define TIOCGETD 0x5424
#define TCSBRKP 0x5425
#define TIOCGSID 0x5429

/* One open file of a terminal (its f->priv). */
struct tty_file {
	struct list link;		/* tty->files */
	struct tty *tty;
	struct file *file;
	bool hung_up;			/* vhangup: this file reads 0, writes EIO */
};

static void
ldisc_to_device(void *ctx, const char *buf, size_t len)
{
	struct tty *t = ctx;
	t->driver->write(t, buf, len);
}

static void
ldisc_signal(void *ctx, int sig)
{
	struct tty *t = ctx;
	if (t->fg_pgrp > 0)
		signal_send_pgrp(t->fg_pgrp, sig);
}

void
tty_setup(struct tty *t, const struct tty_driver *driver, void *driver_data,
	  uint32_t rdev)
{
	ldisc_init(&t->ld, ldisc_to_device, ldisc_signal, t);
	t->driver = driver;
	t->driver_data = driver_data;
	t->rdev = rdev;
	waitq_init(&t->readers);
	waitq_init(&t->writers);
	list_init(&t->files);
	t->session = 0;
	t->fg_pgrp = 0;
	t->winsize = (struct tty_winsize){ .rows = 24, .cols = 80 };
	t->hung_up = false;
}

void
tty_notify(struct tty *t)
{
	list_for_each(it, &t->files)
		file_notify(list_entry(it, struct tty_file, link)->file);
}

void
tty_receive(struct tty *t, const char *buf, size_t len)
{
	bool was_stopped = ldisc_output_stopped(&t->ld);

	ldisc_input(&t->ld, buf, len);
	if (ldisc_available(&t->ld) > 0)
		waitq_wake_all(&t->readers);
	if (was_stopped && !ldisc_output_stopped(&t->ld))
		waitq_wake_all(&t->writers);
	tty_notify(t);
}

size_t
tty_input_room(const struct tty *t)
{
	return ldisc_input_room(&t->ld);
}

void
tty_wake_writers(struct tty *t)
{
	waitq_wake_all(&t->writers);
	tty_notify(t);
}

bool
tty_is_open(const struct tty *t)
{
	return !list_empty(&t->files);
}

struct tty *
tty_of_file(struct file *f)
{
	return ((struct tty_file *)f->priv)->tty;
}

/* Whether f reads 0 and writes EIO: its terminal, or f itself, hung up. */
static bool
file_hung_up(struct file *f)
{
	struct tty_file *tf = f->priv;
	return tf->tty->hung_up || tf->hung_up;
}

/* Makes t the controlling terminal of p, a session leader. */
static void
ctty_set(struct tty *t, struct proc *p)
{
	t->session = p->sid;
	t->fg_pgrp = p->pgid;
	p->ctty = t;
}

/* No process keeps t as controlling terminal; t belongs to no session. */
static void
ctty_clear_all(struct tty *t)
{
	list_for_each(it, &all_procs) {
		struct proc *q = list_entry(it, struct proc, all_link);
		if (q->ctty == t)
			q->ctty = NULL;
	}
	t->session = 0;
	t->fg_pgrp = 0;
}

/* The hang-up's news: the session leader gets SIGHUP and SIGCONT, the
 * terminal is no session's, and its sleepers and pollers wake. */
static void
hangup_session(struct tty *t)
{
	struct proc *leader = t->session ? proc_find(t->session) : NULL;
	if (leader && leader->sid == leader->pid) {
		signal_send_proc(leader, SIGHUP);
		signal_send_proc(leader, SIGCONT);
	}
	ctty_clear_all(t);
	waitq_wake_all(&t->readers);
	waitq_wake_all(&t->writers);
	tty_notify(t);
}

void
tty_hangup(struct tty *t)
{
	if (t->hung_up)
		return;
	t->hung_up = true;
	hangup_session(t);
}

/*
 * vhangup(2): the files open on p's controlling terminal now are hung up
 * (read 0, write EIO), its session leader gets SIGHUP and SIGCONT, and it
 * is no session's terminal; later opens of the device work again, as
 * Linux's tty_vhangup_self. Nothing without a controlling terminal.
 */
void
tty_vhangup_ctty(struct proc *p)
{
	struct tty *t = p->ctty;
	if (!t)
		return;
	list_for_each(it, &t->files)
		list_entry(it, struct tty_file, link)->hung_up = true;
	hangup_session(t);
}

/*
 * Drops p's hold on its controlling terminal: at exit, setsid's caller
 * has none already. When the session leader lets go, the foreground group
 * gets SIGHUP (and SIGCONT, unless the leader is exiting) and the terminal
 * is free for another session, as Linux's disassociate_ctty.
 */
static void
ctty_leave(struct proc *p, bool exiting)
{
	struct tty *t = p->ctty;
	p->ctty = NULL;
	if (!t || p->pid != p->sid || t->session != p->sid)
		return;
	if (t->fg_pgrp > 0) {
		signal_send_pgrp(t->fg_pgrp, SIGHUP);
		if (!exiting)
			signal_send_pgrp(t->fg_pgrp, SIGCONT);
	}
	ctty_clear_all(t);
}

void
proc_leave_tty(struct proc *p)
{
	ctty_leave(p, true);
}

int
tty_attach(struct tty *t, struct file *f, bool noctty)
{
	struct proc *p = current()->proc;
	if (t->hung_up)
		return -EIO;
	if (t->driver->open) {
		int e = t->driver->open(t);
		if (e < 0)
			return e;
	}
	struct tty_file *tf = kmalloc(sizeof(*tf));
	if (!tf)
		return -ENOMEM;
	tf->tty = t;
	tf->file = f;
	tf->hung_up = false;
	list_push_back(&t->files, &tf->link);
	f->priv = tf;
	/* As Linux's tty_open: only a file that can be read is taken. */
	if (!noctty && !(f->flags & O_NOCTTY) && p->sid == p->pid && !p->ctty &&
	    !t->session && (f->flags & O_ACCMODE) != O_WRONLY)
		ctty_set(t, p);
	return 0;
}

void
tty_close(struct file *f)
{
	struct tty_file *tf = f->priv;
	struct tty *t = tf->tty;
	list_remove(&tf->link);
	kfree(tf);
	if (!tty_is_open(t) && t->driver->last_close)
		t->driver->last_close(t);	/* may free t */
}

/*
 * A process outside the terminal's foreground group reads it (SIGTTIN) or
 * writes or sets it (SIGTTOU): its group is stopped, unless it blocks or
 * ignores the signal, which lets a write through and fails a read with
 * EIO, as Linux's tty_check_change.
 */
static int
job_control_check(struct tty *t, int sig)
{
	struct proc *p = current()->proc;
	if (p->ctty != t || t->fg_pgrp == 0 || p->pgid == t->fg_pgrp)
		return 0;
	struct sigaction_k *a = &p->sighand->action[sig];
	if ((current()->sig_blocked & SIGBIT(sig)) || a->handler == 1)
		return sig == SIGTTIN ? -EIO : 0;
	signal_send_pgrp(p->pgid, sig);
	return -ERESTARTSYS;
}

/* Whether a read of len bytes returns now (n_tty_read's conditions). */
static bool
read_ready(const struct tty *t, size_t len, bool timed_out)
{
	const struct tty_termios *tio = ldisc_termios(&t->ld);
	size_t avail = ldisc_available(&t->ld);
	unsigned vmin = tio->c_cc[VMIN];

	if (tio->c_lflag & ICANON)
		return avail > 0;
	if (vmin == 0 && tio->c_cc[VTIME] == 0)
		return true;
	return avail >= MAX(vmin, 1u) || (avail > 0 && avail >= len) ||
	       timed_out;
}

/*
 * How long a raw read waits: VTIME tenths of a second in all, with VMIN
 * 0; with VMIN set, from the last byte that came (an inter-byte timer,
 * started by the first). 0: no limit.
 */
static uint64_t
read_deadline(const struct tty *t, uint64_t deadline)
{
	const struct tty_termios *tio = ldisc_termios(&t->ld);
	uint64_t vtime_ns = tio->c_cc[VTIME] * 100000000ull;

	if ((tio->c_lflag & ICANON) || vtime_ns == 0)
		return 0;
	if (tio->c_cc[VMIN] == 0)
		return deadline ? deadline : arch_now_ns() + vtime_ns;
	return ldisc_available(&t->ld) > 0 ? arch_now_ns() + vtime_ns : 0;
}

long
tty_read(struct file *f, void *buf, size_t len, uint64_t *off)
{
	struct tty *t = tty_of_file(f);
	uint64_t deadline = 0;
	bool timed_out = false;
	(void)off;

	int e = file_hung_up(f) ? 0 : job_control_check(t, SIGTTIN);
	if (e)
		return e;
	for (;;) {
		if (file_hung_up(f))
			return 0;
		if (read_ready(t, len, timed_out)) {
			long n = ldisc_read(&t->ld, buf, len);
			if (n == -EAGAIN)
				n = 0;
			if (n > 0 && t->driver->input_drained)
				t->driver->input_drained(t);
			return n;
		}
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		deadline = read_deadline(t, deadline);
		int r = waitq_wait(&t->readers, deadline, true);
		if (r == -EINTR)
			return -ERESTARTSYS;
		timed_out = r == -ETIMEDOUT;
	}
}

/*
 * Bytes of a program's output the device takes now: none while output is
 * stopped, and half the room when OPOST may turn each NL into CR NL.
 */
static size_t
output_room(struct tty *t)
{
	const struct tty_termios *tio = ldisc_termios(&t->ld);

	if (ldisc_output_stopped(&t->ld))
		return 0;
	if (!t->driver->write_room)
		return SIZE_MAX;
	size_t room = t->driver->write_room(t);
	return (tio->c_oflag & OPOST) && (tio->c_oflag & ONLCR) ? room / 2 :
								   room;
}

long
tty_write(struct file *f, const void *buf, size_t len, uint64_t *off)
{
	struct tty *t = tty_of_file(f);
	size_t done = 0;
	(void)off;

	if (file_hung_up(f))
		return -EIO;
	if (ldisc_termios(&t->ld)->c_lflag & TOSTOP) {
		int e = job_control_check(t, SIGTTOU);
		if (e)
			return e;
	}
	while (done < len) {
		size_t n = MIN(len - done, output_room(t));
		if (n > 0) {
			ldisc_output(&t->ld, (const char *)buf + done, n,
				     ldisc_to_device);
			done += n;
			continue;
		}
		if (f->flags & O_NONBLOCK)
			break;
		int r = waitq_wait(&t->writers, 0, true);
		if (r == -EINTR)
			return done ? (long)done : -ERESTARTSYS;
		if (file_hung_up(f))
			return done ? (long)done : -EIO;
	}
	return done || len == 0 ? (long)done : -EAGAIN;
}

unsigned
tty_poll(struct file *f)
{
	struct tty *t = tty_of_file(f);
	const struct tty_termios *tio = ldisc_termios(&t->ld);
	unsigned ev = 0;
	size_t want = 1;

	if (file_hung_up(f))
		return POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDNORM |
		       POLLWRNORM;
	/* As Linux's input_available_p: VMIN counts when VTIME is 0. */
	if (!(tio->c_lflag & ICANON) && tio->c_cc[VTIME] == 0 &&
	    tio->c_cc[VMIN] > 0)
		want = tio->c_cc[VMIN];
	if (ldisc_available(&t->ld) >= want)
		ev |= POLLIN | POLLRDNORM;
	if (output_room(t) > 0)
		ev |= POLLOUT | POLLWRNORM;
	return ev;
}

/* TIOCSCTTY, as Linux's tiocsctty; steal: arg 1 from root. */
static long
ioctl_set_ctty(struct tty *t, struct file *f, bool steal)
{
	struct proc *p = current()->proc;

	if (p->pid == p->sid && t->session == p->sid)
		return 0;
	if (p->pid != p->sid || p->ctty)
		return -EPERM;
	if (t->session) {
		if (!steal || !capable(CAP_SYS_ADMIN))
			return -EPERM;
		ctty_clear_all(t);
	}
	if ((f->flags & O_ACCMODE) == O_WRONLY && !capable(CAP_SYS_ADMIN))
		return -EPERM;
	ctty_set(t, p);
	return 0;
}

/* TIOCSPGRP: the group must exist in the caller's session. */
static long
ioctl_set_pgrp(struct tty *t, uint64_t arg)
{
	struct proc *p = current()->proc;
	bool found = false;
	int pgid;

	if (p->ctty != t || t->session != p->sid)
		return -ENOTTY;
	int e = job_control_check(t, SIGTTOU);
	if (e)
		return e;
	if (copyin(&pgid, arg, sizeof(pgid)) < 0)
		return -EFAULT;
	if (pgid < 0)
		return -EINVAL;
	list_for_each(it, &all_procs) {
		struct proc *q = list_entry(it, struct proc, all_link);
		if (q->pgid == pgid) {
			if (q->sid != p->sid)
				return -EPERM;
			found = true;
		}
	}
	if (!found)
		return -ESRCH;
	t->fg_pgrp = pgid;
	return 0;
}

/* The old System V struct termio (TCGETA, TCSETA*): the low 16 bits of
 * each flag word and the first 8 control characters. */
struct tty_termio {
	uint16_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[8];
};
_Static_assert(sizeof(struct tty_termio) == 18, "Linux's struct termio");

static long
ioctl_get_termio(struct tty *t, uint64_t arg)
{
	const struct tty_termios *cur = ldisc_termios(&t->ld);
	struct tty_termio tio = {
		(uint16_t)cur->c_iflag, (uint16_t)cur->c_oflag,
		(uint16_t)cur->c_cflag, (uint16_t)cur->c_lflag, cur->c_line,
		{ 0 },
	};
	memcpy(tio.c_cc, cur->c_cc, sizeof(tio.c_cc));
	return copyout(arg, &tio, sizeof(tio));
}

/* Reads the new settings at arg: a struct termios, or for TCSETA* a
 * struct termio laid over the current ones (Linux's
 * user_termio_to_kernel_termios). */
static long
termios_in(struct tty *t, unsigned long cmd, uint64_t arg,
	   struct tty_termios *tio)
{
	if (cmd == TCSETS || cmd == TCSETSW || cmd == TCSETSF)
		return copyin(tio, arg, sizeof(*tio)) < 0 ? -EFAULT : 0;
	struct tty_termio old;
	if (copyin(&old, arg, sizeof(old)) < 0)
		return -EFAULT;
	*tio = *ldisc_termios(&t->ld);
	tio->c_iflag = (tio->c_iflag & 0xffff0000u) | old.c_iflag;
	tio->c_oflag = (tio->c_oflag & 0xffff0000u) | old.c_oflag;
	tio->c_cflag = (tio->c_cflag & 0xffff0000u) | old.c_cflag;
	tio->c_lflag = (tio->c_lflag & 0xffff0000u) | old.c_lflag;
	tio->c_line = old.c_line;
	memcpy(tio->c_cc, old.c_cc, sizeof(old.c_cc));
	return 0;
}

static long
ioctl_set_termios(struct tty *t, unsigned long cmd, uint64_t arg)
{
	struct tty_termios tio;

	long e = termios_in(t, cmd, arg, &tio);
	if (e)
		return e;
	e = job_control_check(t, SIGTTOU);
	if (e)
		return e;
	if (cmd == TCSETSF || cmd == TCSETAF)
		ldisc_flush_input(&t->ld);
	bool was_stopped = ldisc_output_stopped(&t->ld);
	ldisc_set_termios(&t->ld, &tio);
	waitq_wake_all(&t->readers);
	if (was_stopped && !ldisc_output_stopped(&t->ld))
		waitq_wake_all(&t->writers);
	tty_notify(t);
	return 0;
}

static long
ioctl_set_winsize(struct tty *t, uint64_t arg)
{
	struct tty_winsize ws;

	if (copyin(&ws, arg, sizeof(ws)) < 0)
		return -EFAULT;
	if (memcmp(&ws, &t->winsize, sizeof(ws)) == 0)
		return 0;
	t->winsize = ws;
	if (t->fg_pgrp > 0)
		signal_send_pgrp(t->fg_pgrp, SIGWINCH);
	return 0;
}

/* TCFLSH: 0 input, 1 output (nothing is held), 2 both. */
static long
ioctl_flush(struct tty *t, uint64_t arg)
{
	if (arg > 2)
		return -EINVAL;
	if (arg != 1) {
		ldisc_flush_input(&t->ld);
		if (t->driver->input_drained)
			t->driver->input_drained(t);
	}
	return 0;
}

/* TCXONC: TCOOFF, TCOON; TCIOFF and TCION would send STOP and START to
 * the device, which has no flow control to heed them. */
static long
ioctl_flow(struct tty *t, uint64_t arg)
{
	if (arg > 3)
		return -EINVAL;
	if (arg <= 1) {
		ldisc_set_output_stopped(&t->ld, arg == 0);
		if (arg == 1)
			tty_wake_writers(t);
	}
	return 0;
}

static long
put_int(uint64_t arg, int v)
{
	return copyout(arg, &v, sizeof(v));
}

long
tty_mode_ioctl(struct tty *t, struct file *f, unsigned long cmd, uint64_t arg,
	       bool from_master)
{
	struct proc *p = current()->proc;
	/* Through the master, a terminal need not be the caller's own. */
	bool own = from_master || p->ctty == t;

	switch (cmd) {
	case TCGETS:
		return copyout(arg, ldisc_termios(&t->ld),
			       sizeof(struct tty_termios));
	case TCGETA:
		return ioctl_get_termio(t, arg);
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
	case TCSETA:
	case TCSETAW:
	case TCSETAF:
		return ioctl_set_termios(t, cmd, arg);
	case TCSBRK:
	case TCSBRKP:
		return 0;	/* output is never held: drained already */
	case TCXONC:
		return ioctl_flow(t, arg);
	case TIOCGWINSZ:
		return copyout(arg, &t->winsize, sizeof(t->winsize));
	case TIOCSWINSZ:
		return ioctl_set_winsize(t, arg);
	case TIOCSCTTY:
		return ioctl_set_ctty(t, f, arg == 1);
	case TIOCNOTTY:
		if (from_master || p->ctty != t)
			return -ENOTTY;
		ctty_leave(p, false);
		return 0;
	case TIOCGPGRP:
		if (!own)
			return -ENOTTY;
		return put_int(arg, t->fg_pgrp);
	case TIOCSPGRP:
		return ioctl_set_pgrp(t, arg);
	case TIOCGSID:
		if (!own || !t->session)
			return -ENOTTY;
		return put_int(arg, t->session);
	case TIOCEXCL:
	case TIOCNXCL:
		return 0;
	case TIOCGETD:
		return put_int(arg, 0);		/* N_TTY */
	case TIOCSETD: {
		int ld;
		if (copyin(&ld, arg, sizeof(ld)) < 0)
			return -EFAULT;
		return ld == 0 ? 0 : -EINVAL;
	}
	}
	return -ENOTTY;
}

long
tty_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	struct tty *t = tty_of_file(f);

	if (file_hung_up(f))
		return cmd == TIOCSPGRP ? -ENOTTY : -EIO;
	switch (cmd) {
	case FIONREAD:
		return put_int(arg, (int)ldisc_available(&t->ld));
	case TIOCOUTQ:
		return put_int(arg, 0);
	case TCFLSH:
		return ioctl_flush(t, arg);
	}
	return tty_mode_ioctl(t, f, cmd, arg, false);
}

/*
 * O_ASYNC on a terminal: a file with no owner yet gets the foreground
 * process group (else the caller) as its owner, as Linux's tty_fasync.
 */
int
tty_fasync(struct file *f, bool on)
{
	struct tty *t = tty_of_file(f);
	if (on && !f->owner.pid) {
		if (t->fg_pgrp > 0)
			fown_set(f, F_OWNER_PGRP, t->fg_pgrp);
		else
			fown_set(f, F_OWNER_PID, current()->proc->pid);
	}
	return 0;
}

/* /dev/tty opens the caller's controlling terminal itself. */
static int
ctty_open(struct file *f)
{
	struct tty *t = current()->proc->ctty;
	if (!t)
		return -ENXIO;
	return tty_attach(t, f, true);
}

const struct file_ops ctty_fops = {
	TTY_FILE_OPS,
	.open = ctty_open,
};
