/*
 * The signal number range, 1..64 as on Linux: signal 64 (SIGRTMAX) through
 * sigaction, raise, kill, sigqueue, tgkill, sigprocmask, sigpending,
 * sigtimedwait and real-time queueing, and as a child's default death;
 * 0 and 65 refused by rt_sigaction, kill, tgkill, rt_sigqueueinfo and
 * rt_tgsigqueueinfo. The raw system calls are used where a libc would
 * check the number itself.
 */
#include "abi.h"

#include <sys/syscall.h>

#define SIG_TOP 64

static volatile sig_atomic_t hits;
static volatile int last_signo, last_code, last_value;

static void
on_top(int sig, siginfo_t *info, void *context)
{
	(void)sig;
	(void)context;
	hits++;
	last_signo = info->si_signo;
	last_code = info->si_code;
	last_value = info->si_value.sival_int;
}

/* rt_sigaction with the kernel's own struct layout and an 8-byte set. */
static long
raw_sigaction(int sig, int install)
{
	struct {
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		unsigned long mask;
	} ka, old;

	memset(&ka, 0, sizeof(ka));
	ka.handler = SIG_IGN;
	return syscall(SYS_rt_sigaction, sig, install ? &ka : NULL, &old, 8);
}

static void
test_delivery(void)
{
	struct sigaction sa;
	union sigval v;

	CHECK_EQ("SIGRTMAX", SIGRTMAX, SIG_TOP);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_top;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	CHECK_OK("sigaction 64", sigaction(SIG_TOP, &sa, NULL));
	CHECK_OK("sigaction 64 read back", sigaction(SIG_TOP, NULL, &sa));
	CHECK("handler read back", sa.sa_sigaction == on_top);
	CHECK_OK("raise 64", raise(SIG_TOP));
	CHECK_EQ("handler ran", hits, 1);
	CHECK_EQ("si_signo", last_signo, SIG_TOP);
	CHECK_OK("kill 64", kill(getpid(), SIG_TOP));
	CHECK_EQ("kill delivered", hits, 2);
	CHECK_EQ("kill si_code", last_code, SI_USER);
	v.sival_int = 77;
	CHECK_OK("sigqueue 64", sigqueue(getpid(), SIG_TOP, v));
	CHECK_EQ("sigqueue delivered", hits, 3);
	CHECK_EQ("sigqueue si_code", last_code, SI_QUEUE);
	CHECK_EQ("sigqueue value", last_value, 77);
	CHECK_OK("tgkill 64",
	    syscall(SYS_tgkill, getpid(), (pid_t)syscall(SYS_gettid), SIG_TOP));
	CHECK_EQ("tgkill delivered", hits, 4);
}

static void
test_blocked(void)
{
	sigset_t set, pending;
	siginfo_t info;
	struct timespec zero = { 0, 0 };

	sigemptyset(&set);
	sigaddset(&set, SIG_TOP);
	CHECK_OK("block 64", sigprocmask(SIG_BLOCK, &set, NULL));
	sigprocmask(SIG_BLOCK, NULL, &pending);
	CHECK_EQ("64 in the mask", sigismember(&pending, SIG_TOP), 1);
	hits = 0;
	kill(getpid(), SIG_TOP);
	kill(getpid(), SIG_TOP);
	CHECK_EQ("not delivered while blocked", hits, 0);
	sigemptyset(&pending);
	sigpending(&pending);
	CHECK_EQ("64 pending", sigismember(&pending, SIG_TOP), 1);
	CHECK_EQ("sigtimedwait takes 64", sigtimedwait(&set, &info, &zero),
	    SIG_TOP);
	CHECK_EQ("sigtimedwait si_signo", info.si_signo, SIG_TOP);
	CHECK_EQ("second instance queued", sigtimedwait(&set, &info, &zero),
	    SIG_TOP);
	CHECK_ERR("then none", sigtimedwait(&set, &info, &zero), EAGAIN);
	kill(getpid(), SIG_TOP);
	kill(getpid(), SIG_TOP);
	CHECK_OK("unblock 64", sigprocmask(SIG_UNBLOCK, &set, NULL));
	CHECK_EQ("both queued instances delivered", hits, 2);
}

static void
test_default_death(void)
{
	pid_t pid = abi_fork();

	if (pid == 0) {
		signal(SIG_TOP, SIG_DFL);
		kill(getpid(), SIG_TOP);
		_exit(0);
	}
	/* By number: its name from SIGRTMIN is the C library's (glibc's
	 * SIGRTMIN is 34, musl's 35). */
	int status = abi_wait(pid);
	CHECK("child's default action: killed by signal 64",
	      WIFSIGNALED(status) && WTERMSIG(status) == SIG_TOP);
}

static void
test_range(void)
{
	siginfo_t si;
	pid_t self = getpid(), tid = (pid_t)syscall(SYS_gettid);

	memset(&si, 0, sizeof(si));
	si.si_code = SI_QUEUE;
	CHECK_OK("raw rt_sigaction 64", raw_sigaction(SIG_TOP, 1));
	CHECK_ERR("raw rt_sigaction 65", raw_sigaction(SIG_TOP + 1, 1), EINVAL);
	CHECK_ERR("raw rt_sigaction 65 query", raw_sigaction(SIG_TOP + 1, 0),
	    EINVAL);
	CHECK_ERR("raw rt_sigaction 0", raw_sigaction(0, 0), EINVAL);
	CHECK_ERR("kill 65", kill(self, SIG_TOP + 1), EINVAL);
	CHECK_ERR("kill -1", kill(self, -1), EINVAL);
	CHECK_ERR("tgkill 65", syscall(SYS_tgkill, self, tid, SIG_TOP + 1),
	    EINVAL);
	CHECK_ERR("rt_sigqueueinfo 65",
	    syscall(SYS_rt_sigqueueinfo, self, SIG_TOP + 1, &si), EINVAL);
	CHECK_ERR("rt_tgsigqueueinfo 65",
	    syscall(SYS_rt_tgsigqueueinfo, self, tid, SIG_TOP + 1, &si),
	    EINVAL);
	CHECK_EQ("kill 64 while ignored", kill(self, SIG_TOP), 0);
}

int
main(void)
{
	abi_init();
	test_delivery();
	test_blocked();
	test_default_death();
	test_range();
	return abi_done("sigmax");
}
