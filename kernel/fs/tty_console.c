/*
 * The console terminal: the serial port behind the terminal core. Its
 * interrupt feeds what is typed to the line discipline; what programs
 * write and what is echoed goes straight out (the UART is polled, so the
 * device is never full). /dev/console and /dev/ttyS0 are this terminal.
 */
#include <kernel/tty.h>
#include <kernel/vfs.h>
#include <kernel/arch.h>

struct tty console_tty;

static void
console_write(struct tty *t, const char *buf, size_t len)
{
	(void)t;
	arch_console_write(buf, len);
}

static const struct tty_driver console_driver = {
	.write = console_write,
};

void
tty_init(void)
{
	tty_setup(&console_tty, &console_driver, NULL,
		  TTY_DEV(TTY_MAJOR_TTY, 1));
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
			tty_receive(&console_tty, buf, n);
			n = 0;
		}
	}
	if (n)
		tty_receive(&console_tty, buf, n);
}

/*
 * As on Linux, opening /dev/console never makes it a controlling
 * terminal (init hands it out with TIOCSCTTY); /dev/ttyS0 may.
 */
static int
console_open(struct file *f)
{
	uint32_t console = TTY_DEV(TTY_MAJOR_TTY, 1);
	return tty_attach(&console_tty, f,
			  f->inode && f->inode->rdev == console);
}

const struct file_ops console_fops = {
	TTY_FILE_OPS,
	.open = console_open,
};
