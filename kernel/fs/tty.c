/*
 * The console tty: reads wait for the line discipline, writes go out
 * through OPOST processing, ioctls cover termios, process groups and the
 * window size. Job control: a background reader gets SIGTTIN.
 */
#include <kernel/tty.h>
#include <kernel/vfs.h>
#include <kernel/proc.h>
#include <kernel/arch.h>
#include <kernel/irq.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/kmalloc.h>
#include <kernel/vm.h>

struct tty console_tty;

#define TCGETS 0x5401
#define TCSETS 0x5402
#define TCSETSW 0x5403
#define TCSETSF 0x5404
#define TCFLSH 0x540B
#define TIOCSCTTY 0x540E
#define TIOCGPGRP 0x540F
#define TIOCSPGRP 0x5410
#define TIOCOUTQ 0x5411
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define FIONREAD 0x541B
#define TIOCNOTTY 0x5422
#define TIOCGSID 0x5429
#define FIONBIO 0x5421

static void
tty_echo(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	arch_console_write(buf, len);
}

static void
tty_signal(void *ctx, int sig)
{
	struct tty *t = ctx;
	if (t->fg_pgrp > 0)
		signal_send_pgrp(t->fg_pgrp, sig);
}

void
tty_init(void)
{
	ldisc_init(&console_tty.ld, tty_echo, tty_signal, &console_tty);
	waitq_init(&console_tty.readers);
	console_tty.rows = 24;
	console_tty.cols = 80;
}

void
tty_console_irq(void)
{
	char buf[64];
	size_t n = 0;
	int c;
	while ((c = arch_console_getc()) >= 0) {
		buf[n++] = (char)c;
		if (n == sizeof(buf)) {
			ldisc_input(&console_tty.ld, buf, n);
			n = 0;
		}
	}
	if (n)
		ldisc_input(&console_tty.ld, buf, n);
	if (ldisc_readable(&console_tty.ld)) {
		waitq_wake_all(&console_tty.readers);
		file_notify(NULL);
	}
}

/* A background process reading its controlling terminal is stopped. */
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

static long
tty_read(struct file *f, void *buf, size_t len, uint64_t *off)
{
	struct tty *t = &console_tty;
	(void)off;
	int e = job_control_check(t, SIGTTIN);
	if (e)
		return e;
	for (;;) {
		if (ldisc_readable(&t->ld)) {
			long n = ldisc_read(&t->ld, buf, len);
			if (n != -EAGAIN)
				return n;
		}
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		unsigned vtime = ldisc_vtime(&t->ld);
		uint64_t deadline = vtime ? arch_now_ns() + vtime * 100000000ull : 0;
		int r = waitq_wait(&t->readers, deadline, true);
		if (r == -EINTR)
			return -ERESTARTSYS;
		if (r == -ETIMEDOUT) {
			long n = ldisc_read(&t->ld, buf, len);
			return n == -EAGAIN ? 0 : n;
		}
	}
}

static void
tty_out(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	arch_console_write(buf, len);
}

static long
tty_write(struct file *f, const void *buf, size_t len, uint64_t *off)
{
	struct tty *t = &console_tty;
	(void)f;
	(void)off;
	if (ldisc_termios(&t->ld)->c_lflag & TOSTOP) {
		int e = job_control_check(t, SIGTTOU);
		if (e)
			return e;
	}
	return ldisc_output(&t->ld, buf, len, tty_out);
}

static long
tty_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	struct tty *t = &console_tty;
	struct proc *p = current()->proc;
	int v;

	switch (cmd) {
	case TCGETS:
		return copyout(arg, ldisc_termios(&t->ld), sizeof(struct tty_termios));
	case TCSETS:
	case TCSETSW:
	case TCSETSF: {
		struct tty_termios tio;
		if (copyin(&tio, arg, sizeof(tio)) < 0)
			return -EFAULT;
		if (cmd == TCSETSF)
			ldisc_flush_input(&t->ld);
		ldisc_set_termios(&t->ld, &tio);
		waitq_wake_all(&t->readers);
		return 0;
	}
	case TCFLSH:
		if (arg == 0 || arg == 2)
			ldisc_flush_input(&t->ld);
		return 0;
	case TIOCGWINSZ: {
		uint16_t ws[4] = { t->rows, t->cols, 0, 0 };
		return copyout(arg, ws, sizeof(ws));
	}
	case TIOCSWINSZ: {
		uint16_t ws[4];
		if (copyin(ws, arg, sizeof(ws)) < 0)
			return -EFAULT;
		t->rows = ws[0];
		t->cols = ws[1];
		if (t->fg_pgrp > 0)
			signal_send_pgrp(t->fg_pgrp, SIGWINCH);
		return 0;
	}
	case TIOCSCTTY:
		if (p->sid != p->pid)
			return -EPERM;
		if (t->session && t->session != p->sid && arg != 1)
			return -EPERM;
		t->session = p->sid;
		t->fg_pgrp = p->pgid;
		p->ctty = t;
		return 0;
	case TIOCNOTTY:
		if (p->ctty != t)
			return -ENOTTY;
		proc_leave_tty(p);
		return 0;
	case TIOCGPGRP:
		if (p->ctty != t)
			return -ENOTTY;
		v = t->fg_pgrp;
		return copyout(arg, &v, sizeof(v));
	case TIOCSPGRP: {
		if (p->ctty != t || t->session != p->sid)
			return -ENOTTY;
		if (copyin(&v, arg, sizeof(v)) < 0)
			return -EFAULT;
		if (v <= 0)
			return -EINVAL;
		t->fg_pgrp = v;
		return 0;
	}
	case TIOCGSID:
		if (p->ctty != t)
			return -ENOTTY;
		v = t->session;
		return copyout(arg, &v, sizeof(v));
	case FIONREAD:
		v = (int)ldisc_available(&t->ld);
		return copyout(arg, &v, sizeof(v));
	case TIOCOUTQ:
		v = 0;
		return copyout(arg, &v, sizeof(v));
	case FIONBIO:
		if (copyin(&v, arg, sizeof(v)) < 0)
			return -EFAULT;
		if (v)
			f->flags |= O_NONBLOCK;
		else
			f->flags &= ~O_NONBLOCK;
		return 0;
	}
	return -ENOTTY;
}

static unsigned
tty_poll(struct file *f)
{
	(void)f;
	unsigned ev = POLLOUT | POLLWRNORM;
	if (ldisc_readable(&console_tty.ld))
		ev |= POLLIN | POLLRDNORM;
	return ev;
}

/* Opening the console makes it the controlling tty of a session leader. */
static int
tty_open(struct file *f)
{
	struct proc *p = current()->proc;
	struct tty *t = &console_tty;
	if (!(f->flags & O_NOCTTY) && p->sid == p->pid && !p->ctty && !t->session) {
		t->session = p->sid;
		t->fg_pgrp = p->pgid;
		p->ctty = t;
	}
	return 0;
}

void
proc_leave_tty(struct proc *p)
{
	struct tty *t = p->ctty;
	p->ctty = NULL;
	if (!t || p->pid != p->sid || t->session != p->sid)
		return;
	/* The session leader is gone: the terminal is free again. */
	if (t->fg_pgrp > 0)
		signal_send_pgrp(t->fg_pgrp, SIGHUP);
	t->session = 0;
	t->fg_pgrp = 0;
	list_for_each(it, &all_procs) {
		struct proc *q = list_entry(it, struct proc, all_link);
		if (q->ctty == t)
			q->ctty = NULL;
	}
}

/*
 * O_ASYNC on the console: a file with no owner yet gets the foreground
 * process group (else the caller) as its owner, as Linux's tty_fasync.
 */
static int
tty_fasync(struct file *f, bool on)
{
	struct tty *t = &console_tty;
	if (on && !f->owner.pid) {
		if (t->fg_pgrp > 0)
			fown_set(f, F_OWNER_PGRP, t->fg_pgrp);
		else
			fown_set(f, F_OWNER_PID, current()->proc->pid);
	}
	return 0;
}

const struct file_ops tty_fops = {
	.read = tty_read,
	.write = tty_write,
	.ioctl = tty_ioctl,
	.poll = tty_poll,
	.open = tty_open,
	.fasync = tty_fasync,
};
