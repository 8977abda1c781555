/*
 * The system-call tracer (docs/tracing.md): with `trace=syscalls` on the
 * kernel command line, the calls of the chosen processes are printed as
 * strace prints them, one line per call when it returns, to the kernel
 * log and (tagged, so that `./petrel` can take them apart from the
 * program's output) to the serial console. Each argument is printed by
 * the kind syscalls.master gives it (trace_fmt.c): inputs are read when
 * the call starts, what the call writes when it returns.
 */
#include <syscall_table.h>
#include <kernel/trace.h>
#include <kernel/cmdline.h>
#include <kernel/proc.h>
#include <kernel/ipc.h>
#include <kernel/kmalloc.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <petrel/petrel.h>
#include "trace_fmt.h"

/* Starts each line on the console, an APC string that terminals do not
 * show; `./petrel` takes the line out (docs/run-protocol.md). */
#define TRACE_TAG "\033_petrel-trace\033\\"
#define TRACE_TEXT 1024
/* Call numbers the filter knows: Linux's, then the native ones. */
#define FILTER_LINUX 1024
#define FILTER_NATIVE 256

/*
 * One thread's call in progress. The arguments the call reads are printed
 * into text when it starts (piece[i] to piece[i + 1] is argument i);
 * those it writes, into the line when it returns.
 */
struct trace_call {
	uint64_t nr;
	uint64_t args[6];
	const struct trace_desc *desc;
	const char *name;	/* NULL for a call the table lacks */
	uint16_t piece[7];
	char text[TRACE_TEXT];
	char line[TRACE_TEXT + 128];
};

/* Set once at boot by trace_init; read only afterwards. */
static bool trace_enabled;
static bool trace_to_console = true;
static bool trace_all_calls = true;
static uint8_t trace_selected[(FILTER_LINUX + FILTER_NATIVE) / 8];
static const char *trace_procs = "command";	/* in the parsed cmdline */
static uint64_t nr_exit = ~0ull, nr_exit_group = ~0ull;

/* Six numbers, for a call the table lacks. */
static const struct trace_desc unknown_desc = {
	6, TR_DEC, { { TR_HEX, 0, 0 }, { TR_HEX, 0, 0 }, { TR_HEX, 0, 0 },
		     { TR_HEX, 0, 0 }, { TR_HEX, 0, 0 }, { TR_HEX, 0, 0 } }
};

/* The bit of call nr in trace_selected, or -1. */
static long
filter_bit(uint64_t nr)
{
	if (nr < FILTER_LINUX)
		return (long)nr;
	if (nr - NATIVE_BASE < FILTER_NATIVE)
		return (long)(FILTER_LINUX + nr - NATIVE_BASE);
	return -1;
}

static bool
call_selected(uint64_t nr)
{
	long bit = filter_bit(nr);
	if (trace_all_calls)
		return true;
	return bit >= 0 && (trace_selected[bit / 8] & (1 << (bit % 8)));
}

/* The number of the call named name (or written as a number), or -1. */
static long
call_number(const char *name, size_t len)
{
	long n = 0;
	size_t i;
	for (i = 0; i < len && name[i] >= '0' && name[i] <= '9'; i++)
		n = n * 10 + (name[i] - '0');
	if (len > 0 && i == len)
		return n;
	for (uint64_t nr = 0; nr < NATIVE_BASE + native_table_size; nr++) {
		const struct syscall_entry *e = syscall_lookup(nr);
		if (e && strlen(e->name) == len && memcmp(e->name, name, len) == 0)
			return (long)nr;
		if (nr == syscall_table_size)
			nr = NATIVE_BASE - 1;
	}
	return -1;
}

/* True if the comma-separated list holds word (len bytes). */
static bool
list_has(const char *list, const char *word, size_t len)
{
	while (*list) {
		const char *end = strchr(list, ',');
		size_t n = end ? (size_t)(end - list) : strlen(list);
		if (n == len && memcmp(list, word, len) == 0)
			return true;
		list += n + (end != NULL);
	}
	return false;
}

/* trace.calls=NAME,NUMBER...: only those calls are printed. */
static void
select_calls(const char *list)
{
	trace_all_calls = false;
	while (*list) {
		const char *end = strchr(list, ',');
		size_t n = end ? (size_t)(end - list) : strlen(list);
		long nr = call_number(list, n);
		long bit = nr >= 0 ? filter_bit((uint64_t)nr) : -1;
		if (bit >= 0)
			trace_selected[bit / 8] |= 1 << (bit % 8);
		else if (n > 0)
			printk("trace: no system call '%.*s' to trace\n",
			       (int)n, list);
		list += n + (end != NULL);
	}
}

void
trace_init(const struct cmdline *cl)
{
	const char *what = cmdline_get(cl, "trace");
	const char *calls = cmdline_get(cl, "trace.calls");
	const char *procs = cmdline_get(cl, "trace.procs");
	const char *out = cmdline_get(cl, "trace.out");

	if (what == NULL)
		return;
	if (strcmp(what, "syscalls") != 0) {
		printk("trace: trace=%s: only trace=syscalls is known\n", what);
		return;
	}
	trace_enabled = true;
	if (calls)
		select_calls(calls);
	if (procs && *procs)
		trace_procs = procs;
	if (out && strcmp(out, "log") == 0)
		trace_to_console = false;
	else if (out && strcmp(out, "console") != 0)
		printk("trace: trace.out=%s: console or log\n", out);
	nr_exit = (uint64_t)call_number("exit", 4);
	nr_exit_group = (uint64_t)call_number("exit_group", 10);
}

void
trace_exec(struct proc *p)
{
	if (!trace_enabled || p->trace == TRACE_ON)
		return;
	if (list_has(trace_procs, "all", 3) ||
	    list_has(trace_procs, p->name, strlen(p->name))) {
		p->trace = TRACE_ON;
		syscall_work_update_proc(p);
	}
}

long
sys_pt_trace_arm(int h)
{
	struct proc *p = current()->proc;
	struct kobj *sys = handle_lookup(p, h, PT_OBJ_SYSTEM, PT_RIGHT_MANAGE);
	if (IS_ERR(sys))
		return PTR_ERR(sys);
	if (trace_enabled && list_has(trace_procs, "command", 7) &&
	    p->trace == TRACE_OFF) {
		p->trace = TRACE_ARMED;
		syscall_work_update_proc(p);
	}
	return 0;
}

/* Writes one finished line to the log and, tagged, to the console. */
static void
emit(const char *line, size_t len)
{
	printk_log_write(line, len);
	printk_log_write("\n", 1);
	if (!trace_to_console)
		return;
	arch_console_write(TRACE_TAG, sizeof(TRACE_TAG) - 1);
	arch_console_write(line, len);
	arch_console_write("\r\n", 2);
}

static struct trace_call *
call_state(struct thread *t)
{
	if (!t->trace)
		t->trace = kmalloc(sizeof(*t->trace));
	return t->trace;
}

/* The call starts: its number and arguments, and the inputs printed. */
static void
call_enter(struct trace_call *tc, uint64_t nr, const uint64_t *args)
{
	const struct syscall_entry *e = syscall_lookup(nr);
	struct tbuf b = { tc->text, 0, sizeof(tc->text) };

	tc->nr = nr;
	memcpy(tc->args, args, sizeof(tc->args));
	tc->desc = e ? &e->trace : &unknown_desc;
	tc->name = e ? e->name : NULL;
	for (unsigned i = 0; i < tc->desc->nargs; i++) {
		const struct trace_arg *a = &tc->desc->arg[i];
		tc->piece[i] = (uint16_t)b.len;
		if (!trace_kind_is_output(a->kind))
			trace_format_arg(&b, a, args[i], args[a->len], 0);
	}
	tc->piece[tc->desc->nargs] = (uint16_t)b.len;
}

/* Prints the whole line; `returned` is false for a call that does not
 * return (exit), whose result is "?". */
static void
call_print(struct thread *t, struct trace_call *tc, long ret, bool returned)
{
	struct tbuf b = { tc->line, 0, sizeof(tc->line) };
	const struct trace_desc *d = tc->desc;

	tb_printf(&b, "[pid %d] ", t->tid);
	if (tc->name)
		tb_printf(&b, "%s(", tc->name);
	else
		tb_printf(&b, "syscall_%lu(", tc->nr);
	for (unsigned i = 0; i < d->nargs; i++) {
		const struct trace_arg *a = &d->arg[i];
		if (trace_arg_hidden(a, tc->args))
			continue;
		if (i)
			tb_puts(&b, ", ");
		if (trace_kind_is_output(a->kind)) {
			trace_format_arg(&b, a, tc->args[i], tc->args[a->len],
					 returned ? ret : -1);
			continue;
		}
		for (unsigned j = tc->piece[i]; j < tc->piece[i + 1]; j++)
			tb_putc(&b, tc->text[j]);
	}
	tb_putc(&b, ')');
	if (returned)
		trace_format_ret(&b, d->ret, ret);
	else
		tb_puts(&b, " = ?");
	emit(b.buf, b.len);
}

long
trace_syscall(struct thread *t, uint64_t nr, const uint64_t *args)
{
	struct proc *p = t->proc;
	struct trace_call *tc;

	if (p->trace == TRACE_ARMED) {
		const char *name = syscall_name(nr);
		if (strcmp(name, "execve") != 0 && strcmp(name, "execveat") != 0)
			return syscall_dispatch(nr, args);
		p->trace = TRACE_ON;
	}
	if (!call_selected(nr) || (tc = call_state(t)) == NULL)
		return syscall_dispatch(nr, args);
	call_enter(tc, nr, args);
	if (nr == nr_exit || nr == nr_exit_group)
		call_print(t, tc, 0, false);
	long r = syscall_dispatch(nr, args);
	call_print(t, tc, r, true);
	return r;
}

void
trace_proc_exit(struct proc *p, int status)
{
	char line[96];
	struct tbuf b = { line, 0, sizeof(line) };
	const char *sig = trace_signal_name(status & 0x7f);

	if (p->trace != TRACE_ON)
		return;
	tb_printf(&b, "[pid %d] +++ ", p->pid);
	if ((status & 0x7f) == 0)
		tb_printf(&b, "exited with %d", status >> 8 & 0xff);
	else
		tb_printf(&b, "killed by %s%s", sig ? sig : "?",
			  (status & 0x80) ? " (core dumped)" : "");
	tb_puts(&b, " +++");
	emit(b.buf, b.len);
}

void
trace_signal(struct thread *t, int sig)
{
	char line[64];
	struct tbuf b = { line, 0, sizeof(line) };
	const char *name = trace_signal_name(sig);

	if (t->proc->trace != TRACE_ON)
		return;
	tb_printf(&b, "[pid %d] --- ", t->tid);
	if (name)
		tb_puts(&b, name);
	else
		tb_printf(&b, "signal %d", sig);
	tb_puts(&b, " ---");
	emit(b.buf, b.len);
}
