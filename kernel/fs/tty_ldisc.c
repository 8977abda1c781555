/*
 * The terminal line discipline: what a Linux tty does between the device
 * and read/write (termios(3)): canonical editing, echo, signal characters,
 * CR/NL mapping and output post-processing. Devices feed it and drain it.
 */
#include <kernel/types.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include <kernel/tty_ldisc.h>

#define MASK		(LDISC_BUF_SIZE - 1)
#define CTRL(c)		((c) & 0x1f)
#define DEL		0x7f

_Static_assert((LDISC_BUF_SIZE & MASK) == 0, "ring size is a power of two");

enum erase_kind { ERASE_CHAR, ERASE_WORD, ERASE_LINE };

/* Linux's tty_std_termios: cooked mode with echo, 38400 8N1. */
static const struct tty_termios default_termios = {
	.c_iflag = ICRNL | IXON,
	.c_oflag = OPOST | ONLCR,
	.c_cflag = B38400 | CS8 | CREAD | HUPCL,
	.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE |
	    IEXTEN,
	.c_line = 0,
	.c_cc = {
		[VINTR] = CTRL('C'), [VQUIT] = CTRL('\\'), [VERASE] = DEL,
		[VKILL] = CTRL('U'), [VEOF] = CTRL('D'), [VTIME] = 0,
		[VMIN] = 1, [VSWTC] = 0, [VSTART] = CTRL('Q'),
		[VSTOP] = CTRL('S'), [VSUSP] = CTRL('Z'), [VEOL] = 0,
		[VREPRINT] = CTRL('R'), [VDISCARD] = CTRL('O'),
		[VWERASE] = CTRL('W'), [VLNEXT] = CTRL('V'), [VEOL2] = 0,
	},
};

static bool
bit_test(const uint64_t *map, size_t i)
{
	return (map[(i & MASK) / 64] >> (i % 64)) & 1;
}

static void
bit_set(uint64_t *map, size_t i, bool on)
{
	uint64_t bit = (uint64_t)1 << (i % 64);

	if (on)
		map[(i & MASK) / 64] |= bit;
	else
		map[(i & MASK) / 64] &= ~bit;
}

/* Is c the special character cc[idx]? A value of 0 disables it. */
static bool
is_cc(const struct tty_ldisc *ld, int idx, unsigned char c)
{
	return ld->termios.c_cc[idx] != 0 && ld->termios.c_cc[idx] == c;
}

static bool
is_ctl(unsigned char c)
{
	return (c < 0x20 && c != '\n' && c != '\t') || c == DEL;
}

static bool
is_word_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '_';
}

static bool
is_utf8_cont(const struct tty_ldisc *ld, unsigned char c)
{
	return (ld->termios.c_iflag & IUTF8) && (c & 0xc0) == 0x80;
}

static void
track_column(struct tty_ldisc *ld, unsigned char c)
{
	if (c == '\r')
		ld->column = 0;
	else if (c == '\b')
		ld->column -= ld->column > 0;
	else if (c == '\t')
		ld->column = (ld->column | 7) + 1;
	else if (c >= 0x20 && c != DEL && (c & 0xc0) != 0x80)
		ld->column++;
}

/* Applies OPOST processing to s and hands the result to fn in chunks. */
static void
write_processed(struct tty_ldisc *ld, ldisc_write_fn *fn, const char *s,
    size_t n)
{
	uint32_t oflag = ld->termios.c_oflag;
	char chunk[128];
	size_t used = 0;
	unsigned char c;

	for (; n > 0; n--, s++) {
		if (used + 2 > sizeof(chunk)) {
			if (fn != NULL)
				fn(ld->ctx, chunk, used);
			used = 0;
		}
		c = (unsigned char)*s;
		if ((oflag & OPOST) && c == '\n' && (oflag & ONLCR)) {
			chunk[used++] = '\r';
			track_column(ld, '\r');
		} else if ((oflag & OPOST) && c == '\r' && (oflag & OCRNL)) {
			c = '\n';
		}
		chunk[used++] = (char)c;
		track_column(ld, c);
	}
	if (used > 0 && fn != NULL)
		fn(ld->ctx, chunk, used);
}

static void
echo_str(struct tty_ldisc *ld, const char *s, size_t n)
{
	write_processed(ld, ld->echo, s, n);
}

/* Echoes c as typed: control characters as "^X" under ECHOCTL. */
static void
echo_char(struct tty_ldisc *ld, unsigned char c)
{
	char s[2];

	if (!(ld->termios.c_lflag & ECHO))
		return;
	if ((ld->termios.c_lflag & ECHOCTL) && is_ctl(c)) {
		s[0] = '^';
		s[1] = (char)(c ^ 0x40);
		echo_str(ld, s, 2);
	} else {
		s[0] = (char)c;
		echo_str(ld, s, 1);
	}
}

static size_t
buffered(const struct tty_ldisc *ld)
{
	return ld->edit_head - ld->read_head;
}

/*
 * Appends c to the ring, ending a line if delim (and marking an EOF if
 * eof). A canonical line keeps one slot free for its delimiter. Returns
 * false, storing nothing, when there is no room.
 */
static bool
store(struct tty_ldisc *ld, unsigned char c, bool delim, bool eof)
{
	bool canon = ld->termios.c_lflag & ICANON;
	size_t limit = canon && !delim ? LDISC_BUF_SIZE - 1 : LDISC_BUF_SIZE;

	if (buffered(ld) >= limit)
		return false;
	if (canon && ld->edit_head == ld->canon_head)
		ld->line_column = ld->column;
	ld->buf[ld->edit_head & MASK] = (char)c;
	bit_set(ld->line_end, ld->edit_head, delim);
	bit_set(ld->eof_mark, ld->edit_head, eof);
	ld->edit_head++;
	if (!canon || delim)
		ld->canon_head = ld->edit_head;
	return true;
}

/* Returns the columns the edited line's bytes [canon_head, end) take. */
static unsigned
line_width(const struct tty_ldisc *ld, size_t end)
{
	unsigned col = ld->line_column;
	bool ctl_echo = ld->termios.c_lflag & ECHOCTL;
	unsigned char c;
	size_t i;

	for (i = ld->canon_head; i != end; i++) {
		c = (unsigned char)ld->buf[i & MASK];
		if (c == '\t')
			col = (col | 7) + 1;
		else if (is_ctl(c))
			col += ctl_echo ? 2 : 0;
		else if (!is_utf8_cont(ld, c))
			col++;
	}
	return col;
}

/* Visually erases c, which began at (the new) edit_head. */
static void
echo_rubout(struct tty_ldisc *ld, unsigned char c)
{
	unsigned width, start_col;

	if (c == '\t') {
		/* Back up to where the tab started: no spaces, as Linux. */
		start_col = line_width(ld, ld->edit_head);
		width = ld->column > start_col ? ld->column - start_col : 0;
		width = MIN(width, 8u);
		while (width-- > 0)
			echo_str(ld, "\b", 1);
		return;
	}
	width = is_ctl(c) ? ((ld->termios.c_lflag & ECHOCTL) ? 2 : 0) : 1;
	while (width-- > 0)
		echo_str(ld, "\b \b", 3);
}

/* VERASE, VWERASE and VKILL on the line being edited (as Linux's eraser). */
static void
erase(struct tty_ldisc *ld, enum erase_kind kind, unsigned char typed)
{
	uint32_t lflag = ld->termios.c_lflag;
	bool seen_word = false;
	unsigned char c;
	size_t start;

	if (ld->edit_head == ld->canon_head)
		return;
	if (kind == ERASE_LINE && (!(lflag & ECHO) || !(lflag & ECHOK) ||
	    !(lflag & ECHOKE) || !(lflag & ECHOE))) {
		ld->edit_head = ld->canon_head;
		echo_char(ld, typed);
		if ((lflag & ECHO) && (lflag & ECHOK))
			echo_str(ld, "\n", 1);
		return;
	}
	while (ld->edit_head != ld->canon_head) {
		/* A UTF-8 character goes whole, judged by its lead byte. */
		start = ld->edit_head - 1;
		while (start != ld->canon_head &&
		    is_utf8_cont(ld, (unsigned char)ld->buf[start & MASK]))
			start--;
		c = (unsigned char)ld->buf[start & MASK];
		if (kind == ERASE_WORD) {
			if (is_word_char(c))
				seen_word = true;
			else if (seen_word)
				break;
		}
		ld->edit_head = start;
		if ((lflag & ECHO) && kind == ERASE_CHAR && !(lflag & ECHOE))
			echo_char(ld, typed);
		else if (lflag & ECHO)
			echo_rubout(ld, c);
		if (kind == ERASE_CHAR)
			break;
	}
}

/* VREPRINT: shows the line being edited again on a fresh line. */
static void
reprint(struct tty_ldisc *ld, unsigned char typed)
{
	size_t i;

	if (!(ld->termios.c_lflag & ECHO))
		return;
	echo_char(ld, typed);
	echo_str(ld, "\n", 1);
	ld->line_column = ld->column;
	for (i = ld->canon_head; i != ld->edit_head; i++)
		echo_char(ld, (unsigned char)ld->buf[i & MASK]);
}

/* Handles canonical mode's special characters; returns whether c was one. */
static bool
canon_special(struct tty_ldisc *ld, unsigned char c)
{
	uint32_t lflag = ld->termios.c_lflag;
	bool ext = lflag & IEXTEN;

	if (is_cc(ld, VERASE, c)) {
		erase(ld, ERASE_CHAR, c);
	} else if (is_cc(ld, VKILL, c)) {
		erase(ld, ERASE_LINE, c);
	} else if (ext && is_cc(ld, VWERASE, c)) {
		erase(ld, ERASE_WORD, c);
	} else if (ext && is_cc(ld, VLNEXT, c)) {
		ld->lnext = true;
		if ((lflag & ECHO) && (lflag & ECHOCTL))
			echo_str(ld, "^\b", 2);
	} else if (ext && is_cc(ld, VREPRINT, c)) {
		reprint(ld, c);
	} else if (is_cc(ld, VEOF, c)) {
		/* Not echoed; ends the line, or reads as EOF if it is empty. */
		store(ld, 0, true, true);
	} else if (c == '\n') {
		if (store(ld, c, true, false) &&
		    (lflag & (ECHO | ECHONL)))
			echo_str(ld, "\n", 1);
	} else if (is_cc(ld, VEOL, c) || (ext && is_cc(ld, VEOL2, c))) {
		if (store(ld, c, true, false))
			echo_char(ld, c);
	} else {
		return false;
	}
	return true;
}

/* Returns the signal c raises under ISIG, or 0. */
static int
signal_of(const struct tty_ldisc *ld, unsigned char c)
{
	if (is_cc(ld, VINTR, c))
		return LDISC_SIGINT;
	if (is_cc(ld, VQUIT, c))
		return LDISC_SIGQUIT;
	if (is_cc(ld, VSUSP, c))
		return LDISC_SIGTSTP;
	return 0;
}

static void
input_char(struct tty_ldisc *ld, unsigned char c)
{
	const struct tty_termios *t = &ld->termios;
	int sig;

	if (t->c_iflag & ISTRIP)
		c &= 0x7f;
	if (ld->lnext) {
		ld->lnext = false;
		if (store(ld, c, false, false))
			echo_char(ld, c);
		return;
	}
	if (t->c_iflag & IXON) {
		if (is_cc(ld, VSTOP, c)) {
			ld->stopped = true;
			return;
		}
		if (is_cc(ld, VSTART, c)) {
			ld->stopped = false;
			return;
		}
	}
	if ((t->c_lflag & ISIG) && (sig = signal_of(ld, c)) != 0) {
		if (!(t->c_lflag & NOFLSH))
			ldisc_flush_input(ld);
		if (t->c_iflag & IXON)
			ld->stopped = false;
		echo_char(ld, c);
		if (ld->signal != NULL)
			ld->signal(ld->ctx, sig);
		return;
	}
	if ((t->c_iflag & IXON) && (t->c_iflag & IXANY))
		ld->stopped = false;
	if (c == '\r') {
		if (t->c_iflag & IGNCR)
			return;
		if (t->c_iflag & ICRNL)
			c = '\n';
	} else if (c == '\n' && (t->c_iflag & INLCR)) {
		c = '\r';
	}
	if ((t->c_lflag & ICANON) && canon_special(ld, c))
		return;
	if (store(ld, c, false, false))
		echo_char(ld, c);
}

/* Sets up ld with default settings; see tty_ldisc.h. */
void
ldisc_init(struct tty_ldisc *ld, ldisc_write_fn *echo,
    ldisc_signal_fn *signal, void *ctx)
{
	memset(ld, 0, sizeof(*ld));
	ld->termios = default_termios;
	ld->echo = echo;
	ld->signal = signal;
	ld->ctx = ctx;
}

/* Returns the current termios. */
const struct tty_termios *
ldisc_termios(const struct tty_ldisc *ld)
{
	return &ld->termios;
}

/* Installs new settings; see tty_ldisc.h. */
void
ldisc_set_termios(struct tty_ldisc *ld, const struct tty_termios *t)
{
	bool was_canon = ld->termios.c_lflag & ICANON;

	ld->termios = *t;
	if (was_canon != (bool)(t->c_lflag & ICANON)) {
		if ((t->c_lflag & ICANON) && ld->edit_head != ld->read_head)
			bit_set(ld->line_end, ld->edit_head - 1, true);
		ld->canon_head = ld->edit_head;
		ld->lnext = false;
	}
	if (!(t->c_iflag & IXON))
		ld->stopped = false;
}

/* Takes input from the device; see tty_ldisc.h. */
void
ldisc_input(struct tty_ldisc *ld, const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		input_char(ld, (unsigned char)buf[i]);
}

/* Returns whether a read would return now; see tty_ldisc.h. */
bool
ldisc_readable(const struct tty_ldisc *ld)
{
	const struct tty_termios *t = &ld->termios;
	size_t avail = ld->canon_head - ld->read_head;

	if (t->c_lflag & ICANON)
		return avail > 0;
	if (t->c_cc[VMIN] > 0)
		return avail >= t->c_cc[VMIN];
	return t->c_cc[VTIME] == 0 || avail > 0;
}

/* Returns the number of bytes readable now. */
size_t
ldisc_available(const struct tty_ldisc *ld)
{
	return ld->canon_head - ld->read_head;
}

/* Returns VTIME in deciseconds, or 0 in canonical mode. */
unsigned
ldisc_vtime(const struct tty_ldisc *ld)
{
	if (ld->termios.c_lflag & ICANON)
		return 0;
	return ld->termios.c_cc[VTIME];
}

/* Reads one line (canonical) or what there is; see tty_ldisc.h. */
ssize_t_k
ldisc_read(struct tty_ldisc *ld, char *buf, size_t len)
{
	bool canon = ld->termios.c_lflag & ICANON;
	size_t n = 0, i;

	if (len == 0)
		return 0;
	if (ld->read_head == ld->canon_head)
		return -EAGAIN;
	while (n < len && ld->read_head != ld->canon_head) {
		i = ld->read_head++;
		if (canon && bit_test(ld->eof_mark, i))
			return (ssize_t_k)n;
		buf[n++] = ld->buf[i & MASK];
		if (canon && bit_test(ld->line_end, i))
			return (ssize_t_k)n;
	}
	/* A full buffer right before an EOF: the EOF only ended this line. */
	if (canon && ld->read_head != ld->canon_head &&
	    bit_test(ld->eof_mark, ld->read_head))
		ld->read_head++;
	return (ssize_t_k)n;
}

/* Post-processes a program's output to out; see tty_ldisc.h. */
ssize_t_k
ldisc_output(struct tty_ldisc *ld, const char *buf, size_t len,
    ldisc_write_fn *out)
{
	if (ld->stopped)
		return 0;
	write_processed(ld, out, buf, len);
	return (ssize_t_k)len;
}

/* Returns whether output is stopped by VSTOP. */
bool
ldisc_output_stopped(const struct tty_ldisc *ld)
{
	return ld->stopped;
}

/* Stops or restarts output, as VSTOP and VSTART do (tcflow). */
void
ldisc_set_output_stopped(struct tty_ldisc *ld, bool stopped)
{
	ld->stopped = stopped;
}

/* Returns the bytes ldisc_input can take now; see tty_ldisc.h. */
size_t
ldisc_input_room(const struct tty_ldisc *ld)
{
	if ((ld->termios.c_lflag & ICANON) && ld->canon_head == ld->read_head)
		return SIZE_MAX;
	return LDISC_BUF_SIZE - buffered(ld);
}

/* Drops all buffered input. */
void
ldisc_flush_input(struct tty_ldisc *ld)
{
	ld->read_head = ld->edit_head;
	ld->canon_head = ld->edit_head;
	ld->lnext = false;
}
