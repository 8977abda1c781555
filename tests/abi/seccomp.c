/*
 * no_new_privs and seccomp: PR_SET/GET_NO_NEW_PRIVS (kept over fork and
 * exec, shown in /proc/self/status), strict mode (read, write, exit and
 * rt_sigreturn only; anything else is SIGKILL), and filter mode: classic
 * BPF over struct seccomp_data, the actions ERRNO, TRAP (SIGSYS with
 * the call's number and arch), TRACE without a tracer, LOG, ALLOW,
 * KILL_THREAD and KILL_PROCESS, filters stacked and inherited, the
 * privilege rule, and filters the checker refuses. Each case runs in a
 * child, since none of this can be undone.
 */
#include "abi.h"

#include <pthread.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>

/* <linux/filter.h>, <linux/seccomp.h> and <linux/audit.h>, which musl
 * does not ship. */
struct sock_filter {
	unsigned short code;
	unsigned char jt, jf;
	unsigned k;
};
struct sock_fprog {
	unsigned short len;
	struct sock_filter *filter;
};
struct seccomp_data {
	int nr;
	unsigned arch;
	unsigned long long instruction_pointer;
	unsigned long long args[6];
};
#define BPF_LD 0x00
#define BPF_ST 0x02
#define BPF_ALU 0x04
#define BPF_JMP 0x05
#define BPF_RET 0x06
#define BPF_W 0x00
#define BPF_B 0x10
#define BPF_ABS 0x20
#define BPF_DIV 0x30
#define BPF_JA 0x00
#define BPF_JEQ 0x10
#define BPF_K 0x00
#define BPF_STMT(code, k) { (unsigned short)(code), 0, 0, (k) }
#define BPF_JUMP(code, k, jt, jf) { (unsigned short)(code), (jt), (jf), (k) }
#define SECCOMP_MODE_STRICT 1
#define SECCOMP_MODE_FILTER 2
#define SECCOMP_SET_MODE_STRICT 0
#define SECCOMP_SET_MODE_FILTER 1
#define SECCOMP_GET_ACTION_AVAIL 2
#define SECCOMP_FILTER_FLAG_TSYNC 1u
#define SECCOMP_FILTER_FLAG_LOG 2u
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH 16u
#define SECCOMP_RET_KILL_PROCESS 0x80000000u
#define SECCOMP_RET_KILL_THREAD 0x00000000u
#define SECCOMP_RET_TRAP 0x00030000u
#define SECCOMP_RET_ERRNO 0x00050000u
#define SECCOMP_RET_TRACE 0x7ff00000u
#define SECCOMP_RET_LOG 0x7ffc0000u
#define SECCOMP_RET_ALLOW 0x7fff0000u
#define AUDIT_ARCH_X86_64 0xc000003eu

#define SELF "/proc/self/exe"
#define NOBODY 65534

static long
sys_seccomp(unsigned op, unsigned flags, void *args)
{
	return syscall(__NR_seccomp, op, flags, args);
}

/* The "NoNewPrivs:" or "Seccomp:" line's value, or -1. */
static int
status_field(const char *name)
{
	char line[256];
	int v = -1;
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, name, strlen(name)) == 0)
			v = atoi(line + strlen(name));
	fclose(f);
	return v;
}

static int
mode_exec(void)
{
	printf("after exec: no_new_privs %d, status %d\n",
	       prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0),
	       status_field("NoNewPrivs:"));
	return 0;
}

/* Runs fn in a child; prints how the child ended. */
static void
in_child(const char *what, void (*fn)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		fn();
		fflush(stdout);
		_exit(abi_failures ? 1 : 0);
	}
	printf("%s: %s\n", what, status_str(abi_wait(pid)));
}

static void
nnp_child(void)
{
	CHECK_EQ("no_new_privs at start", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0);
	CHECK_EQ("status at start", status_field("NoNewPrivs:"), 0);
	CHECK_ERR("set 0", prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0), EINVAL);
	CHECK_ERR("set 2", prctl(PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0), EINVAL);
	CHECK_ERR("set 1 with arg3", prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0), EINVAL);
	CHECK_ERR("get with arg2", prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0), EINVAL);
	CHECK_OK("set 1", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	CHECK_EQ("no_new_privs", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 1);
	CHECK_EQ("status", status_field("NoNewPrivs:"), 1);
	CHECK_OK("set 1 again", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		printf("forked child: no_new_privs %d\n",
		       prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
		fflush(stdout);
		execl(SELF, SELF, "exec", (char *)NULL);
		_exit(99);
	}
	CHECK_STR("exec child", status_str(abi_wait(pid)), "exited 0");
}

/* Strict mode's children print with write(2) alone: stdio's writev
 * would kill them. */
static void
strict_allowed(void)
{
	int fds[2];
	char c = 0;
	pipe(fds);
	fflush(stdout);
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT) == 0)
		write(1, "strict mode: ok\n", 16);
	write(fds[1], "x", 1);
	if (read(fds[0], &c, 1) == 1 && c == 'x')
		write(1, "strict: read and write work\n", 28);
	syscall(__NR_exit, 0);
}

static void
strict_getpid(void)
{
	fflush(stdout);
	sys_seccomp(SECCOMP_SET_MODE_STRICT, 0, NULL);
	syscall(__NR_getpid);
	write(1, "strict: getpid ran\n", 19);
	syscall(__NR_exit, 0);
}

static void
strict_exit_group(void)
{
	fflush(stdout);
	sys_seccomp(SECCOMP_SET_MODE_STRICT, 0, NULL);
	syscall(__NR_exit_group, 0);
}

static void
strict_args(void)
{
	CHECK_ERR("strict with flags", sys_seccomp(SECCOMP_SET_MODE_STRICT, 1, NULL), EINVAL);
	CHECK_ERR("unknown op", sys_seccomp(99, 0, NULL), EINVAL);
	CHECK_ERR("prctl mode 3", prctl(PR_SET_SECCOMP, 3, 0), EINVAL);
	CHECK_EQ("PR_GET_SECCOMP off", prctl(PR_GET_SECCOMP), 0);
}

#define LOAD_NR BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))
#define ON_NR(nr, ret) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
	BPF_STMT(BPF_RET | BPF_K, (ret))
#define ALLOW BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

static long
install(struct sock_filter *insns, unsigned short len, unsigned flags)
{
	struct sock_fprog prog = { len, insns };
	return sys_seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog);
}
#define INSTALL(f, flags) install((f), sizeof(f) / sizeof((f)[0]), (flags))

static volatile siginfo_t trapped;

static void
on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	trapped = *si;
}

static void
filter_actions(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		LOAD_NR,
		ON_NR(__NR_getppid, SECCOMP_RET_ERRNO | EPERM),
		ON_NR(__NR_uname, SECCOMP_RET_TRAP | 42),
		ON_NR(__NR_getpgrp, SECCOMP_RET_TRACE),
		ON_NR(__NR_getuid, SECCOMP_RET_LOG),
		ON_NR(__NR_getgid, SECCOMP_RET_ERRNO | 5000),
		/* close(12345): the first argument's low word */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_close, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 12345, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EXDEV),
		ALLOW,
	};
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
	sigaction(SIGSYS, &sa, NULL);
	CHECK_OK("no_new_privs", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	CHECK_OK("install", INSTALL(f, 0));
	CHECK_EQ("PR_GET_SECCOMP", prctl(PR_GET_SECCOMP), 2);
	CHECK_EQ("status Seccomp", status_field("Seccomp:"), 2);
	CHECK_EQ("status filters", status_field("Seccomp_filters:"), 1);
	CHECK_ERR("ERRNO getppid", syscall(__NR_getppid), EPERM);
	CHECK("getpid allowed", syscall(__NR_getpid) > 0);
	CHECK_ERR("TRACE without tracer", syscall(__NR_getpgrp), ENOSYS);
	CHECK_EQ("LOG getuid", syscall(__NR_getuid), getuid());
	CHECK_ERR("ERRNO capped", syscall(__NR_getgid), 4095);
	CHECK_ERR("close(12345)", syscall(__NR_close, 12345), EXDEV);
	CHECK_ERR("close(12346)", syscall(__NR_close, 12346), EBADF);
	long r = syscall(__NR_uname, NULL);
	CHECK_EQ("TRAP signal", trapped.si_signo, SIGSYS);
	CHECK_EQ("TRAP si_code", trapped.si_code, 1);	/* SYS_SECCOMP */
	CHECK_EQ("TRAP si_errno", trapped.si_errno, 42);
	CHECK_EQ("TRAP si_syscall", trapped.si_syscall, __NR_uname);
	CHECK_EQ("TRAP si_arch", trapped.si_arch, AUDIT_ARCH_X86_64);
	CHECK("TRAP si_call_addr", trapped.si_call_addr != NULL);
	CHECK_EQ("TRAP leaves the number in rax", r, __NR_uname);
	CHECK_ERR("strict after filter", prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT), EINVAL);
	/* Inherited: a child's getppid fails too. */
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(syscall(__NR_getppid) < 0 && errno == EPERM ? 0 : 1);
	CHECK_STR("child inherits", status_str(abi_wait(pid)), "exited 0");
}

/* The newest filter runs first; the strictest action wins, and between
 * two ERRNOs the newest one's errno. */
static void
filter_stack(void)
{
	struct sock_filter eperm[] = { LOAD_NR, ON_NR(__NR_getppid, SECCOMP_RET_ERRNO | EPERM), ALLOW };
	struct sock_filter eacces[] = { LOAD_NR, ON_NR(__NR_getppid, SECCOMP_RET_ERRNO | EACCES), ALLOW };
	struct sock_filter trap[] = { LOAD_NR, ON_NR(__NR_getppid, SECCOMP_RET_KILL_PROCESS), ALLOW };
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	CHECK_OK("first", INSTALL(eperm, 0));
	CHECK_OK("second", INSTALL(eacces, 0));
	CHECK_EQ("filters", status_field("Seccomp_filters:"), 2);
	CHECK_ERR("newest ERRNO wins", syscall(__NR_getppid), EACCES);
	CHECK_OK("third", INSTALL(trap, 0));
	fflush(stdout);
	syscall(__NR_getppid);
	printf("getppid returned\n");
}

static void
kill_thread(void)
{
	struct sock_filter f[] = { LOAD_NR, ON_NR(__NR_getppid, SECCOMP_RET_KILL_THREAD), ALLOW };
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	INSTALL(f, 0);
	fflush(stdout);
	syscall(__NR_getppid);
	printf("getppid returned\n");
}

/* Linux's check of a program. */
static void
filter_refused(void)
{
	struct sock_filter ok[] = { ALLOW };
	struct sock_filter far[] = { BPF_JUMP(BPF_JMP | BPF_JA, 5, 0, 0), ALLOW };
	struct sock_filter cond_far[] = { LOAD_NR, BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 3, 0), ALLOW };
	struct sock_filter odd[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 2), ALLOW };
	struct sock_filter past[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 64), ALLOW };
	struct sock_filter byte[] = { BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 0), ALLOW };
	struct sock_filter no_ret[] = { LOAD_NR };
	struct sock_filter div0[] = { BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0), ALLOW };
	struct sock_filter mem[] = { BPF_STMT(BPF_ST, 16), ALLOW };
	struct sock_fprog empty = { 0, ok };

	if (geteuid() == 0) {	/* without no_new_privs, only privilege */
		setresuid(NOBODY, NOBODY, NOBODY);
		CHECK_ERR("no privilege", INSTALL(ok, 0), EACCES);
	}
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	CHECK_ERR("empty", sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, &empty), EINVAL);
	CHECK_ERR("NULL", sys_seccomp(SECCOMP_SET_MODE_FILTER, 0, NULL), EFAULT);
	CHECK_ERR("jump past the end", INSTALL(far, 0), EINVAL);
	CHECK_ERR("branch past the end", INSTALL(cond_far, 0), EINVAL);
	CHECK_ERR("misaligned load", INSTALL(odd, 0), EINVAL);
	CHECK_ERR("load past seccomp_data", INSTALL(past, 0), EINVAL);
	CHECK_ERR("byte load", INSTALL(byte, 0), EINVAL);
	CHECK_ERR("no return", INSTALL(no_ret, 0), EINVAL);
	CHECK_ERR("division by 0", INSTALL(div0, 0), EINVAL);
	CHECK_ERR("scratch word 16", INSTALL(mem, 0), EINVAL);
	CHECK_ERR("unknown flag", INSTALL(ok, 1u << 30), EINVAL);
	CHECK_EQ("still off", prctl(PR_GET_SECCOMP), 0);
	CHECK_OK("LOG flag", INSTALL(ok, SECCOMP_FILTER_FLAG_LOG));
	CHECK_OK("TSYNC alone", INSTALL(ok, SECCOMP_FILTER_FLAG_TSYNC));
}

/* TSYNC: the other threads take the caller's stack, unless one runs a
 * filter outside it (then its tid, or ESRCH with TSYNC_ESRCH). */
static int tsync_pipe[2], tsync_done[2];
static volatile long thread_tid;

static void *
tsync_thread(void *arg)
{
	char c;
	(void)arg;
	thread_tid = syscall(__NR_gettid);
	if (arg) {	/* a filter of its own first */
		struct sock_filter f[] = { ALLOW };
		INSTALL(f, 0);
	}
	write(tsync_done[1], "r", 1);
	read(tsync_pipe[0], &c, 1);
	long r = syscall(__NR_getppid);
	c = r < 0 && errno == EPERM ? 'y' : 'n';
	write(tsync_done[1], &c, 1);
	return NULL;
}

static void
tsync_case(int own_filter)
{
	struct sock_filter f[] = { LOAD_NR, ON_NR(__NR_getppid, SECCOMP_RET_ERRNO | EPERM), ALLOW };
	pthread_t th;
	char c;
	pipe(tsync_pipe);
	pipe(tsync_done);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	pthread_create(&th, NULL, tsync_thread, own_filter ? (void *)1 : NULL);
	read(tsync_done[0], &c, 1);
	if (own_filter) {
		CHECK_ERR("TSYNC_ESRCH with a thread outside",
			  INSTALL(f, SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH), ESRCH);
		CHECK("TSYNC names the thread", INSTALL(f, SECCOMP_FILTER_FLAG_TSYNC) == thread_tid);
	} else {
		CHECK_OK("TSYNC", INSTALL(f, SECCOMP_FILTER_FLAG_TSYNC));
	}
	write(tsync_pipe[1], "g", 1);
	read(tsync_done[0], &c, 1);
	printf("other thread's getppid refused: %c\n", c);
	pthread_join(th, NULL);
}

static void
tsync_all(void)
{
	tsync_case(0);
}

static void
tsync_conflict(void)
{
	tsync_case(1);
}

/* SECCOMP_RET_TRACE with a tracer that asked for PTRACE_EVENT_SECCOMP:
 * it sees the action's data, may skip the call with its own result, or
 * let it run. */
#define ORIG_RAX (15 * 8)
#define RAX (10 * 8)

static void
traced_child(void)
{
	struct sock_filter f[] = { LOAD_NR, ON_NR(__NR_getppid, SECCOMP_RET_TRACE | 0x77),
				   ON_NR(__NR_getpgid, SECCOMP_RET_TRACE | 0x78),
				   ON_NR(__NR_uname, SECCOMP_RET_TRAP | 5), ALLOW };
	long pgid = syscall(__NR_getpgid, 0);
	ptrace(PTRACE_TRACEME, 0, 0, 0);
	raise(SIGSTOP);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	INSTALL(f, 0);
	long r = syscall(__NR_getppid);
	long r2 = syscall(__NR_getpgid, 0);
	long r3 = syscall(__NR_uname, NULL);	/* the tracer drops its SIGSYS */
	_exit(r == 4242 && r2 == pgid && r3 == __NR_uname ? 0 : 1);
}

static void
trace_event(void)
{
	int status;
	unsigned long msg;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		traced_child();
	waitpid(pid, &status, 0);
	CHECK_STR("first stop", status_str(status), "stopped by SIGSTOP");
	CHECK_OK("TRACESECCOMP", ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESECCOMP));
	ptrace(PTRACE_CONT, pid, 0, 0);
	waitpid(pid, &status, 0);
	CHECK_EQ("event stop", status >> 8, SIGTRAP | (PTRACE_EVENT_SECCOMP << 8));
	ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg);
	CHECK_EQ("event message", msg, 0x77);
	CHECK_EQ("orig_rax", ptrace(PTRACE_PEEKUSER, pid, ORIG_RAX, 0), __NR_getppid);
	CHECK_EQ("rax", ptrace(PTRACE_PEEKUSER, pid, RAX, 0), -ENOSYS);
	ptrace(PTRACE_POKEUSER, pid, ORIG_RAX, -1L);
	ptrace(PTRACE_POKEUSER, pid, RAX, 4242L);
	ptrace(PTRACE_CONT, pid, 0, 0);
	waitpid(pid, &status, 0);
	ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg);
	CHECK_EQ("second event message", msg, 0x78);
	ptrace(PTRACE_CONT, pid, 0, 0);
	waitpid(pid, &status, 0);
	CHECK_STR("TRAP's signal", status_str(status), "stopped by SIGSYS");
	siginfo_t si;
	ptrace(PTRACE_GETSIGINFO, pid, 0, &si);
	CHECK_EQ("its si_code", si.si_code, 1);
	CHECK_EQ("its si_errno", si.si_errno, 5);
	CHECK_EQ("its si_syscall", si.si_syscall, __NR_uname);
	ptrace(PTRACE_CONT, pid, 0, 0);
	waitpid(pid, &status, 0);
	CHECK_STR("tracee", status_str(status), "exited 0");
}

static void
action_avail(void)
{
	unsigned actions[] = { SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD,
			       SECCOMP_RET_TRAP, SECCOMP_RET_ERRNO,
			       SECCOMP_RET_TRACE, SECCOMP_RET_LOG,
			       SECCOMP_RET_ALLOW };
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		CHECK_OK("action available",
			 sys_seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &actions[i]));
	unsigned bad = 0x12340000;
	CHECK_ERR("unknown action", sys_seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &bad), EOPNOTSUPP);
	CHECK_ERR("flags", sys_seccomp(SECCOMP_GET_ACTION_AVAIL, 1, &actions[0]), EINVAL);
	CHECK_ERR("NULL action", sys_seccomp(SECCOMP_GET_ACTION_AVAIL, 0, NULL), EFAULT);
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "exec") == 0) {
		setvbuf(stdout, NULL, _IOLBF, 0);
		return mode_exec();
	}
	abi_init();
	in_child("no_new_privs", nnp_child);
	in_child("strict read/write/exit", strict_allowed);
	in_child("strict getpid", strict_getpid);
	in_child("strict exit_group", strict_exit_group);
	in_child("strict arguments", strict_args);
	in_child("filter actions", filter_actions);
	in_child("filter stack", filter_stack);
	in_child("kill thread", kill_thread);
	in_child("filters refused", filter_refused);
	in_child("action avail", action_avail);
	in_child("trace event", trace_event);
	in_child("tsync", tsync_all);
	in_child("tsync conflict", tsync_conflict);
	return abi_done("seccomp");
}
