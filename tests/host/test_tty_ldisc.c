/*
 * Unit test of kernel/fs/tty_ldisc.c: typed lines, editing, echo, signal
 * characters, EOF, raw mode with VMIN/VTIME, output processing.
 */
#include <kernel/types.h>
#include <kernel/errno.h>
#include <kernel/tty_ldisc.h>

#include <stdlib.h>
#include "check.h"

/* What the line discipline sent to the "device". */
struct device {
	char echoed[8192];
	size_t echo_len;
	int signals[16];
	int nsignals;
};

static void
dev_write(void *ctx, const char *buf, size_t len)
{
	struct device *d = ctx;

	if (d->echo_len + len < sizeof(d->echoed)) {
		memcpy(d->echoed + d->echo_len, buf, len);
		d->echo_len += len;
		d->echoed[d->echo_len] = '\0';
	}
}

static void
dev_signal(void *ctx, int sig)
{
	struct device *d = ctx;

	if (d->nsignals < 16)
		d->signals[d->nsignals++] = sig;
}

static struct tty_ldisc ld;
static struct device dev;

static void
setup(void)
{
	memset(&dev, 0, sizeof(dev));
	ldisc_init(&ld, dev_write, dev_signal, &dev);
}

static void
type(const char *s)
{
	ldisc_input(&ld, s, strlen(s));
}

/* Reads once into a NUL-terminated string; returns the count. */
static ssize_t_k
read_str(char *buf, size_t len)
{
	ssize_t_k n = ldisc_read(&ld, buf, len - 1);

	buf[n > 0 ? n : 0] = '\0';
	return n;
}

static void
clear_echo(void)
{
	dev.echo_len = 0;
	dev.echoed[0] = '\0';
}

static void
test_defaults(void)
{
	const struct tty_termios *t;

	setup();
	t = ldisc_termios(&ld);
	CHECK_EQ(t->c_iflag, ICRNL | IXON);
	CHECK_EQ(t->c_oflag, OPOST | ONLCR);
	CHECK_EQ(t->c_cflag, B38400 | CS8 | CREAD | HUPCL);
	CHECK_EQ(t->c_lflag, ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL |
	    ECHOKE | IEXTEN);
	/* Values from Linux's <asm-generic/termbits.h>. */
	CHECK_EQ(ICANON, 0x2);
	CHECK_EQ(ECHOCTL, 0x200);
	CHECK_EQ(IEXTEN, 0x8000);
	CHECK_EQ(ICRNL, 0x100);
	CHECK_EQ(ONLCR, 0x4);
	CHECK_EQ(t->c_cc[VINTR], 3);
	CHECK_EQ(t->c_cc[VQUIT], 28);
	CHECK_EQ(t->c_cc[VERASE], 127);
	CHECK_EQ(t->c_cc[VKILL], 21);
	CHECK_EQ(t->c_cc[VEOF], 4);
	CHECK_EQ(t->c_cc[VMIN], 1);
	CHECK_EQ(t->c_cc[VSUSP], 26);
	CHECK_EQ(t->c_cc[VWERASE], 23);
	CHECK_EQ(VLNEXT, 15);
	CHECK_EQ(offsetof(struct tty_termios, c_cc), 17);
}

static void
test_lines(void)
{
	char buf[64];

	setup();
	CHECK(!ldisc_readable(&ld));
	CHECK_EQ(ldisc_read(&ld, buf, sizeof(buf)), -EAGAIN);
	type("hello");
	CHECK(!ldisc_readable(&ld));	/* no line yet */
	CHECK_EQ(ldisc_read(&ld, buf, sizeof(buf)), -EAGAIN);
	CHECK_STR(dev.echoed, "hello");
	type("\r");			/* ICRNL: Enter sends CR */
	CHECK(ldisc_readable(&ld));
	CHECK_STR(dev.echoed, "hello\r\n");
	type("second\rthird");
	CHECK_EQ(read_str(buf, sizeof(buf)), 6);
	CHECK_STR(buf, "hello\n");
	CHECK_EQ(read_str(buf, sizeof(buf)), 7);	/* one line per read */
	CHECK_STR(buf, "second\n");
	CHECK(!ldisc_readable(&ld));
	CHECK_EQ(ldisc_read(&ld, buf, sizeof(buf)), -EAGAIN);
	type("\n");
	/* A short buffer takes a line in pieces. */
	CHECK_EQ(read_str(buf, 4), 3);
	CHECK_STR(buf, "thi");
	CHECK_EQ(read_str(buf, sizeof(buf)), 3);
	CHECK_STR(buf, "rd\n");
	CHECK_EQ(ldisc_read(&ld, buf, 0), 0);
}

static void
test_erase_kill(void)
{
	char buf[64];

	setup();
	type("abc\x7f\x7f" "d\n");
	CHECK_EQ(read_str(buf, sizeof(buf)), 3);
	CHECK_STR(buf, "ad\n");
	CHECK_STR(dev.echoed, "abc\b \b\b \bd\r\n");

	/* Erasing past the line start does nothing. */
	clear_echo();
	type("x\x7f\x7f\x7fy\n");
	CHECK_EQ(read_str(buf, sizeof(buf)), 2);
	CHECK_STR(buf, "y\n");
	CHECK_STR(dev.echoed, "x\b \by\r\n");

	/* A control character echoed as ^A takes two rubouts. */
	clear_echo();
	type("\x01\x7f\n");
	CHECK_STR(dev.echoed, "^A\b \b\b \b\r\n");
	CHECK_EQ(read_str(buf, sizeof(buf)), 1);

	/* Kill (^U) with ECHOKE rubs out the whole line. */
	clear_echo();
	type("wrong\x15right\n");
	CHECK_EQ(read_str(buf, sizeof(buf)), 6);
	CHECK_STR(buf, "right\n");
	CHECK_STR(dev.echoed, "wrong\b \b\b \b\b \b\b \b\b \bright\r\n");

	/* Word erase (^W) as Linux: trailing non-word chars, then a word. */
	type("one two.. \x17three\n");
	CHECK_EQ(read_str(buf, sizeof(buf)), 10);
	CHECK_STR(buf, "one three\n");
	type("a foo-bar\x17X\n");
	CHECK_EQ(read_str(buf, sizeof(buf)), 8);
	CHECK_STR(buf, "a foo-X\n");
	type("foo bar\x17\x17" "baz\n");
	CHECK_EQ(read_str(buf, sizeof(buf)), 4);
	CHECK_STR(buf, "baz\n");

	/* Without ECHOE, erase echoes the erase character itself. */
	{
		struct tty_termios t = *ldisc_termios(&ld);
		t.c_lflag &= ~(ECHOE | ECHOKE);
		ldisc_set_termios(&ld, &t);
	}
	clear_echo();
	type("ab\x7f\n");
	CHECK_STR(dev.echoed, "ab^?\r\n");
	CHECK_EQ(read_str(buf, sizeof(buf)), 2);
	clear_echo();
	type("ab\x15" "c\n");
	CHECK_STR(dev.echoed, "ab^U\r\nc\r\n");	/* ECHOK: newline after kill */
	CHECK_EQ(read_str(buf, sizeof(buf)), 2);
	CHECK_STR(buf, "c\n");
}

static void
test_tab_utf8_lnext(void)
{
	struct tty_termios t;
	char buf[64];

	setup();
	/* A tab after 3 columns moves 5: erasing it backs up 5. */
	type("abc\t\x7f\n");
	CHECK_STR(dev.echoed, "abc\t\b\b\b\b\b\r\n");
	CHECK_EQ(read_str(buf, sizeof(buf)), 4);
	/* IUTF8: one erase removes a whole multibyte character. */
	t = *ldisc_termios(&ld);
	t.c_iflag |= IUTF8;
	ldisc_set_termios(&ld, &t);
	clear_echo();
	type("a\xc3\xa9\x7f\n");
	CHECK_EQ(read_str(buf, sizeof(buf)), 2);
	CHECK_STR(buf, "a\n");
	CHECK_STR(dev.echoed, "a\xc3\xa9\b \b\r\n");
	/* ^V makes the next character literal, even ^C. */
	clear_echo();
	type("\x16\x03\n");
	CHECK_EQ(dev.nsignals, 0);
	CHECK_EQ(read_str(buf, sizeof(buf)), 2);
	CHECK_STR(buf, "\x03\n");
	CHECK_STR(dev.echoed, "^\b^C\r\n");
	/* ^R reprints the line being edited. */
	clear_echo();
	type("ab\x12");
	CHECK_STR(dev.echoed, "ab^R\r\nab");
}

static void
test_signals(void)
{
	char buf[64];
	struct tty_termios t;

	setup();
	type("partial\x03");
	CHECK_EQ(dev.nsignals, 1);
	CHECK_EQ(dev.signals[0], LDISC_SIGINT);
	CHECK_STR(dev.echoed, "partial^C");
	/* The input was flushed. */
	type("next\n");
	CHECK_EQ(read_str(buf, sizeof(buf)), 5);
	CHECK_STR(buf, "next\n");
	type("\x1c\x1a");
	CHECK_EQ(dev.nsignals, 3);
	CHECK_EQ(dev.signals[1], LDISC_SIGQUIT);
	CHECK_EQ(dev.signals[2], LDISC_SIGTSTP);

	/* NOFLSH keeps the input; no ISIG makes ^C an ordinary byte. */
	t = *ldisc_termios(&ld);
	t.c_lflag |= NOFLSH;
	ldisc_set_termios(&ld, &t);
	type("keep\x03\n");
	CHECK_EQ(dev.nsignals, 4);
	CHECK_EQ(read_str(buf, sizeof(buf)), 5);
	CHECK_STR(buf, "keep\n");
	t.c_lflag &= ~ISIG;
	ldisc_set_termios(&ld, &t);
	type("\x03\n");
	CHECK_EQ(dev.nsignals, 4);
	CHECK_EQ(read_str(buf, sizeof(buf)), 2);
	CHECK_STR(buf, "\x03\n");
	/* A disabled (0) character never matches a NUL byte. */
	t.c_lflag |= ISIG;
	t.c_cc[VINTR] = 0;
	ldisc_set_termios(&ld, &t);
	ldisc_input(&ld, "\0\n", 2);
	CHECK_EQ(dev.nsignals, 4);
	CHECK_EQ(ldisc_read(&ld, buf, sizeof(buf)), 2);
}

static void
test_eof(void)
{
	char buf[64];

	setup();
	type("\x04");
	CHECK(ldisc_readable(&ld));
	CHECK_EQ(ldisc_read(&ld, buf, sizeof(buf)), 0);	/* EOF */
	CHECK_EQ(ldisc_read(&ld, buf, sizeof(buf)), -EAGAIN);
	CHECK_STR(dev.echoed, "");	/* EOF is not echoed */
	/* ^D after text ends the line without a newline. */
	type("abc\x04");
	CHECK_EQ(read_str(buf, sizeof(buf)), 3);
	CHECK_STR(buf, "abc");
	CHECK_EQ(ldisc_read(&ld, buf, sizeof(buf)), -EAGAIN);
	/* A read that exactly fills its buffer still takes the EOF with it. */
	type("xyz\x04\x04");
	CHECK_EQ(read_str(buf, 4), 3);
	CHECK_EQ(ldisc_read(&ld, buf, sizeof(buf)), 0);
	CHECK_EQ(ldisc_read(&ld, buf, sizeof(buf)), -EAGAIN);
}

static void
test_raw(void)
{
	struct tty_termios t;
	char buf[64];

	setup();
	type("cooked");		/* half a line, then raw mode */
	t = *ldisc_termios(&ld);
	t.c_lflag &= ~(ICANON | ECHO | ISIG | IEXTEN);
	t.c_iflag &= ~(ICRNL | IXON);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	ldisc_set_termios(&ld, &t);
	CHECK(ldisc_readable(&ld));
	CHECK_EQ(read_str(buf, sizeof(buf)), 6);
	CHECK_STR(buf, "cooked");
	CHECK(!ldisc_readable(&ld));
	clear_echo();
	type("a\x7f\x03\r\x04");
	CHECK_STR(dev.echoed, "");
	CHECK_EQ(dev.nsignals, 0);
	CHECK_EQ(ldisc_available(&ld), 5);
	CHECK_EQ(read_str(buf, 3), 2);
	CHECK(memcmp(buf, "a\x7f", 2) == 0);
	CHECK_EQ(read_str(buf, sizeof(buf)), 3);
	CHECK(memcmp(buf, "\x03\r\x04", 3) == 0);
	CHECK_EQ(ldisc_read(&ld, buf, sizeof(buf)), -EAGAIN);

	/* VMIN = 3: readable once three bytes are in. */
	t.c_cc[VMIN] = 3;
	ldisc_set_termios(&ld, &t);
	type("xy");
	CHECK(!ldisc_readable(&ld));
	type("z");
	CHECK(ldisc_readable(&ld));
	CHECK_EQ(read_str(buf, sizeof(buf)), 3);
	/* VMIN = 0, VTIME = 0: a poll, always returns. */
	t.c_cc[VMIN] = 0;
	ldisc_set_termios(&ld, &t);
	CHECK(ldisc_readable(&ld));
	CHECK_EQ(ldisc_vtime(&ld), 0);
	/* VMIN = 0, VTIME = 5: waits up to 0.5 s for one byte. */
	t.c_cc[VTIME] = 5;
	ldisc_set_termios(&ld, &t);
	CHECK(!ldisc_readable(&ld));
	CHECK_EQ(ldisc_vtime(&ld), 5);
	type("q");
	CHECK(ldisc_readable(&ld));
	CHECK_EQ(read_str(buf, sizeof(buf)), 1);

	/* Raw with ECHO and ECHOCTL echoes control characters as ^X. */
	t.c_lflag |= ECHO | ECHOCTL;
	ldisc_set_termios(&ld, &t);
	clear_echo();
	type("k\x01");
	CHECK_STR(dev.echoed, "k^A");

	/* Back to canonical: pending raw bytes become a readable line. */
	t.c_lflag |= ICANON;
	ldisc_set_termios(&ld, &t);
	CHECK(ldisc_readable(&ld));
	CHECK_EQ(read_str(buf, sizeof(buf)), 2);
	CHECK_EQ(ldisc_vtime(&ld), 0);
}

static void
test_input_maps(void)
{
	struct tty_termios t;
	char buf[64];

	setup();
	t = *ldisc_termios(&ld);
	t.c_iflag = IGNCR;
	ldisc_set_termios(&ld, &t);
	type("a\rb\n");
	CHECK_EQ(read_str(buf, sizeof(buf)), 3);
	CHECK_STR(buf, "ab\n");
	t.c_iflag = INLCR | ISTRIP;
	t.c_lflag &= ~ICANON;
	ldisc_set_termios(&ld, &t);
	type("\n\xe1");
	CHECK_EQ(read_str(buf, sizeof(buf)), 2);
	CHECK_STR(buf, "\ra");
	/* IXON: ^S stops output, ^Q restarts it; neither is input. */
	t.c_iflag = IXON;
	ldisc_set_termios(&ld, &t);
	type("\x13");
	CHECK(ldisc_output_stopped(&ld));
	CHECK_EQ(ldisc_output(&ld, "x", 1, dev_write), 0);
	type("\x11");
	CHECK(!ldisc_output_stopped(&ld));
	CHECK_EQ(ldisc_available(&ld), 0);
	/* Flush drops everything, typed or half-typed. */
	type("abc");
	ldisc_flush_input(&ld);
	CHECK_EQ(ldisc_available(&ld), 0);
}

static void
test_output(void)
{
	struct tty_termios t;
	char big[1000];

	setup();
	CHECK_EQ(ldisc_output(&ld, "a\nb\r", 4, dev_write), 4);
	CHECK_STR(dev.echoed, "a\r\nb\r");
	t = *ldisc_termios(&ld);
	t.c_oflag |= OCRNL;
	ldisc_set_termios(&ld, &t);
	clear_echo();
	ldisc_output(&ld, "a\r", 2, dev_write);
	CHECK_STR(dev.echoed, "a\n");	/* OCRNL's NL is not then ONLCR'd */
	t.c_oflag &= ~OPOST;
	ldisc_set_termios(&ld, &t);
	clear_echo();
	ldisc_output(&ld, "a\nb", 3, dev_write);
	CHECK_STR(dev.echoed, "a\nb");
	/* Long output goes through in chunks, every byte once. */
	t.c_oflag |= OPOST;
	t.c_oflag &= ~OCRNL;
	ldisc_set_termios(&ld, &t);
	memset(big, '\n', sizeof(big));
	clear_echo();
	CHECK_EQ(ldisc_output(&ld, big, sizeof(big), dev_write), 1000);
	CHECK_EQ(dev.echo_len, 2000);
}

/* A full buffer drops input but always leaves room to end the line. */
static void
test_full(void)
{
	char buf[LDISC_BUF_SIZE + 16];
	ssize_t_k n;
	int i;

	setup();
	for (i = 0; i < LDISC_BUF_SIZE + 100; i++)
		type("x");
	type("\n");
	n = ldisc_read(&ld, buf, sizeof(buf));
	CHECK_EQ(n, LDISC_BUF_SIZE);
	CHECK_EQ(buf[n - 1], '\n');
	/* The ring wraps cleanly many times over. */
	for (i = 0; i < 3000; i++) {
		type("line\n");
		CHECK_EQ(ldisc_read(&ld, buf, sizeof(buf)), 5);
	}
}

/*
 * The room a pty master's writer may fill: everything while a canonical
 * line is being edited, the free bytes once a whole line waits or in raw
 * mode; input within the room is never dropped.
 */
static void
test_input_room(void)
{
	struct tty_termios t;
	char buf[LDISC_BUF_SIZE];
	size_t i;

	setup();
	CHECK(ldisc_input_room(&ld) == SIZE_MAX);
	type("partial");
	CHECK(ldisc_input_room(&ld) == SIZE_MAX);
	type("\n");
	CHECK_EQ(ldisc_input_room(&ld), LDISC_BUF_SIZE - 8);
	CHECK_EQ(ldisc_read(&ld, buf, sizeof(buf)), 8);

	t = *ldisc_termios(&ld);
	t.c_lflag &= ~(ICANON | ECHO);
	ldisc_set_termios(&ld, &t);
	CHECK_EQ(ldisc_input_room(&ld), LDISC_BUF_SIZE);
	for (i = 0; i < LDISC_BUF_SIZE - 1; i++)
		type("y");
	CHECK_EQ(ldisc_input_room(&ld), 1);
	type("z");
	CHECK_EQ(ldisc_input_room(&ld), 0);
	CHECK_EQ(ldisc_read(&ld, buf, sizeof(buf)), LDISC_BUF_SIZE);
	CHECK_EQ(buf[LDISC_BUF_SIZE - 1], 'z');

	ldisc_set_output_stopped(&ld, true);
	CHECK(ldisc_output_stopped(&ld));
	ldisc_set_output_stopped(&ld, false);
	CHECK(!ldisc_output_stopped(&ld));
}

/* Random input and settings: invariants hold, nothing overflows. */
static void
test_fuzz(void)
{
	static const char pool[] = "ab \t\r\n\x03\x04\x08\x11\x12\x13\x15"
	    "\x16\x17\x1a\x1c\x7f\xc3\xa9";
	struct tty_termios t;
	uint64_t seed = 7;
	char in[64], out[128];
	int i, j, len;

	setup();
	for (i = 0; i < 20000; i++) {
		if (check_rand(&seed) % 50 == 0) {
			t = *ldisc_termios(&ld);
			t.c_lflag ^= 1u << (check_rand(&seed) % 16);
			t.c_iflag ^= 1u << (check_rand(&seed) % 15);
			t.c_cc[VMIN] = check_rand(&seed) % 4;
			ldisc_set_termios(&ld, &t);
		}
		len = check_rand(&seed) % sizeof(in);
		for (j = 0; j < len; j++)
			in[j] = pool[check_rand(&seed) % (sizeof(pool) - 1)];
		ldisc_input(&ld, in, len);
		CHECK(ld.edit_head - ld.read_head <= LDISC_BUF_SIZE);
		CHECK(ld.canon_head - ld.read_head <=
		    ld.edit_head - ld.read_head);
		if (check_rand(&seed) % 2)
			CHECK(ldisc_read(&ld, out, check_rand(&seed) %
			    sizeof(out)) <= (ssize_t_k)sizeof(out));
		dev.echo_len = 0;
	}
}

int
main(void)
{
	test_defaults();
	test_lines();
	test_erase_kill();
	test_tab_utf8_lnext();
	test_signals();
	test_eof();
	test_raw();
	test_input_maps();
	test_output();
	test_full();
	test_input_room();
	test_fuzz();
	return check_done("test_tty_ldisc");
}
