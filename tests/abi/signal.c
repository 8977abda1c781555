/*
 * Signals: sigaction handlers with siginfo (kill, raise, sigqueue), the
 * handler's mask, SA_NODEFER, SA_RESETHAND, blocking and pending delivery
 * with sigprocmask, coalescing of standard and queueing of real-time
 * signals, SA_RESTART against EINTR on a pipe read interrupted by a timer,
 * EINTR from nanosleep, sigsuspend, sigtimedwait, SIGCHLD, signals to a
 * child, default and ignored actions, sigaltstack (also for a stack
 * overflow), and the errors of kill and sigaction; kill and
 * rt_sigqueueinfo given a thread's id (they reach its process), and
 * RLIMIT_SIGPENDING: a queued real-time signal past it is EAGAIN for
 * tgkill and sigqueue, not for kill.
 */
#include "abi.h"

#include <fcntl.h>
#include <setjmp.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <sys/time.h>

static volatile sig_atomic_t hits;
static volatile int last_signo, last_code, last_pid_is_self, last_value;
static volatile int mask_had_self, mask_had_usr2;

static void
on_info(int sig, siginfo_t *info, void *context)
{
	sigset_t now;

	(void)context;
	hits++;
	last_signo = info->si_signo;
	last_code = info->si_code;
	last_pid_is_self = info->si_pid == getpid();
	last_value = info->si_value.sival_int;
	sigprocmask(SIG_BLOCK, NULL, &now);
	mask_had_self = sigismember(&now, sig);
	mask_had_usr2 = sigismember(&now, SIGUSR2);
}

static void
on_count(int sig)
{
	(void)sig;
	hits++;
}

static void
install(int sig, void (*fn)(int, siginfo_t *, void *), int flags,
    int extra_mask)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	if (extra_mask)
		sigaddset(&sa.sa_mask, extra_mask);
	sigaction(sig, &sa, NULL);
}

static void
install_plain(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void
block(int how, int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(how, &set, NULL);
}

static void
test_handlers(void)
{
	struct sigaction old;

	install(SIGUSR1, on_info, 0, SIGUSR2);
	CHECK_OK("sigaction query", sigaction(SIGUSR1, NULL, &old));
	CHECK("query returns handler", old.sa_sigaction == on_info);
	CHECK("query returns SA_SIGINFO", old.sa_flags & SA_SIGINFO);
	CHECK("query returns sa_mask", sigismember(&old.sa_mask, SIGUSR2));

	hits = 0;
	CHECK_EQ("raise", raise(SIGUSR1), 0);
	CHECK_EQ("handler ran once", hits, 1);
	CHECK_STR("si_signo", signal_name(last_signo), "SIGUSR1");
	CHECK_EQ("raise si_code SI_TKILL", last_code, SI_TKILL);
	CHECK_EQ("signal masked in its handler", mask_had_self, 1);
	CHECK_EQ("sa_mask applied in handler", mask_had_usr2, 1);
	sigset_t now;
	sigprocmask(SIG_BLOCK, NULL, &now);
	CHECK_EQ("mask restored after handler", sigismember(&now, SIGUSR1) ||
	    sigismember(&now, SIGUSR2), 0);

	CHECK_EQ("kill self", kill(getpid(), SIGUSR1), 0);
	CHECK_EQ("handler ran again", hits, 2);
	CHECK_EQ("kill si_code SI_USER", last_code, SI_USER);
	CHECK_EQ("kill si_pid is sender", last_pid_is_self, 1);

	union sigval value = { .sival_int = 1234 };
	CHECK_EQ("sigqueue", sigqueue(getpid(), SIGUSR1, value), 0);
	CHECK_EQ("sigqueue si_code SI_QUEUE", last_code, SI_QUEUE);
	CHECK_EQ("sigqueue si_value", last_value, 1234);

	install(SIGUSR1, on_info, SA_NODEFER, 0);
	raise(SIGUSR1);
	CHECK_EQ("SA_NODEFER leaves signal unmasked", mask_had_self, 0);

	install(SIGUSR1, on_info, SA_RESETHAND, 0);
	hits = 0;
	raise(SIGUSR1);
	sigaction(SIGUSR1, NULL, &old);
	CHECK_EQ("SA_RESETHAND handler ran", hits, 1);
	CHECK("SA_RESETHAND resets to SIG_DFL", old.sa_handler == SIG_DFL);

	signal(SIGUSR1, SIG_IGN);
	CHECK_EQ("raise ignored signal", raise(SIGUSR1), 0);
	signal(SIGUSR1, SIG_DFL);
}

static void
test_blocking(void)
{
	sigset_t pending;

	install(SIGUSR1, on_info, 0, 0);
	block(SIG_BLOCK, SIGUSR1);
	hits = 0;
	raise(SIGUSR1);
	raise(SIGUSR1);
	CHECK_EQ("blocked signal not delivered", hits, 0);
	sigpending(&pending);
	CHECK("sigpending shows it", sigismember(&pending, SIGUSR1));
	CHECK("sigpending nothing else", !sigismember(&pending, SIGUSR2));
	block(SIG_UNBLOCK, SIGUSR1);
	CHECK_EQ("standard signals coalesce on unblock", hits, 1);
	sigpending(&pending);
	CHECK("no longer pending", !sigismember(&pending, SIGUSR1));

	/* Real-time signals queue, each with its value. */
	int rt = SIGRTMIN + 1;
	install(rt, on_info, 0, 0);
	block(SIG_BLOCK, rt);
	hits = 0;
	for (int i = 1; i <= 3; i++) {
		union sigval v = { .sival_int = i };
		sigqueue(getpid(), rt, v);
	}
	CHECK_EQ("queued rt signals wait", hits, 0);
	block(SIG_UNBLOCK, rt);
	CHECK_EQ("real-time signals all delivered", hits, 3);
	CHECK_EQ("last rt value", last_value, 3);
	signal(rt, SIG_DFL);

	/* SIGKILL and SIGSTOP cannot be caught or blocked. */
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_count;
	CHECK_ERR("sigaction SIGKILL", sigaction(SIGKILL, &sa, NULL), EINVAL);
	CHECK_ERR("sigaction SIGSTOP", sigaction(SIGSTOP, &sa, NULL), EINVAL);
	CHECK_ERR("sigaction signal 0", sigaction(0, &sa, NULL), EINVAL);
	sigset_t all, now;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &now);
	sigprocmask(SIG_SETMASK, &now, &all);
	CHECK("SIGKILL never blocked", !sigismember(&all, SIGKILL));
	CHECK("SIGSTOP never blocked", !sigismember(&all, SIGSTOP));
	CHECK_ERR("sigprocmask bad how", sigprocmask(99, &now, NULL), EINVAL);
	signal(SIGUSR1, SIG_DFL);
}

static int alarm_pipe[2];
static volatile int restart_target;

static void
on_tick(int sig)
{
	(void)sig;
	hits++;
	if (restart_target && hits == restart_target)
		write(alarm_pipe[1], "x", 1);
}

static void
ticker(long usec)
{
	struct itimerval it = { { 0, usec }, { 0, usec } };

	setitimer(ITIMER_REAL, &it, NULL);
}

/*
 * A repeating timer makes sure some tick lands inside the blocking call.
 * Results are printed only once the timer is off, so that no tick can
 * interrupt the write of the output itself (a slow console in the guest).
 */
static void
test_restart(void)
{
	char c = 0;

	pipe(alarm_pipe);
	hits = 0;
	restart_target = 0;
	install_plain(SIGALRM, on_tick, 0);
	ticker(10000);
	long read_result = read(alarm_pipe[0], &c, 1);
	int read_errno = errno;
	int read_hits = hits;
	struct timespec want = { 5, 0 }, left = { 0, 0 };
	long sleep_result = nanosleep(&want, &left);
	int sleep_errno = errno;

	hits = 0;
	restart_target = 3;
	install_plain(SIGALRM, on_tick, SA_RESTART);
	long restart_result = read(alarm_pipe[0], &c, 1);
	ticker(0);
	restart_target = 0;

	CHECK_SAVED_ERR("read interrupted without SA_RESTART", read_result,
	    read_errno, EINTR);
	CHECK("handler ran before EINTR", read_hits >= 1);
	CHECK_SAVED_ERR("nanosleep interrupted", sleep_result, sleep_errno,
	    EINTR);
	CHECK("nanosleep reports time left", left.tv_sec > 0 ||
	    left.tv_nsec > 0);
	CHECK_EQ("read restarted with SA_RESTART", restart_result, 1);
	CHECK("read waited for the third tick", hits >= 3 && c == 'x');
	signal(SIGALRM, SIG_DFL);
	alarm(ABI_WATCHDOG);
	close(alarm_pipe[0]);
	close(alarm_pipe[1]);

	unsigned left_s = alarm(ABI_WATCHDOG);
	CHECK("alarm returns seconds left", left_s > 0 &&
	    left_s <= ABI_WATCHDOG);
}

static void
test_suspend_and_wait(void)
{
	sigset_t set, empty;

	install_plain(SIGUSR2, on_count, 0);
	block(SIG_BLOCK, SIGUSR2);
	hits = 0;
	raise(SIGUSR2);
	sigemptyset(&empty);
	CHECK_ERR("sigsuspend returns EINTR", sigsuspend(&empty), EINTR);
	CHECK_EQ("sigsuspend ran the handler", hits, 1);
	sigset_t now;
	sigprocmask(SIG_BLOCK, NULL, &now);
	CHECK("sigsuspend restores the mask", sigismember(&now, SIGUSR2));

	/* sigtimedwait takes a blocked signal without running the handler. */
	siginfo_t info;
	struct timespec ten_ms = { 0, 10000000 };
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	kill(getpid(), SIGUSR2);
	hits = 0;
	CHECK_EQ("sigtimedwait returns the signal",
	    sigtimedwait(&set, &info, &ten_ms), SIGUSR2);
	CHECK_EQ("sigtimedwait si_code SI_USER", info.si_code, SI_USER);
	CHECK_EQ("handler not run", hits, 0);
	CHECK_ERR("sigtimedwait times out", sigtimedwait(&set, &info, &ten_ms),
	    EAGAIN);
	raise(SIGUSR2);
	CHECK_EQ("sigwaitinfo", sigwaitinfo(&set, &info), SIGUSR2);
	int sig = 0;
	raise(SIGUSR2);
	CHECK_EQ("sigwait", sigwait(&set, &sig), 0);
	CHECK_STR("sigwait signal", signal_name(sig), "SIGUSR2");
	block(SIG_UNBLOCK, SIGUSR2);
	signal(SIGUSR2, SIG_DFL);
}

static volatile int chld_code, chld_status, chld_pid_ok;
static volatile pid_t expected_child;

static void
on_chld(int sig, siginfo_t *info, void *context)
{
	(void)sig;
	(void)context;
	hits++;
	chld_code = info->si_code;
	chld_status = info->si_status;
	chld_pid_ok = info->si_pid == expected_child;
}

static void
test_sigchld(void)
{
	sigset_t empty;

	install(SIGCHLD, on_chld, 0, 0);
	block(SIG_BLOCK, SIGCHLD);
	hits = 0;
	pid_t pid = abi_fork();
	if (pid == 0)
		_exit(7);
	expected_child = pid;
	sigemptyset(&empty);
	while (hits == 0)
		sigsuspend(&empty);
	CHECK_EQ("SIGCHLD delivered", hits, 1);
	CHECK_EQ("SIGCHLD si_code CLD_EXITED", chld_code, CLD_EXITED);
	CHECK_EQ("SIGCHLD si_status", chld_status, 7);
	CHECK_EQ("SIGCHLD si_pid", chld_pid_ok, 1);
	CHECK_STR("child still waitable", status_str(abi_wait(pid)),
	    "exited 7");
	block(SIG_UNBLOCK, SIGCHLD);
	signal(SIGCHLD, SIG_DFL);

	/* Blocked, a SIGCHLD that its action ignores still waits for sigwait. */
	sigset_t set;
	siginfo_t si;
	struct timespec ts = { 5, 0 };
	block(SIG_BLOCK, SIGCHLD);
	pid = abi_fork();
	if (pid == 0)
		_exit(3);
	abi_wait(pid);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	CHECK_STR("blocked SIG_DFL SIGCHLD kept",
	    signal_name(sigtimedwait(&set, &si, &ts)), "SIGCHLD");
	CHECK("its si_code and si_status",
	    si.si_code == CLD_EXITED && si.si_status == 3);

	/* The same when the child exits while sigtimedwait already waits:
	   Linux counts the set as blocked then too (real_blocked), so a
	   process that waits for SIGCHLD this way (trinity's main loop)
	   learns of its children's deaths. Petrel dropped it. */
	pid = abi_fork();
	if (pid == 0) {
		usleep(100000);
		_exit(4);
	}
	CHECK_STR("SIGCHLD that comes during sigtimedwait",
	    signal_name(sigtimedwait(&set, &si, &ts)), "SIGCHLD");
	CHECK("its si_status", si.si_code == CLD_EXITED && si.si_status == 4);
	abi_wait(pid);
	block(SIG_UNBLOCK, SIGCHLD);
}

static void
on_child_usr1(int sig)
{
	(void)sig;
	_exit(10);
}

/* Fork a child that sets up fn's disposition for sig, then says ready. */
static pid_t
ready_child(int sig, void (*fn)(int))
{
	int p[2];
	char c;

	pipe(p);
	pid_t pid = abi_fork();
	if (pid == 0) {
		alarm(ABI_WATCHDOG);
		if (sig)
			signal(sig, fn);
		write(p[1], "r", 1);
		for (;;)
			pause();
	}
	read(p[0], &c, 1);
	close(p[0]);
	close(p[1]);
	return pid;
}

static void
test_child_signals(void)
{
	pid_t pid = ready_child(SIGUSR1, on_child_usr1);
	kill(pid, SIGUSR1);
	CHECK_STR("child handler exits", status_str(abi_wait(pid)),
	    "exited 10");

	pid = ready_child(SIGTERM, SIG_IGN);
	kill(pid, SIGTERM);
	kill(pid, SIGWINCH);
	kill(pid, SIGCONT);
	kill(pid, SIGKILL);
	CHECK_STR("ignored SIGTERM, then SIGKILL", status_str(abi_wait(pid)),
	    "killed by SIGKILL");

	static const int fatal[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM,
		SIGUSR2, SIGALRM };
	char what[64];
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++) {
		pid = ready_child(0, NULL);
		kill(pid, fatal[i]);
		snprintf(what, sizeof(what), "default action of %s",
		    signal_name(fatal[i]));
		char want[64];
		snprintf(want, sizeof(want), "killed by %s",
		    signal_name(fatal[i]));
		CHECK_STR(what, status_str(abi_wait(pid)), want);
	}

	pid = abi_fork();
	if (pid == 0)
		_exit(0);
	abi_wait(pid);
	CHECK_ERR("kill reaped child", kill(pid, SIGTERM), ESRCH);
	CHECK_ERR("kill bad signal", kill(getpid(), 1000), EINVAL);
	CHECK_EQ("kill signal 0 to self", kill(getpid(), 0), 0);
}

static char altstack[65536] __attribute__((aligned(16)));
static volatile int on_alt, alt_flag_onstack;

static void
on_alt_handler(int sig)
{
	char local;
	stack_t now;

	(void)sig;
	on_alt = &local >= altstack && &local < altstack + sizeof(altstack);
	sigaltstack(NULL, &now);
	alt_flag_onstack = (now.ss_flags & SS_ONSTACK) != 0;
}

static void
on_overflow(int sig)
{
	char local;

	(void)sig;
	_exit(&local >= altstack && &local < altstack + sizeof(altstack) ?
	    33 : 34);
}

static int
recurse(volatile char *prev, long depth)
{
	volatile char frame[1024];

	if (depth == -1)
		return 0; /* never; tells the compiler it can end */
	frame[0] = prev ? prev[0] + 1 : 0;
	return recurse(frame, depth + 1) + frame[1];
}

static void
test_altstack(void)
{
	stack_t ss, old;

	ss.ss_sp = altstack;
	ss.ss_size = sizeof(altstack);
	ss.ss_flags = 0;
	CHECK_OK("sigaltstack", sigaltstack(&ss, &old));
	CHECK_EQ("no earlier altstack", old.ss_flags, SS_DISABLE);
	install_plain(SIGUSR1, on_alt_handler, SA_ONSTACK);
	raise(SIGUSR1);
	CHECK_EQ("SA_ONSTACK handler on altstack", on_alt, 1);
	CHECK_EQ("SS_ONSTACK inside handler", alt_flag_onstack, 1);
	install_plain(SIGUSR1, on_alt_handler, 0);
	raise(SIGUSR1);
	CHECK_EQ("handler without SA_ONSTACK off altstack", on_alt, 0);
	sigaltstack(NULL, &old);
	CHECK_EQ("altstack not in use outside", old.ss_flags, 0);
	ss.ss_size = 512;
	CHECK_ERR("sigaltstack too small", sigaltstack(&ss, NULL), ENOMEM);
	ss.ss_flags = SS_DISABLE;
	CHECK_OK("sigaltstack disable", sigaltstack(&ss, NULL));
	signal(SIGUSR1, SIG_DFL);

	/* Overflowing the main stack still reaches a handler on altstack. */
	pid_t pid = abi_fork();
	if (pid == 0) {
		alarm(ABI_WATCHDOG);
		ss.ss_sp = altstack;
		ss.ss_size = sizeof(altstack);
		ss.ss_flags = 0;
		sigaltstack(&ss, NULL);
		install_plain(SIGSEGV, on_overflow, SA_ONSTACK);
		_exit(recurse(NULL, 0));
	}
	CHECK_STR("stack overflow handled on altstack",
	    status_str(abi_wait(pid)), "exited 33");
}

static volatile pid_t worker_tid;
static volatile int worker_stop;

static void *
worker(void *arg)
{
	worker_tid = (pid_t)syscall(SYS_gettid);
	while (!worker_stop)
		usleep(1000);
	return arg;
}

static void
test_thread_ids_and_limit(void)
{
	pthread_t th;
	sigset_t rt, old;
	sigemptyset(&rt);
	sigaddset(&rt, SIGRTMIN + 1);
	sigaddset(&rt, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &rt, &old);
	pthread_create(&th, NULL, worker, NULL);
	while (!worker_tid)
		usleep(1000);
	CHECK_OK("kill with a thread's id", kill(worker_tid, SIGUSR1));
	sigset_t pend;
	sigpending(&pend);
	CHECK_EQ("pending for the process", sigismember(&pend, SIGUSR1), 1);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_value.sival_int = 7;
	CHECK_OK("rt_sigqueueinfo with a thread's id",
		 syscall(SYS_rt_sigqueueinfo, worker_tid, SIGRTMIN + 1, &si));
	struct timespec none = { 0, 0 };
	CHECK_EQ("SIGUSR1 first", sigtimedwait(&rt, &si, &none), SIGUSR1);
	/* Compared, not printed: SIGRTMIN is the C library's (34 in glibc,
	 * 35 in musl). */
	CHECK("then the queued one", sigtimedwait(&rt, &si, &none) ==
	      SIGRTMIN + 1);
	CHECK_EQ("with its value", si.si_value.sival_int, 7);

	struct rlimit lim, zero = { 0, 0 };
	getrlimit(RLIMIT_SIGPENDING, &lim);
	setrlimit(RLIMIT_SIGPENDING, &zero);
	CHECK_ERR("tgkill past RLIMIT_SIGPENDING", syscall(SYS_tgkill, getpid(),
		  worker_tid, SIGRTMIN + 1), EAGAIN);
	union sigval v = { .sival_int = 1 };
	CHECK_ERR("sigqueue past it", sigqueue(getpid(), SIGRTMIN + 1, v),
		  EAGAIN);
	CHECK_OK("kill is not refused", kill(getpid(), SIGRTMIN + 1));
	CHECK("and comes", sigtimedwait(&rt, &si, &none) == SIGRTMIN + 1);
	CHECK_OK("tgkill of a standard signal", syscall(SYS_tgkill, getpid(),
		 syscall(SYS_gettid), SIGUSR1));
	CHECK_EQ("comes too", sigtimedwait(&rt, &si, &none), SIGUSR1);
	setrlimit(RLIMIT_SIGPENDING, &lim);
	worker_stop = 1;
	pthread_join(th, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

int
main(void)
{
	abi_init();
	test_handlers();
	test_blocking();
	test_restart();
	test_suspend_and_wait();
	test_sigchld();
	test_child_signals();
	test_altstack();
	test_thread_ids_and_limit();
	return abi_done("signal");
}
