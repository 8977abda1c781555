/*
 * The terminal line discipline (kernel/fs/tty_ldisc.c): input editing,
 * echo, signal characters and output processing, with Linux's termios
 * layout and values, independent of any device.
 */
#ifndef KERNEL_TTY_LDISC_H
#define KERNEL_TTY_LDISC_H

#include <kernel/types.h>

/* Linux x86_64 struct termios (TCGETS/TCSETS), 36 bytes. */
#define NCCS		19
struct tty_termios {
	uint32_t c_iflag;
	uint32_t c_oflag;
	uint32_t c_cflag;
	uint32_t c_lflag;
	uint8_t c_line;
	uint8_t c_cc[NCCS];
};
_Static_assert(sizeof(struct tty_termios) == 36,
    "must match Linux's struct termios for TCGETS");

/* c_cc indices */
#define VINTR		0
#define VQUIT		1
#define VERASE		2
#define VKILL		3
#define VEOF		4
#define VTIME		5
#define VMIN		6
#define VSWTC		7
#define VSTART		8
#define VSTOP		9
#define VSUSP		10
#define VEOL		11
#define VREPRINT	12
#define VDISCARD	13
#define VWERASE		14
#define VLNEXT		15
#define VEOL2		16

/* c_iflag */
#define IGNBRK		0x0001
#define BRKINT		0x0002
#define IGNPAR		0x0004
#define PARMRK		0x0008
#define INPCK		0x0010
#define ISTRIP		0x0020
#define INLCR		0x0040
#define IGNCR		0x0080
#define ICRNL		0x0100
#define IUCLC		0x0200
#define IXON		0x0400
#define IXANY		0x0800
#define IXOFF		0x1000
#define IMAXBEL		0x2000
#define IUTF8		0x4000

/* c_oflag */
#define OPOST		0x0001
#define OLCUC		0x0002
#define ONLCR		0x0004
#define OCRNL		0x0008
#define ONOCR		0x0010
#define ONLRET		0x0020

/* c_cflag */
#define B38400		0x000f
#define CSIZE		0x0030
#define CS8		0x0030
#define CSTOPB		0x0040
#define CREAD		0x0080
#define PARENB		0x0100
#define HUPCL		0x0400
#define CLOCAL		0x0800

/* c_lflag */
#define ISIG		0x00001
#define ICANON		0x00002
#define ECHO		0x00008
#define ECHOE		0x00010
#define ECHOK		0x00020
#define ECHONL		0x00040
#define NOFLSH		0x00080
#define TOSTOP		0x00100
#define ECHOCTL		0x00200
#define ECHOPRT		0x00400
#define ECHOKE		0x00800
#define FLUSHO		0x01000
#define PENDIN		0x04000
#define IEXTEN		0x08000

/* Signals the line discipline raises (Linux numbers). */
#define LDISC_SIGINT	2
#define LDISC_SIGQUIT	3
#define LDISC_SIGTSTP	20

#define LDISC_BUF_SIZE	4096	/* a power of two */

/* Writes len bytes to the device; the line discipline has processed them. */
typedef void ldisc_write_fn(void *ctx, const char *buf, size_t len);
/* Sends sig to the terminal's foreground process group. */
typedef void ldisc_signal_fn(void *ctx, int sig);

/*
 * One terminal's line discipline. The owner serialises every call (the
 * big kernel lock); the callbacks run inside ldisc_input and must not call
 * back into this line discipline. Fields are private to tty_ldisc.c except
 * termios, which is read through ldisc_termios.
 *
 * buf is a ring indexed by free-running counters: [read_head, canon_head)
 * may be read; [canon_head, edit_head) is the line being edited (empty
 * outside canonical mode).
 */
struct tty_ldisc {
	struct tty_termios termios;
	ldisc_write_fn *echo;
	ldisc_signal_fn *signal;
	void *ctx;
	char buf[LDISC_BUF_SIZE];
	uint64_t line_end[LDISC_BUF_SIZE / 64];	/* bit: byte ends a line */
	uint64_t eof_mark[LDISC_BUF_SIZE / 64];	/* bit: byte is an EOF */
	size_t read_head;
	size_t canon_head;
	size_t edit_head;
	unsigned column;	/* output column, for erasing tabs */
	unsigned line_column;	/* column where the edited line began */
	bool lnext;		/* the previous byte was VLNEXT */
	bool stopped;		/* output stopped by VSTOP (IXON) */
};

/* Sets up ld with Linux's default termios (cooked mode, echo, ^C etc.).
 * echo and signal may be NULL. */
void ldisc_init(struct tty_ldisc *ld, ldisc_write_fn *echo,
    ldisc_signal_fn *signal, void *ctx);

/* Returns the current termios. */
const struct tty_termios *ldisc_termios(const struct tty_ldisc *ld);

/*
 * Installs new settings (TCSETS). Leaving or entering canonical mode makes
 * whatever was typed so far readable at once, as Linux does.
 */
void ldisc_set_termios(struct tty_ldisc *ld, const struct tty_termios *t);

/*
 * Takes len bytes received from the device: maps CR/NL, raises signals,
 * edits the line, echoes. Input that finds the buffer full is dropped.
 */
void ldisc_input(struct tty_ldisc *ld, const char *buf, size_t len);

/*
 * Returns whether ldisc_read would return data or EOF now: in canonical
 * mode, when a whole line (or EOF) is buffered; otherwise when VMIN bytes
 * are (any byte when VMIN is 0 and VTIME is not; always when both are 0).
 * A reader that finds it false sleeps until input arrives, or, when VTIME
 * is set, at most ldisc_vtime deciseconds, then reads whatever is there.
 */
bool ldisc_readable(const struct tty_ldisc *ld);

/* Returns the bytes a read could take now (in canonical mode, only those
 * of complete lines). */
size_t ldisc_available(const struct tty_ldisc *ld);

/* Returns VTIME in tenths of a second; 0 when canonical (no timer). */
unsigned ldisc_vtime(const struct tty_ldisc *ld);

/*
 * Copies buffered input to buf. Canonical mode: at most one line, its
 * delimiter included (a line longer than len is returned in pieces); an
 * EOF character ends the line without being returned, so at the start of
 * a line it reads as 0. Otherwise: up to len bytes. Returns the count, 0
 * for EOF, or -EAGAIN when there is nothing to read yet. Never sleeps.
 */
ssize_t_k ldisc_read(struct tty_ldisc *ld, char *buf, size_t len);

/*
 * Processes len bytes a program writes (OPOST: ONLCR, OCRNL) and passes
 * them to out with ld's ctx. Returns len, or 0 while output is stopped by
 * VSTOP: the writer waits for ldisc_output_stopped to turn false.
 */
ssize_t_k ldisc_output(struct tty_ldisc *ld, const char *buf, size_t len,
    ldisc_write_fn *out);

/* Returns whether output is stopped (IXON and VSTOP received). */
bool ldisc_output_stopped(const struct tty_ldisc *ld);
/* Stops or restarts output (tcflow's TCOOFF and TCOON). */
void ldisc_set_output_stopped(struct tty_ldisc *ld, bool stopped);

/*
 * Returns how many bytes ldisc_input can take without dropping any, for a
 * device that can hold input back (a pty master's writer waits): the free
 * room, except in canonical mode with no whole line waiting, where the
 * line being edited takes any amount (erase characters must get through;
 * what does not fit is dropped), as Linux's n_tty: SIZE_MAX then.
 */
size_t ldisc_input_room(const struct tty_ldisc *ld);

/* Discards all buffered input, read or not (TCIFLUSH). Output is not
 * buffered here, so TCOFLUSH has nothing to do in the line discipline. */
void ldisc_flush_input(struct tty_ldisc *ld);

#endif
