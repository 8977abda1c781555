/*
 * Inside the system-call tracer: the text buffer its lines are built in
 * (trace_fmt.c), how each kind of argument is printed (trace_fmt.c), and
 * the named sets, signals and error numbers (trace_sets.c).
 */
#ifndef TRACE_FMT_H
#define TRACE_FMT_H

#include <kernel/types.h>
#include <kernel/trace.h>

/* Strings and buffers are cut after this many bytes, as strace -s 32. */
#define TRACE_STR_MAX 32
/* Paths are printed whole up to this many bytes. */
#define TRACE_PATH_MAX 256
/* argv entries and iovecs printed before "...". */
#define TRACE_ARRAY_MAX 16

/* Text built in place; what does not fit is dropped, and len stays
 * below cap so the text can always be NUL-ended. */
struct tbuf {
	char *buf;
	size_t len, cap;
};

void tb_putc(struct tbuf *b, char c);
void tb_puts(struct tbuf *b, const char *s);
void tb_printf(struct tbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* True for an argument left out of the line, as a mode without O_CREAT. */
bool trace_arg_hidden(const struct trace_arg *a, const uint64_t *args);
/* True for the kinds a call writes: printed when it returns. */
bool trace_kind_is_output(unsigned kind);
/*
 * Prints an argument of kind a and value v; `length` is the value of the
 * argument a->len names, and an output kind uses the call's result ret.
 * Reads the current process's memory through copyin (a fault prints the
 * address instead). Caller holds the big lock; may sleep (a page of the
 * process may have to be read in).
 */
void trace_format_arg(struct tbuf *b, const struct trace_arg *a, uint64_t v,
		      uint64_t length, long ret);
/* Prints " = " and the result: a number of kind TR_DEC, TR_HEX or TR_OCT,
 * or "-1 ENOENT (No such file or directory)". */
void trace_format_ret(struct tbuf *b, unsigned kind, long ret);

/* trace_sets.c */
void trace_format_set(struct tbuf *b, unsigned set, uint64_t v);
/* "SIGTERM", or NULL for a number that names no signal. */
const char *trace_signal_name(int sig);
/* "ENOENT" and its message, or NULL for an unknown number. */
const char *trace_errno_name(int err, const char **message);

#endif
