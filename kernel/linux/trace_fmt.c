/*
 * How the system-call tracer prints each kind of argument (enum trace_kind)
 * and a call's result, as strace does. User memory is read through copyin,
 * a page at a time, so a bad pointer prints as its address and never
 * faults the kernel; strings and buffers are cut at TRACE_STR_MAX bytes.
 */
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/vm.h>
#include <kernel/page.h>
#include <kernel/errno.h>
#include "trace_fmt.h"

void
tb_putc(struct tbuf *b, char c)
{
	if (b->len + 1 < b->cap)
		b->buf[b->len++] = c;
}

void
tb_puts(struct tbuf *b, const char *s)
{
	while (*s)
		tb_putc(b, *s++);
}

void
tb_printf(struct tbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintk(b->buf + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len = MIN(b->len + (size_t)n, b->cap - 1);
}

static void
tb_ptr(struct tbuf *b, uint64_t p)
{
	if (p == 0)
		tb_puts(b, "NULL");
	else
		tb_printf(b, "0x%lx", p);
}

/*
 * Copies up to n bytes from user address u, a page at a time, stopping
 * after a NUL when `string`. Returns the bytes copied (the NUL included),
 * or -EFAULT when not even the first byte could be read.
 */
static long
copy_user_part(char *dst, uint64_t u, size_t n, bool string)
{
	size_t done = 0;
	while (done < n) {
		size_t chunk = PAGE_SIZE - ((u + done) & (PAGE_SIZE - 1));
		chunk = MIN(chunk, n - done);
		if (copyin(dst + done, u + done, chunk) < 0)
			return done ? (long)done : -EFAULT;
		const char *nul = string ? memchr_k(dst + done, 0, chunk) : NULL;
		if (nul)
			return nul - dst + 1;
		done += chunk;
	}
	return (long)done;
}

/* Prints bytes as a C string: "a\tb\n", non-ASCII in octal. */
static void
tb_quoted(struct tbuf *b, const char *s, size_t n, bool cut)
{
	static const char esc_from[] = "\t\n\v\f\r\"\\";
	static const char esc_to[] = "tnvfr\"\\";
	tb_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *e = c ? memchr_k(esc_from, c, 7) : NULL;
		bool digit_next = i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7';
		if (e)
			tb_printf(b, "\\%c", esc_to[e - esc_from]);
		else if (c >= 0x20 && c < 0x7f)
			tb_putc(b, (char)c);
		else
			tb_printf(b, digit_next ? "\\%03o" : "\\%o", c);
	}
	tb_putc(b, '"');
	if (cut)
		tb_puts(b, "...");
}

/* A NUL-ended string at u, cut after max bytes. */
static void
tb_user_string(struct tbuf *b, uint64_t u, size_t max)
{
	char s[TRACE_PATH_MAX + 1];
	if (u == 0) {
		tb_puts(b, "NULL");
		return;
	}
	long n = copy_user_part(s, u, max + 1, true);
	if (n < 0) {
		tb_ptr(b, u);
		return;
	}
	size_t len = (size_t)n;
	bool ended = len > 0 && s[len - 1] == 0;
	if (ended)
		len--;
	tb_quoted(b, s, MIN(len, max), !ended);
}

/* n bytes at u: the first TRACE_STR_MAX of them. */
static void
tb_user_bytes(struct tbuf *b, uint64_t u, size_t n)
{
	char s[TRACE_STR_MAX];
	size_t want = MIN(n, sizeof(s));
	if (copy_user_part(s, u, want, false) != (long)want) {
		tb_ptr(b, u);
		return;
	}
	tb_quoted(b, s, want, n > want);
}

/* Reads the 8-byte word at u; false when it cannot be read. */
static bool
user_word(uint64_t u, uint64_t *w)
{
	return copyin(w, u, sizeof(*w)) == 0;
}

/* execve's argv: ["sh", "-c", "cat /etc/hostname"]. */
static void
tb_argv(struct tbuf *b, uint64_t u)
{
	uint64_t p;
	if (u == 0 || !user_word(u, &p)) {
		tb_ptr(b, u);
		return;
	}
	tb_putc(b, '[');
	for (int i = 0; user_word(u + 8 * (uint64_t)i, &p) && p; i++) {
		if (i)
			tb_puts(b, ", ");
		if (i == TRACE_ARRAY_MAX) {
			tb_puts(b, "...");
			break;
		}
		tb_user_string(b, p, TRACE_STR_MAX);
	}
	tb_putc(b, ']');
}

/* execve's envp: its address and how many strings, as strace -v would
 * not. */
static void
tb_envp(struct tbuf *b, uint64_t u)
{
	uint64_t p;
	int n = 0;
	tb_ptr(b, u);
	if (u == 0)
		return;
	while (n < 4096 && user_word(u + 8 * (uint64_t)n, &p) && p)
		n++;
	tb_printf(b, " /* %d var%s */", n, n == 1 ? "" : "s");
}

/* An iovec array of cnt entries; `total` bytes of data are shown (all
 * of each buffer for input, the call's result for output). */
static void
tb_iov(struct tbuf *b, uint64_t u, long cnt, uint64_t total)
{
	uint64_t v[2];
	if (cnt < 0 || copyin(v, u, sizeof(v)) < 0) {
		tb_ptr(b, u);
		return;
	}
	tb_putc(b, '[');
	for (long i = 0; i < cnt; i++) {
		if (i)
			tb_puts(b, ", ");
		if (i == TRACE_ARRAY_MAX || copyin(v, u + 16 * (uint64_t)i,
						   sizeof(v)) < 0) {
			tb_puts(b, "...");
			break;
		}
		tb_puts(b, "{iov_base=");
		tb_user_bytes(b, v[0], MIN(v[1], total));
		total -= MIN(v[1], total);
		tb_printf(b, ", iov_len=%lu}", v[1]);
	}
	tb_putc(b, ']');
}

/* A wait status: [{WIFEXITED(s) && WEXITSTATUS(s) == 0}]. */
static void
tb_wstatus(struct tbuf *b, uint64_t u)
{
	int s;
	if (u == 0 || copyin(&s, u, sizeof(s)) < 0) {
		tb_ptr(b, u);
		return;
	}
	const char *sig = trace_signal_name((s & 0x7f) ? s & 0x7f : s >> 8 & 0xff);
	if ((s & 0x7f) == 0)
		tb_printf(b, "[{WIFEXITED(s) && WEXITSTATUS(s) == %d}]",
			  s >> 8 & 0xff);
	else if ((s & 0xff) == 0x7f)
		tb_printf(b, "[{WIFSTOPPED(s) && WSTOPSIG(s) == %s}]",
			  sig ? sig : "?");
	else
		tb_printf(b, "[{WIFSIGNALED(s) && WTERMSIG(s) == %s%s}]",
			  sig ? sig : "?", (s & 0x80) ? " && WCOREDUMP(s)" : "");
}

static void
tb_fdpair(struct tbuf *b, uint64_t u)
{
	int fd[2];
	if (copyin(fd, u, sizeof(fd)) < 0)
		tb_ptr(b, u);
	else
		tb_printf(b, "[%d, %d]", fd[0], fd[1]);
}

static void
tb_timespec(struct tbuf *b, uint64_t u)
{
	int64_t ts[2];
	if (u == 0 || copyin(ts, u, sizeof(ts)) < 0)
		tb_ptr(b, u);
	else
		tb_printf(b, "{tv_sec=%ld, tv_nsec=%ld}", ts[0], ts[1]);
}

static void
tb_signal(struct tbuf *b, long sig)
{
	const char *name = trace_signal_name((int)sig);
	if (name)
		tb_puts(b, name);
	else
		tb_printf(b, "%ld", sig);
}

bool
trace_arg_hidden(const struct trace_arg *a, const uint64_t *args)
{
	/* O_CREAT, O_TMPFILE: strace shows the mode only when it is used. */
	return a->kind == TR_OPENMODE && !(args[a->len] & (0100 | 020000000));
}

bool
trace_kind_is_output(unsigned kind)
{
	return kind == TR_OUT || kind == TR_OUTSTR || kind == TR_IOVOUT ||
	       kind == TR_FDPAIR || kind == TR_WSTATUS;
}

/* An output argument: what the call wrote, when it succeeded. */
static void
format_output(struct tbuf *b, const struct trace_arg *a, uint64_t v,
	      uint64_t length, long ret)
{
	if (ret < 0 || v == 0) {
		tb_ptr(b, v);
		return;
	}
	switch (a->kind) {
	case TR_OUT:
		tb_user_bytes(b, v, (size_t)ret);
		break;
	case TR_OUTSTR:
		tb_user_string(b, v, TRACE_PATH_MAX);
		break;
	case TR_IOVOUT:
		tb_iov(b, v, (long)length, (uint64_t)ret);
		break;
	case TR_FDPAIR:
		tb_fdpair(b, v);
		break;
	case TR_WSTATUS:
		if (ret == 0)
			tb_ptr(b, v);	/* WNOHANG, nothing waited for */
		else
			tb_wstatus(b, v);
		break;
	}
}

void
trace_format_arg(struct tbuf *b, const struct trace_arg *a, uint64_t v,
		 uint64_t length, long ret)
{
	switch (a->kind) {
	case TR_DEC:
	case TR_FD:
		tb_printf(b, "%d", (int)v);
		break;
	case TR_DIRFD:
		if ((int)v == -100)
			tb_puts(b, "AT_FDCWD");
		else
			tb_printf(b, "%d", (int)v);
		break;
	case TR_UDEC:
		tb_printf(b, "%lu", v);
		break;
	case TR_OCT:
	case TR_OPENMODE:
		tb_printf(b, "0%03lo", v);
		break;
	case TR_PTR:
		tb_ptr(b, v);
		break;
	case TR_SIG:
		tb_signal(b, (long)(int)v);
		break;
	case TR_FLAGS:
		trace_format_set(b, a->set, v);
		break;
	case TR_PATH:
		tb_user_string(b, v, TRACE_PATH_MAX);
		break;
	case TR_STR:
		tb_user_string(b, v, TRACE_STR_MAX);
		break;
	case TR_IN:
		tb_user_bytes(b, v, (size_t)length);
		break;
	case TR_IOVIN:
		tb_iov(b, v, (long)(int)length, ~0ull);
		break;
	case TR_ARGV:
		tb_argv(b, v);
		break;
	case TR_ENVP:
		tb_envp(b, v);
		break;
	case TR_TS:
		tb_timespec(b, v);
		break;
	default:
		if (trace_kind_is_output(a->kind))
			format_output(b, a, v, length, ret);
		else
			tb_printf(b, "%#lx", v);	/* TR_HEX; 0 is "0" */
		break;
	}
}

void
trace_format_ret(struct tbuf *b, unsigned kind, long ret)
{
	const char *message;
	const char *name = ret < 0 && ret >= -4095 ?
		trace_errno_name((int)-ret, &message) : NULL;

	if (name && -ret >= 512)	/* restarted: no result yet */
		tb_printf(b, " = ? %s (%s)", name, message);
	else if (name)
		tb_printf(b, " = -1 %s (%s)", name, message);
	else if (ret < 0 && ret >= -4095)
		tb_printf(b, " = -1 E%ld (errno %ld)", -ret, -ret);
	else if (kind == TR_HEX)
		tb_printf(b, " = %#lx", (uint64_t)ret);
	else if (kind == TR_OCT)
		tb_printf(b, " = 0%03lo", (uint64_t)ret);
	else
		tb_printf(b, " = %ld", ret);
}
