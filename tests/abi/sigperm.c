/*
 * Who may signal whom, and what a stop and a fast timer do: kill(2)'s
 * permission rule for kill, tkill, tgkill, rt_sigqueueinfo and
 * rt_tgsigqueueinfo from uid 65534 to root processes (and to pid 1), kill
 * to a group with no permitted member, SIGCONT within the session, forged
 * si_code; prlimit64 on another user's process, setrlimit's hard-limit
 * and soft > hard rules; a process stopped by kill(getpid(), SIGSTOP)
 * that gets other signals, then SIGCONT or SIGKILL; a timerfd with a 1 ns
 * period and ITIMER_REAL with a 1 us period (they must not hang).
 */
#include "abi.h"

#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>

#define NOBODY 65534

static long
sigqueue_code(pid_t pid, int sig, int code)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	si.si_pid = getpid();
	si.si_uid = getuid();
	return syscall(SYS_rt_sigqueueinfo, pid, sig, &si);
}

static long
tgsigqueue_code(pid_t tgid, pid_t tid, int sig, int code)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	return syscall(SYS_rt_tgsigqueueinfo, tgid, tid, sig, &si);
}

/* A root child in a process group of its own, paused; returns its pid. */
static pid_t
spawn_root_group(void)
{
	pid_t pid = abi_fork();

	if (pid == 0) {
		setpgid(0, 0);
		for (;;)
			pause();
	}
	setpgid(pid, pid);
	return pid;
}

/* Runs as uid 65534 in a child: every call aimed at root is EPERM. */
static void
as_nobody(pid_t root, pid_t group)
{
	if (setresgid(NOBODY, NOBODY, NOBODY) || setresuid(NOBODY, NOBODY, NOBODY)) {
		printf("setresuid: %s\n", errno_name(errno));
		_exit(1);
	}
	CHECK_ERR("nobody: kill root SIGKILL", kill(root, SIGKILL), EPERM);
	CHECK_ERR("nobody: kill root 0", kill(root, 0), EPERM);
	CHECK_ERR("nobody: tkill root", syscall(SYS_tkill, root, SIGKILL), EPERM);
	CHECK_ERR("nobody: tkill root 0", syscall(SYS_tkill, root, 0), EPERM);
	CHECK_ERR("nobody: tgkill root",
	    syscall(SYS_tgkill, root, root, SIGKILL), EPERM);
	CHECK_ERR("nobody: tgkill init",
	    syscall(SYS_tgkill, 1, 1, SIGTERM), EPERM);
	CHECK_ERR("nobody: kill init", kill(1, SIGTERM), EPERM);
	CHECK_ERR("nobody: rt_sigqueueinfo root SI_QUEUE",
	    sigqueue_code(root, SIGKILL, SI_QUEUE), EPERM);
	CHECK_ERR("nobody: rt_sigqueueinfo init SI_QUEUE",
	    sigqueue_code(1, SIGTERM, SI_QUEUE), EPERM);
	CHECK_ERR("nobody: rt_tgsigqueueinfo root SI_QUEUE",
	    tgsigqueue_code(root, root, SIGKILL, SI_QUEUE), EPERM);
	CHECK_ERR("nobody: kill a root group", kill(-group, SIGKILL), EPERM);
	CHECK_ERR("nobody: kill a root group 0", kill(-group, 0), EPERM);
	CHECK_EQ("nobody: SIGCONT within the session", kill(root, SIGCONT), 0);
	CHECK_EQ("nobody: kill self 0", kill(getpid(), 0), 0);

	struct rlimit r;
	CHECK_ERR("nobody: prlimit root read",
	    syscall(SYS_prlimit64, root, RLIMIT_NOFILE, NULL, &r), EPERM);
	r.rlim_cur = r.rlim_max = 8;
	CHECK_ERR("nobody: prlimit root write",
	    syscall(SYS_prlimit64, root, RLIMIT_NOFILE, &r, NULL), EPERM);
	r.rlim_cur = 64;
	r.rlim_max = 128;
	CHECK_EQ("nobody: lower the hard limit", setrlimit(RLIMIT_NOFILE, &r), 0);
	r.rlim_max = 256;
	CHECK_ERR("nobody: raise the hard limit",
	    setrlimit(RLIMIT_NOFILE, &r), EPERM);
	r.rlim_cur = 200;
	r.rlim_max = 128;
	CHECK_ERR("nobody: soft over hard", setrlimit(RLIMIT_NOFILE, &r), EINVAL);
	CHECK_EQ("nobody: prlimit self", syscall(SYS_prlimit64, 0,
	    RLIMIT_NOFILE, NULL, &r) == 0 && r.rlim_max == 128, 1);
	fflush(stdout);
	_exit(abi_failures ? 1 : 0);
}

static void
test_permissions(void)
{
	pid_t group = spawn_root_group();
	pid_t pid = abi_fork();

	if (pid == 0)
		as_nobody(getppid(), group);
	CHECK_STR("nobody's checks", status_str(abi_wait(pid)), "exited 0");
	CHECK_EQ("the root group is alive", kill(group, 0), 0);
	kill(group, SIGKILL);
	CHECK_STR("root kills it", status_str(abi_wait(group)),
	    "killed by SIGKILL");

	/* Forged kernel siginfo to another process, even as root. */
	pid = abi_fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	CHECK_ERR("rt_sigqueueinfo si_code 0 to another",
	    sigqueue_code(pid, SIGKILL, 0), EPERM);
	CHECK_ERR("rt_sigqueueinfo SI_TKILL to another",
	    sigqueue_code(pid, SIGKILL, SI_TKILL), EPERM);
	CHECK_ERR("rt_sigqueueinfo SI_KERNEL to a missing pid",
	    sigqueue_code(999999, SIGKILL, SI_KERNEL), EPERM);
	CHECK_ERR("rt_tgsigqueueinfo si_code 0 to another",
	    tgsigqueue_code(pid, pid, SIGKILL, 0), EPERM);
	CHECK_ERR("rt_tgsigqueueinfo tid 0",
	    tgsigqueue_code(pid, 0, SIGKILL, SI_QUEUE), EINVAL);
	CHECK_ERR("tgkill tgid 0", syscall(SYS_tgkill, 0, pid, SIGKILL), EINVAL);
	CHECK_ERR("tkill tid -1", syscall(SYS_tkill, -1, SIGKILL), EINVAL);
	CHECK_ERR("tgkill bad signal", syscall(SYS_tgkill, pid, pid, 99), EINVAL);
	CHECK_ERR("tgkill wrong group",
	    syscall(SYS_tgkill, getpid(), pid, SIGKILL), ESRCH);
	CHECK_EQ("rt_tgsigqueueinfo SI_QUEUE as root",
	    tgsigqueue_code(pid, pid, SIGKILL, SI_QUEUE), 0);
	CHECK_STR("it killed", status_str(abi_wait(pid)), "killed by SIGKILL");
}

static volatile sig_atomic_t usr1_seen;

static void
on_usr1(int sig)
{
	(void)sig;
	usr1_seen = 1;
}

/* Stops itself; exits 7 if SIGUSR1 was handled after it was continued. */
static pid_t
spawn_self_stopper(void)
{
	pid_t pid = abi_fork();

	if (pid == 0) {
		signal(SIGUSR1, on_usr1);
		kill(getpid(), SIGSTOP);
		_exit(usr1_seen ? 7 : 8);
	}
	return pid;
}

static const char *
wait_str(pid_t pid, int options)
{
	int status;
	pid_t r = waitpid(pid, &status, options);

	if (r == 0)
		return "nothing";
	return r < 0 ? errno_name(errno) : status_str(status);
}

static void
test_stop(void)
{
	pid_t pid = spawn_self_stopper();

	CHECK_STR("stopped itself", wait_str(pid, WUNTRACED), "stopped by SIGSTOP");
	kill(pid, SIGUSR1);
	kill(pid, SIGTERM);	/* queued while stopped, like SIGUSR1 */
	abi_sleep_ms(50);
	CHECK_STR("still stopped with signals queued",
	    wait_str(pid, WNOHANG | WUNTRACED | WCONTINUED), "nothing");
	kill(pid, SIGCONT);
	CHECK_STR("continued, the queued SIGTERM kills", wait_str(pid, 0),
	    "killed by SIGTERM");

	pid = spawn_self_stopper();
	CHECK_STR("stopped again", wait_str(pid, WUNTRACED), "stopped by SIGSTOP");
	kill(pid, SIGUSR1);
	abi_sleep_ms(20);
	kill(pid, SIGCONT);
	CHECK_STR("SIGUSR1 handled after SIGCONT", wait_str(pid, 0), "exited 7");

	pid = spawn_self_stopper();
	CHECK_STR("stopped a third time", wait_str(pid, WUNTRACED),
	    "stopped by SIGSTOP");
	kill(pid, SIGKILL);
	CHECK_STR("SIGKILL ends a stop", wait_str(pid, 0), "killed by SIGKILL");
}

static volatile sig_atomic_t alarms;

static void
on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void
test_fast_timers(void)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);
	struct itimerspec its = { { 0, 1 }, { 0, 1 } };
	uint64_t n = 0;

	CHECK_EQ("timerfd 1 ns period", timerfd_settime(fd, 0, &its, NULL), 0);
	abi_sleep_ms(20);
	CHECK_EQ("read 8 bytes", read(fd, &n, sizeof(n)), 8);
	CHECK("counts every period (over 1000 in 20 ms)", n > 1000);
	n = 0;
	CHECK_EQ("read again", read(fd, &n, sizeof(n)), 8);
	CHECK("again at least one", n >= 1);
	struct itimerspec cur;
	timerfd_gettime(fd, &cur);
	CHECK("gettime: interval 1 ns",
	    cur.it_interval.tv_sec == 0 && cur.it_interval.tv_nsec == 1);
	its.it_value.tv_nsec = 0;
	CHECK_EQ("disarm", timerfd_settime(fd, 0, &its, NULL), 0);
	close(fd);

	/*
	 * SIGALRM blocked: a handler run per microsecond would starve the
	 * loop on a slow machine, Linux as well.
	 */
	sigset_t alrm;
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	sigprocmask(SIG_BLOCK, &alrm, NULL);
	signal(SIGALRM, on_alarm);
	struct itimerval itv = { { 0, 1 }, { 0, 1 } };
	CHECK_EQ("ITIMER_REAL 1 us period", setitimer(ITIMER_REAL, &itv, NULL), 0);
	long long until = abi_now_ms() + 50;
	while (abi_now_ms() < until)
		;
	memset(&itv, 0, sizeof(itv));
	setitimer(ITIMER_REAL, &itv, NULL);
	sigset_t pending;
	sigpending(&pending);
	CHECK("SIGALRM pending", sigismember(&pending, SIGALRM));
	sigprocmask(SIG_UNBLOCK, &alrm, NULL);
	CHECK_EQ("handled once", alarms, 1);
	signal(SIGALRM, SIG_DFL);
	alarm(ABI_WATCHDOG);
}

int
main(void)
{
	abi_init();
	test_permissions();
	test_stop();
	test_fast_timers();
	return abi_done("sigperm");
}
