/*
 * ptrace of one's own children: TRACEME and the signal-delivery stop
 * (an ignored signal too), GETSIGINFO, CONT with and without the signal,
 * KILL; the SIGTRAP after a traced exec and PTRACE_EVENT_EXEC; syscall
 * stops with TRACESYSGOOD and GET_SYSCALL_INFO, the call rewritten at
 * entry and its result at exit; PEEKDATA/POKEDATA, a breakpoint written
 * with POKETEXT into the child's text (its copy only); GETREGS, SETREGS
 * with a bad selector and a non-canonical rip; GETREGSET's sizes; the
 * user area and its debug registers; single steps; TRACEFORK's event and
 * the new child's SIGSTOP, its exit told to the tracer; TRACEEXIT; SEIZE
 * and INTERRUPT; waitid's CLD_TRAPPED; ATTACH to a child in a
 * job-control stop; and the errors.
 * Also int3 without a tracer: SIGTRAP (a gate ring 3 may use).
 */
#include "abi.h"

#include <elf.h>
#include <stddef.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>

#ifndef PTRACE_GET_SYSCALL_INFO
#define PTRACE_GET_SYSCALL_INFO 0x420e
#endif

static long
pt(long req, pid_t pid, unsigned long addr, unsigned long data)
{
	return syscall(SYS_ptrace, req, pid, addr, data);
}

static volatile long shared_word = 1234;

/* A function the breakpoint test stops in; noinline keeps its address. */
__attribute__((noinline)) static int
target(int x)
{
	__asm__ volatile("" ::: "memory");
	return x * 3;
}

/* A wait status in words, with a ptrace event when there is one. */
static const char *
stop_str(int status)
{
	static char text[96];
	int event = (unsigned)status >> 16;
	if (WIFSTOPPED(status) && event)
		snprintf(text, sizeof(text), "stopped by %s, event %d",
			 signal_name(WSTOPSIG(status) & 0x7f), event);
	else if (WIFSTOPPED(status) && (WSTOPSIG(status) & 0x80))
		snprintf(text, sizeof(text), "stopped by %s|0x80",
			 signal_name(WSTOPSIG(status) & 0x7f));
	else
		snprintf(text, sizeof(text), "%s", status_str(status));
	return text;
}

static int
wait_for(pid_t pid)
{
	int status = 0;
	if (waitpid(pid, &status, __WALL) != pid)
		return -1;
	return status;
}

/* A child traced from its start: TRACEME, then stops with SIGSTOP. */
static pid_t
traced_child(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		pt(PTRACE_TRACEME, 0, 0, 0);
		raise(SIGSTOP);
		return 0;
	}
	CHECK_STR("first stop", stop_str(wait_for(pid)), "stopped by SIGSTOP");
	return pid;
}

/* /proc/self/status's TracerPid line, or -1. */
static int
tracer_pid(void)
{
	char buf[4096];
	int fd = open("/proc/self/status", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	char *line = strstr(buf, "TracerPid:\t");
	return line ? atoi(line + 11) : -1;
}

static void
test_signal_stops(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGUSR2, SIG_IGN);
		pt(PTRACE_TRACEME, 0, 0, 0);
		int twice = pt(PTRACE_TRACEME, 0, 0, 0) == -1 && errno == EPERM &&
			    tracer_pid() == getppid();
		raise(SIGUSR2);	/* ignored, but the tracer hears of it */
		raise(SIGUSR1);	/* suppressed by the tracer */
		if (twice)	/* a second TRACEME is EPERM; TracerPid */
			raise(SIGTERM);	/* passed on: kills */
		_exit(3);
	}
	CHECK_STR("ignored signal", stop_str(wait_for(pid)), "stopped by SIGUSR2");
	siginfo_t si;
	CHECK_EQ("GETSIGINFO", pt(PTRACE_GETSIGINFO, pid, 0, (long)&si), 0);
	CHECK_STR("si_signo", signal_name(si.si_signo), "SIGUSR2");
	CHECK_EQ("si_code SI_TKILL", si.si_code, SI_TKILL);
	CHECK("si_pid", si.si_pid == pid);
	CHECK_ERR("CONT with a bad signal", pt(PTRACE_CONT, pid, 0, 65), EIO);
	CHECK_EQ("CONT", pt(PTRACE_CONT, pid, 0, 0), 0);
	CHECK_STR("next", stop_str(wait_for(pid)), "stopped by SIGUSR1");
	pt(PTRACE_CONT, pid, 0, 0);
	CHECK_STR("third", stop_str(wait_for(pid)), "stopped by SIGTERM");
	pt(PTRACE_CONT, pid, 0, SIGTERM);
	CHECK_STR("passed on", status_str(wait_for(pid)), "killed by SIGTERM");

	pid = traced_child();
	if (pid == 0)
		_exit(0);
	uint64_t mask = 0;
	CHECK_ERR("GETSIGMASK bad size", pt(PTRACE_GETSIGMASK, pid, 4,
					    (long)&mask), EINVAL);
	mask = 1ull << (SIGUSR1 - 1) | 1ull << (SIGKILL - 1);
	CHECK_EQ("SETSIGMASK", pt(PTRACE_SETSIGMASK, pid, 8, (long)&mask), 0);
	mask = 0;
	CHECK_EQ("GETSIGMASK", pt(PTRACE_GETSIGMASK, pid, 8, (long)&mask), 0);
	CHECK("SIGUSR1 blocked, SIGKILL not", mask == 1ull << (SIGUSR1 - 1));
	CHECK_EQ("KILL", pt(PTRACE_KILL, pid, 0, 0), 0);
	CHECK_STR("killed", status_str(wait_for(pid)), "killed by SIGKILL");
}

static volatile sig_atomic_t handler_code = 99, handler_pid;

static void
on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	handler_code = si->si_code;
	handler_pid = si->si_pid;
}

/* SETSIGINFO: the handler sees the siginfo the tracer wrote. */
static void
test_setsiginfo(void)
{
	pid_t pid = traced_child();
	if (pid == 0) {
		struct sigaction sa = { .sa_sigaction = on_usr1,
					.sa_flags = SA_SIGINFO };
		sigaction(SIGUSR1, &sa, NULL);
		raise(SIGUSR1);
		_exit(handler_code == SI_USER && handler_pid == 4242 ? 0 : 1);
	}
	pt(PTRACE_CONT, pid, 0, 0);
	CHECK_STR("SIGUSR1 stop", stop_str(wait_for(pid)), "stopped by SIGUSR1");
	siginfo_t si;
	pt(PTRACE_GETSIGINFO, pid, 0, (long)&si);
	si.si_code = SI_USER;
	si.si_pid = 4242;
	CHECK_EQ("SETSIGINFO", pt(PTRACE_SETSIGINFO, pid, 0, (long)&si), 0);
	pt(PTRACE_CONT, pid, 0, SIGUSR1);
	CHECK_STR("handler saw it", status_str(wait_for(pid)), "exited 0");
}

static void
test_exec(const char *self)
{
	pid_t pid = fork();
	if (pid == 0) {
		pt(PTRACE_TRACEME, 0, 0, 0);
		execl(self, self, "exit7", (char *)NULL);
		_exit(99);
	}
	CHECK_STR("exec's SIGTRAP", stop_str(wait_for(pid)), "stopped by SIGTRAP");
	pt(PTRACE_CONT, pid, 0, 0);
	CHECK_STR("program ran", status_str(wait_for(pid)), "exited 7");

	pid = traced_child();
	if (pid == 0) {
		execl(self, self, "exit7", (char *)NULL);
		_exit(99);
	}
	CHECK_EQ("TRACEEXEC", pt(PTRACE_SETOPTIONS, pid, 0,
				 PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT), 0);
	CHECK_ERR("bad option", pt(PTRACE_SETOPTIONS, pid, 0, 0x4000), EINVAL);
	pt(PTRACE_CONT, pid, 0, 0);
	CHECK_STR("exec event", stop_str(wait_for(pid)),
		  "stopped by SIGTRAP, event 4");
	unsigned long msg = 0;
	pt(PTRACE_GETEVENTMSG, pid, 0, (long)&msg);
	CHECK("exec's message: the pid", msg == (unsigned long)pid);
	pt(PTRACE_CONT, pid, 0, 0);
	CHECK_STR("exit event", stop_str(wait_for(pid)),
		  "stopped by SIGTRAP, event 6");
	pt(PTRACE_GETEVENTMSG, pid, 0, (long)&msg);
	CHECK_STR("exit's message", status_str((int)msg), "exited 7");
	pt(PTRACE_CONT, pid, 0, 0);
	CHECK_STR("exited", status_str(wait_for(pid)), "exited 7");
}

struct syscall_info {
	uint8_t op, pad[3];
	uint32_t arch;
	uint64_t ip, sp;
	union {
		struct {
			uint64_t nr, args[6];
		} entry;
		struct {
			int64_t rval;
			uint8_t is_error;
		} exit;
	};
};

static void
test_syscall_stops(void)
{
	pid_t pid = traced_child();
	if (pid == 0) {
		long r = syscall(SYS_getppid);
		_exit(r == 42 ? 0 : 1);
	}
	pt(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD);
	struct syscall_info si;
	struct user_regs_struct regs;
	int status = 0, entries = 0;
	for (;;) {
		pt(PTRACE_SYSCALL, pid, 0, 0);
		status = wait_for(pid);
		if (!WIFSTOPPED(status) || WSTOPSIG(status) != (SIGTRAP | 0x80))
			break;
		long n = pt(PTRACE_GET_SYSCALL_INFO, pid, sizeof(si), (long)&si);
		if (si.op != 1 || si.entry.nr != SYS_getppid)
			continue;
		entries++;
		CHECK_EQ("entry info's size", n, 80);
		CHECK("entry arch", si.arch == 0xc000003e);
		pt(PTRACE_GETREGS, pid, 0, (long)&regs);
		CHECK("orig_rax", regs.orig_rax == SYS_getppid);
		CHECK_EQ("rax at entry", (long)regs.rax, -ENOSYS);
		CHECK("ip in info", si.ip == regs.rip);
		regs.orig_rax = SYS_getpid;	/* another call instead */
		CHECK_EQ("SETREGS", pt(PTRACE_SETREGS, pid, 0, (long)&regs), 0);
		pt(PTRACE_SYSCALL, pid, 0, 0);
		CHECK_STR("exit stop", stop_str(wait_for(pid)),
			  "stopped by SIGTRAP|0x80");
		n = pt(PTRACE_GET_SYSCALL_INFO, pid, sizeof(si), (long)&si);
		CHECK_EQ("exit info's size", n, 33);
		CHECK_EQ("exit op", si.op, 2);
		CHECK("rewritten call ran", si.exit.rval == pid);
		long off = offsetof(struct user, regs.rax);
		CHECK_EQ("POKEUSER rax", pt(PTRACE_POKEUSER, pid, off, 42), 0);
	}
	CHECK_EQ("getppid seen once", entries, 1);
	CHECK_STR("child saw 42", status_str(status), "exited 0");
}

static void
test_memory(void)
{
	pid_t pid = traced_child();
	if (pid == 0) {
		int ok = shared_word == 5678 && target(2) == 6;
		_exit(ok ? 0 : 1);
	}
	long word = 0;
	CHECK_EQ("PEEKDATA", pt(PTRACE_PEEKDATA, pid, (long)&shared_word,
				(long)&word), 0);
	CHECK_EQ("word", word, 1234);
	CHECK_EQ("POKEDATA", pt(PTRACE_POKEDATA, pid, (long)&shared_word, 5678),
		 0);
	CHECK_EQ("parent's copy", shared_word, 1234);
	CHECK_ERR("PEEKDATA unmapped", pt(PTRACE_PEEKDATA, pid, 8, (long)&word),
		  EIO);
	CHECK_ERR("POKEDATA unmapped", pt(PTRACE_POKEDATA, pid, 8, 1), EIO);

	/* A breakpoint at target's first byte, in the child's text only. */
	unsigned long at = (unsigned long)target;
	long text = 0;
	pt(PTRACE_PEEKTEXT, pid, at, (long)&text);
	CHECK_EQ("POKETEXT int3",
		 pt(PTRACE_POKETEXT, pid, at, (text & ~0xffl) | 0xcc), 0);
	CHECK("own text unchanged", *(volatile uint8_t *)at != 0xcc);
	pt(PTRACE_CONT, pid, 0, 0);
	CHECK_STR("breakpoint", stop_str(wait_for(pid)), "stopped by SIGTRAP");
	siginfo_t si;
	pt(PTRACE_GETSIGINFO, pid, 0, (long)&si);
	CHECK_EQ("int3's si_code SI_KERNEL", si.si_code, SI_KERNEL);
	struct user_regs_struct regs;
	pt(PTRACE_GETREGS, pid, 0, (long)&regs);
	CHECK("rip after int3", regs.rip == at + 1);
	pt(PTRACE_POKETEXT, pid, at, text);
	regs.rip = at;
	pt(PTRACE_SETREGS, pid, 0, (long)&regs);
	pt(PTRACE_CONT, pid, 0, 0);
	CHECK_STR("ran on", status_str(wait_for(pid)), "exited 0");
}

static void
test_registers(void)
{
	pid_t pid = traced_child();
	if (pid == 0)
		_exit(0);
	struct user_regs_struct regs, saved;
	pt(PTRACE_GETREGS, pid, 0, (long)&regs);
	saved = regs;
	unsigned long rip = 0;
	long off = offsetof(struct user, regs.rip);
	CHECK_EQ("PEEKUSER rip", pt(PTRACE_PEEKUSER, pid, off, (long)&rip), 0);
	CHECK("same rip", rip == regs.rip);
	CHECK_ERR("PEEKUSER unaligned", pt(PTRACE_PEEKUSER, pid, 3, (long)&rip),
		  EIO);
	CHECK_ERR("PEEKUSER past the end",
		  pt(PTRACE_PEEKUSER, pid, 928, (long)&rip), EIO);
	CHECK_ERR("POKEUSER u_tsize",
		  pt(PTRACE_POKEUSER, pid, offsetof(struct user, u_tsize), 1),
		  EIO);
	regs.cs = 0;
	CHECK_ERR("null cs", pt(PTRACE_SETREGS, pid, 0, (long)&regs), EIO);
	regs = saved;
	regs.ss = 0x10;		/* ring 0's */
	CHECK_ERR("ring-0 ss", pt(PTRACE_SETREGS, pid, 0, (long)&regs), EIO);
	regs = saved;
	regs.fs_base = 0xffff800000000000ul;
	CHECK_ERR("kernel fs_base", pt(PTRACE_SETREGS, pid, 0, (long)&regs), EIO);

	struct user_regs_struct big[2];
	struct iovec iov = { big, sizeof(big) };
	CHECK_EQ("GETREGSET NT_PRSTATUS",
		 pt(PTRACE_GETREGSET, pid, NT_PRSTATUS, (long)&iov), 0);
	CHECK_EQ("its size", iov.iov_len, sizeof(struct user_regs_struct));
	CHECK("same registers", big[0].rip == saved.rip &&
				big[0].rsp == saved.rsp);
	struct user_fpregs_struct fp;
	iov = (struct iovec){ &fp, sizeof(fp) };
	CHECK_EQ("GETREGSET NT_PRFPREG",
		 pt(PTRACE_GETREGSET, pid, NT_PRFPREG, (long)&iov), 0);
	CHECK_EQ("its size", iov.iov_len, 512);
	CHECK_ERR("unknown set", pt(PTRACE_GETREGSET, pid, 0x999, (long)&iov),
		  EINVAL);
	CHECK_EQ("GETFPREGS", pt(PTRACE_GETFPREGS, pid, 0, (long)&fp), 0);
	CHECK_EQ("SETFPREGS", pt(PTRACE_SETFPREGS, pid, 0, (long)&fp), 0);
	fp.mxcsr = 0xffffffff;	/* reserved bits would fault FXRSTOR */
	CHECK_ERR("reserved MXCSR bits",
		  pt(PTRACE_SETFPREGS, pid, 0, (long)&fp), EINVAL);

	long dr = offsetof(struct user, u_debugreg);
	CHECK_EQ("DR0", pt(PTRACE_POKEUSER, pid, dr, 0x1000), 0);
	unsigned long v = 0;
	pt(PTRACE_PEEKUSER, pid, dr, (long)&v);
	CHECK("DR0 reads back", v == 0x1000);
	CHECK_ERR("DR4", pt(PTRACE_POKEUSER, pid, dr + 4 * 8, 1), EIO);
	CHECK_ERR("DR7 I/O breakpoint",
		  pt(PTRACE_POKEUSER, pid, dr + 7 * 8, 0x20001), EINVAL);
	CHECK_EQ("DR7 enables DR0", pt(PTRACE_POKEUSER, pid, dr + 7 * 8, 1), 0);
	CHECK_ERR("DR0 in the kernel",
		  pt(PTRACE_POKEUSER, pid, dr, 0xffff800000000000ul), EINVAL);
	pt(PTRACE_POKEUSER, pid, dr + 7 * 8, 0);

	/* A single step moves rip and stops with SIGTRAP. */
	CHECK_EQ("SINGLESTEP", pt(PTRACE_SINGLESTEP, pid, 0, 0), 0);
	CHECK_STR("stepped", stop_str(wait_for(pid)), "stopped by SIGTRAP");
	siginfo_t si;
	pt(PTRACE_GETSIGINFO, pid, 0, (long)&si);
	CHECK_EQ("a step's si_code TRAP_TRACE", si.si_code, TRAP_TRACE);
	pt(PTRACE_GETREGS, pid, 0, (long)&regs);
	CHECK("rip moved", regs.rip != saved.rip);

	regs.rip = 0x800000000000ul;	/* not canonical */
	CHECK_EQ("SETREGS bad rip", pt(PTRACE_SETREGS, pid, 0, (long)&regs), 0);
	pt(PTRACE_CONT, pid, 0, 0);
	int status = wait_for(pid);
	if (WIFSTOPPED(status)) {	/* the SIGSEGV, then its death */
		CHECK_STR("bad rip", stop_str(status), "stopped by SIGSEGV");
		pt(PTRACE_CONT, pid, 0, SIGSEGV);
		status = wait_for(pid);
	}
	CHECK_STR("died", status_str(status), "killed by SIGSEGV");
}

/* TRACEFORK: the event, the new child's SIGSTOP; then either DETACH it
 * or follow it to its exit, which the tracer (not its parent) hears of
 * first. */
static void
test_fork_event(int follow)
{
	pid_t pid = traced_child();
	if (pid == 0) {
		pid_t g = fork();
		if (g == 0)
			_exit(5);
		int st;
		waitpid(g, &st, 0);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);
	}
	pt(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACEFORK);
	pt(PTRACE_CONT, pid, 0, 0);
	CHECK_STR("fork event", stop_str(wait_for(pid)),
		  "stopped by SIGTRAP, event 1");
	unsigned long g = 0;
	pt(PTRACE_GETEVENTMSG, pid, 0, (long)&g);
	CHECK("message: a new pid", g > 0 && g != (unsigned long)pid);
	CHECK_STR("new child's stop", stop_str(wait_for((pid_t)g)),
		  "stopped by SIGSTOP");
	if (follow) {
		CHECK_EQ("CONT it", pt(PTRACE_CONT, (pid_t)g, 0, 0), 0);
		CHECK_STR("its exit, to the tracer", status_str(wait_for((pid_t)g)),
			  "exited 5");
	} else {
		CHECK_EQ("DETACH it", pt(PTRACE_DETACH, (pid_t)g, 0, 0), 0);
		CHECK_ERR("then not traced", pt(PTRACE_CONT, (pid_t)g, 0, 0),
			  ESRCH);
	}
	pt(PTRACE_CONT, pid, 0, 0);
	int status = wait_for(pid);
	CHECK_STR("its SIGCHLD", stop_str(status), "stopped by SIGCHLD");
	pt(PTRACE_CONT, pid, 0, SIGCHLD);
	CHECK_STR("child reaped it", status_str(wait_for(pid)), "exited 5");
}

/* TRACEVFORK and TRACEVFORKDONE: the parent's two events around the
 * child's life, which the tracer follows to its exit. */
static void
test_vfork_events(void)
{
	pid_t pid = traced_child();
	if (pid == 0) {
		pid_t g = vfork();
		if (g == 0)
			_exit(6);
		int st;
		waitpid(g, &st, 0);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 1);
	}
	pt(PTRACE_SETOPTIONS, pid, 0,
	   PTRACE_O_TRACEVFORK | PTRACE_O_TRACEVFORKDONE);
	pt(PTRACE_CONT, pid, 0, 0);
	CHECK_STR("vfork event", stop_str(wait_for(pid)),
		  "stopped by SIGTRAP, event 2");
	unsigned long g = 0;
	pt(PTRACE_GETEVENTMSG, pid, 0, (long)&g);
	CHECK_STR("vfork child's stop", stop_str(wait_for((pid_t)g)),
		  "stopped by SIGSTOP");
	pt(PTRACE_CONT, pid, 0, 0);
	pt(PTRACE_CONT, (pid_t)g, 0, 0);
	CHECK_STR("its exit", status_str(wait_for((pid_t)g)), "exited 6");
	CHECK_STR("vfork done event", stop_str(wait_for(pid)),
		  "stopped by SIGTRAP, event 5");
	unsigned long msg = 0;
	pt(PTRACE_GETEVENTMSG, pid, 0, (long)&msg);
	CHECK("vfork done's message: the child", msg == g);
	pt(PTRACE_CONT, pid, 0, 0);
	CHECK_STR("its SIGCHLD", stop_str(wait_for(pid)), "stopped by SIGCHLD");
	pt(PTRACE_CONT, pid, 0, SIGCHLD);
	CHECK_STR("reaped", status_str(wait_for(pid)), "exited 6");
}

static void
test_seize(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	CHECK_ERR("SEIZE with addr", pt(PTRACE_SEIZE, pid, 1, 0), EIO);
	CHECK_ERR("INTERRUPT untraced", pt(PTRACE_INTERRUPT, pid, 0, 0), ESRCH);
	CHECK_EQ("SEIZE", pt(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACESYSGOOD), 0);
	CHECK_ERR("ATTACH again", pt(PTRACE_ATTACH, pid, 0, 0), EPERM);
	CHECK_EQ("INTERRUPT", pt(PTRACE_INTERRUPT, pid, 0, 0), 0);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	CHECK_EQ("waitid", waitid(P_PID, pid, &si, WEXITED | __WALL), 0);
	CHECK_EQ("CLD_TRAPPED", si.si_code, CLD_TRAPPED);
	CHECK_EQ("its status: SIGTRAP | PTRACE_EVENT_STOP << 8", si.si_status,
		 SIGTRAP | PTRACE_EVENT_STOP << 8);
	int status = 0;
	CHECK_EQ("WNOHANG: reported", waitpid(pid, &status, WNOHANG), 0);
	kill(pid, SIGKILL);
	CHECK_STR("killed", status_str(wait_for(pid)), "killed by SIGKILL");

	/* A seized tracee's group stop, PTRACE_LISTEN, and its end. */
	pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	CHECK_EQ("SEIZE again", pt(PTRACE_SEIZE, pid, 0, 0), 0);
	kill(pid, SIGSTOP);
	CHECK_STR("SIGSTOP's delivery", stop_str(wait_for(pid)),
		  "stopped by SIGSTOP");
	CHECK_ERR("LISTEN outside a group stop", pt(PTRACE_LISTEN, pid, 0, 0),
		  EIO);
	pt(PTRACE_CONT, pid, 0, SIGSTOP);
	CHECK_STR("group stop", stop_str(wait_for(pid)),
		  "stopped by SIGSTOP, event 128");
	pt(PTRACE_GETSIGINFO, pid, 0, (long)&si);
	CHECK_STR("its siginfo", signal_name(si.si_signo), "SIGSTOP");
	CHECK_EQ("LISTEN", pt(PTRACE_LISTEN, pid, 0, 0), 0);
	CHECK_ERR("listening: not stopped for the tracer",
		  pt(PTRACE_GETSIGINFO, pid, 0, (long)&si), ESRCH);
	CHECK_EQ("nothing to wait for", waitpid(pid, &status, WNOHANG | __WALL),
		 0);
	kill(pid, SIGCONT);
	CHECK_STR("the stop's end", stop_str(wait_for(pid)),
		  "stopped by SIGTRAP, event 128");
	pt(PTRACE_CONT, pid, 0, 0);
	CHECK_STR("SIGCONT's delivery", stop_str(wait_for(pid)),
		  "stopped by SIGCONT");
	kill(pid, SIGKILL);
	CHECK_STR("killed", status_str(wait_for(pid)), "killed by SIGKILL");

	/* The SIGCONT comes after the group stop is reported but before
	   the tracer's LISTEN (strace -f's race): LISTEN ends at once. */
	pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	CHECK_EQ("SEIZE a third", pt(PTRACE_SEIZE, pid, 0, 0), 0);
	kill(pid, SIGSTOP);
	CHECK_STR("SIGSTOP's delivery", stop_str(wait_for(pid)),
		  "stopped by SIGSTOP");
	pt(PTRACE_CONT, pid, 0, SIGSTOP);
	CHECK_STR("group stop", stop_str(wait_for(pid)),
		  "stopped by SIGSTOP, event 128");
	kill(pid, SIGCONT);
	CHECK_EQ("LISTEN after the SIGCONT", pt(PTRACE_LISTEN, pid, 0, 0), 0);
	CHECK_STR("the stop's end at once", stop_str(wait_for(pid)),
		  "stopped by SIGTRAP, event 128");
	pt(PTRACE_CONT, pid, 0, 0);
	CHECK_STR("SIGCONT's delivery", stop_str(wait_for(pid)),
		  "stopped by SIGCONT");
	kill(pid, SIGKILL);
	CHECK_STR("killed", status_str(wait_for(pid)), "killed by SIGKILL");

	pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	CHECK_EQ("ATTACH", pt(PTRACE_ATTACH, pid, 0, 0), 0);
	CHECK_STR("attach's SIGSTOP", stop_str(wait_for(pid)), "stopped by SIGSTOP");
	CHECK_EQ("DETACH", pt(PTRACE_DETACH, pid, 0, 0), 0);
	kill(pid, SIGKILL);
	CHECK_STR("killed", status_str(wait_for(pid)), "killed by SIGKILL");
}

/* ATTACH to a child in a job-control stop: the tracer may look at once
 * (no wait), and after DETACH the stop holds until SIGCONT. */
static void
test_attach_stopped(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		raise(SIGSTOP);
		_exit(0);
	}
	int status = 0;
	waitpid(pid, &status, WUNTRACED);
	CHECK_STR("job stop", status_str(status), "stopped by SIGSTOP");
	CHECK_EQ("ATTACH stopped", pt(PTRACE_ATTACH, pid, 0, 0), 0);
	unsigned long v = 0;
	long dr = offsetof(struct user, u_debugreg);
	CHECK_EQ("POKEUSER at once", pt(PTRACE_POKEUSER, pid, dr, 2), 0);
	CHECK_EQ("PEEKUSER", pt(PTRACE_PEEKUSER, pid, dr, (long)&v), 0);
	CHECK("DR0 is 2", v == 2);
	CHECK_EQ("DETACH", pt(PTRACE_DETACH, pid, 0, 0), 0);
	CHECK_EQ("still stopped", waitpid(pid, &status, WNOHANG), 0);
	kill(pid, SIGCONT);
	CHECK_STR("went on", status_str(wait_for(pid)), "exited 0");
}

int
main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "exit7"))
		return 7;
	abi_init();
	CHECK_EQ("TracerPid untraced", tracer_pid(), 0);
	CHECK_ERR("ATTACH self", pt(PTRACE_ATTACH, getpid(), 0, 0), EPERM);
	CHECK_ERR("ATTACH nobody", pt(PTRACE_ATTACH, 0x7ffffff0, 0, 0), ESRCH);
	CHECK_ERR("CONT untraced", pt(PTRACE_CONT, getpid(), 0, 0), ESRCH);
	pid_t pid = fork();
	if (pid == 0) {
		__asm__ volatile("int3");
		_exit(0);
	}
	CHECK_STR("int3 untraced", status_str(wait_for(pid)), "killed by SIGTRAP");
	test_signal_stops();
	test_setsiginfo();
	test_exec("/proc/self/exe");
	test_syscall_stops();
	test_memory();
	test_registers();
	test_fork_event(0);
	test_fork_event(1);
	test_vfork_events();
	test_seize();
	test_attach_stopped();
	return abi_done("ptrace");
}
