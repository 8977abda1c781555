/*
 * Waiting for children: exit codes through wait4/waitpid/waitid, deaths
 * by signal (kill, faults, abort, traps), WNOHANG, WNOWAIT, stop and
 * continue reports, ECHILD, zombies, waitpid(-1) and (0), and children
 * reaped automatically when SIGCHLD is ignored.
 */
#include "abi.h"

#include <sys/resource.h>

/* Fork a child that runs fn(arg) and exits with its result. */
static pid_t
spawn(int (*fn)(int), int arg)
{
	pid_t pid = abi_fork();

	if (pid == 0) {
		alarm(ABI_WATCHDOG);
		_exit(fn(arg));
	}
	return pid;
}

static int
child_return(int code)
{
	return code;
}

static int
child_exit(int code)
{
	exit(code);
}

static int
child_pause(int unused)
{
	(void)unused;
	for (;;)
		pause();
	return 0;
}

static int *volatile null_pointer;

static int
child_segv(int unused)
{
	(void)unused;
	*null_pointer = 1;
	return 0;
}

static int
child_divide(int zero)
{
	volatile int divisor = zero;
	return 1000 / divisor;
}

static int
child_trap(int unused)
{
	(void)unused;
	__builtin_trap();
}

static int
child_abort(int unused)
{
	(void)unused;
	abort();
}

static int
child_raise(int sig)
{
	raise(sig);
	return 99;
}

static void
test_exit_codes(void)
{
	static const int codes[] = { 0, 1, 42, 255, 256, 257, -1 };
	char what[64];

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		int status;
		pid_t pid = spawn(child_exit, codes[i]);
		snprintf(what, sizeof(what), "exit(%d)", codes[i]);
		CHECK_EQ("waitpid returns pid", waitpid(pid, &status, 0) == pid,
		    1);
		CHECK_STR(what, status_str(status),
		    codes[i] == 0 || codes[i] == 256 ? "exited 0" :
		    codes[i] == 1 || codes[i] == 257 ? "exited 1" :
		    codes[i] == 42 ? "exited 42" : "exited 255");
	}
	int status;
	struct rusage ru;
	pid_t pid = spawn(child_return, 17);
	CHECK_EQ("wait4 returns pid", wait4(pid, &status, 0, &ru) == pid, 1);
	CHECK_STR("wait4 status", status_str(status), "exited 17");
	CHECK("wait4 rusage utime sane", ru.ru_utime.tv_sec >= 0 &&
	    ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000);
	CHECK("wait status raw encoding", status == (17 << 8));
}

static void
test_signal_deaths(void)
{
	pid_t pid = spawn(child_pause, 0);
	CHECK_EQ("kill SIGKILL", kill(pid, SIGKILL), 0);
	CHECK_STR("paused child SIGKILL", status_str(abi_wait(pid)),
	    "killed by SIGKILL");

	pid = spawn(child_pause, 0);
	kill(pid, SIGTERM);
	int status = abi_wait(pid);
	CHECK_STR("paused child SIGTERM", status_str(status),
	    "killed by SIGTERM");
	CHECK("raw status is the signal number", (status & 0x7f) == SIGTERM);

	CHECK_STR("null write", status_str(abi_wait(spawn(child_segv, 0))),
	    "killed by SIGSEGV");
	CHECK_STR("divide by zero",
	    status_str(abi_wait(spawn(child_divide, 0))), "killed by SIGFPE");
	CHECK_STR("ud2 trap", status_str(abi_wait(spawn(child_trap, 0))),
	    "killed by SIGILL");
	CHECK_STR("abort", status_str(abi_wait(spawn(child_abort, 0))),
	    "killed by SIGABRT");
	CHECK_STR("raise SIGUSR1",
	    status_str(abi_wait(spawn(child_raise, SIGUSR1))),
	    "killed by SIGUSR1");
	CHECK_STR("raise SIGCHLD is ignored",
	    status_str(abi_wait(spawn(child_raise, SIGCHLD))), "exited 99");
	CHECK_STR("raise SIGURG is ignored",
	    status_str(abi_wait(spawn(child_raise, SIGURG))), "exited 99");
}

static void
test_nohang_and_echild(void)
{
	int status = -1;

	CHECK_ERR("waitpid with no children", waitpid(-1, &status, 0), ECHILD);
	CHECK_ERR("waitpid WNOHANG with no children",
	    waitpid(-1, &status, WNOHANG), ECHILD);
	CHECK_ERR("waitpid on self", waitpid(getpid(), &status, 0), ECHILD);

	pid_t pid = spawn(child_pause, 0);
	CHECK_EQ("WNOHANG on running child", waitpid(pid, &status, WNOHANG),
	    0);
	CHECK_ERR("waitpid on another pid", waitpid(pid + 100000, &status, 0),
	    ECHILD);
	kill(pid, SIGKILL);
	CHECK_EQ("waitpid(-1) returns the pid", waitpid(-1, &status, 0) == pid,
	    1);
	CHECK_STR("waitpid(-1) status", status_str(status),
	    "killed by SIGKILL");

	pid = spawn(child_return, 6);
	CHECK_EQ("waitpid(0) returns the pid", waitpid(0, &status, 0) == pid,
	    1);
	CHECK_STR("waitpid(0) status", status_str(status), "exited 6");
}

/* Several children reaped by pid in an order other than their exits. */
static void
test_order(void)
{
	pid_t pids[3];
	char what[32];

	for (int i = 0; i < 3; i++)
		pids[i] = spawn(child_return, 10 + i);
	for (int i = 2; i >= 0; i--) {
		snprintf(what, sizeof(what), "child %d", i);
		CHECK_STR(what, status_str(abi_wait(pids[i])),
		    i == 0 ? "exited 10" : i == 1 ? "exited 11" : "exited 12");
	}
}

static void
test_zombie(void)
{
	pid_t pid = spawn(child_return, 0);
	siginfo_t info;

	/* Wait for the exit without reaping; the zombie still exists. */
	memset(&info, 0, sizeof(info));
	CHECK_OK("waitid WNOWAIT", waitid(P_PID, pid, &info,
	    WEXITED | WNOWAIT));
	CHECK_EQ("zombie exists for kill(0)", kill(pid, 0), 0);
	CHECK_STR("reap zombie", status_str(abi_wait(pid)), "exited 0");
	CHECK_ERR("kill(0) after reap", kill(pid, 0), ESRCH);
}

static void
test_waitid(void)
{
	siginfo_t info;

	pid_t pid = spawn(child_return, 5);
	memset(&info, 0, sizeof(info));
	CHECK_EQ("waitid P_PID", waitid(P_PID, pid, &info, WEXITED), 0);
	CHECK_EQ("waitid si_pid", info.si_pid == pid, 1);
	CHECK_STR("waitid si_signo", signal_name(info.si_signo), "SIGCHLD");
	CHECK_EQ("waitid si_code CLD_EXITED", info.si_code, CLD_EXITED);
	CHECK_EQ("waitid si_status", info.si_status, 5);
	CHECK_EQ("waitid si_uid", info.si_uid == getuid(), 1);

	pid = spawn(child_pause, 0);
	memset(&info, 0xff, sizeof(info));
	CHECK_EQ("waitid WNOHANG running", waitid(P_ALL, 0, &info,
	    WEXITED | WNOHANG), 0);
	CHECK_EQ("waitid WNOHANG leaves si_pid 0", info.si_pid, 0);
	kill(pid, SIGKILL);
	memset(&info, 0, sizeof(info));
	CHECK_EQ("waitid P_ALL killed", waitid(P_ALL, 0, &info, WEXITED), 0);
	CHECK_EQ("waitid si_code CLD_KILLED", info.si_code, CLD_KILLED);
	CHECK_STR("waitid si_status signal", signal_name(info.si_status),
	    "SIGKILL");

	pid = spawn(child_return, 8);
	memset(&info, 0, sizeof(info));
	CHECK_EQ("waitid WNOWAIT", waitid(P_PID, pid, &info,
	    WEXITED | WNOWAIT), 0);
	CHECK_EQ("waitid WNOWAIT si_status", info.si_status, 8);
	memset(&info, 0, sizeof(info));
	CHECK_EQ("waitid again after WNOWAIT", waitid(P_PID, pid, &info,
	    WEXITED), 0);
	CHECK_EQ("waitid again si_status", info.si_status, 8);
	CHECK_ERR("waitid after reap", waitid(P_PID, pid, &info, WEXITED),
	    ECHILD);
	CHECK_ERR("waitid without event flags", waitid(P_ALL, 0, &info, 0),
	    EINVAL);
}

static void
test_stop_continue(void)
{
	int status;
	siginfo_t info;
	pid_t pid = spawn(child_pause, 0);

	kill(pid, SIGSTOP);
	CHECK_EQ("waitpid WUNTRACED", waitpid(pid, &status, WUNTRACED) == pid,
	    1);
	CHECK_STR("stopped status", status_str(status), "stopped by SIGSTOP");
	CHECK_EQ("stop reported once", waitpid(pid, &status,
	    WUNTRACED | WNOHANG), 0);
	kill(pid, SIGCONT);
	CHECK_EQ("waitpid WCONTINUED", waitpid(pid, &status, WCONTINUED) == pid,
	    1);
	CHECK_STR("continued status", status_str(status), "continued");

	/* Not SIGTSTP: it is discarded in an orphaned process group. */
	kill(pid, SIGSTOP);
	memset(&info, 0, sizeof(info));
	CHECK_EQ("waitid WSTOPPED", waitid(P_PID, pid, &info, WSTOPPED), 0);
	CHECK_EQ("waitid si_code CLD_STOPPED", info.si_code, CLD_STOPPED);
	CHECK_STR("waitid stop signal", signal_name(info.si_status),
	    "SIGSTOP");
	kill(pid, SIGCONT);
	memset(&info, 0, sizeof(info));
	CHECK_EQ("waitid WCONTINUED", waitid(P_PID, pid, &info, WCONTINUED),
	    0);
	CHECK_EQ("waitid si_code CLD_CONTINUED", info.si_code, CLD_CONTINUED);

	kill(pid, SIGKILL);
	CHECK_STR("after continue, SIGKILL", status_str(abi_wait(pid)),
	    "killed by SIGKILL");
}

static void
test_ignored_sigchld(void)
{
	int status;

	signal(SIGCHLD, SIG_IGN);
	pid_t pid = spawn(child_return, 3);
	/* The child is reaped by the kernel; waitpid waits for it, then
	 * finds no child. */
	CHECK_ERR("waitpid with SIGCHLD ignored", waitpid(pid, &status, 0),
	    ECHILD);
	signal(SIGCHLD, SIG_DFL);
	pid = spawn(child_return, 4);
	CHECK_STR("SIGCHLD default again", status_str(abi_wait(pid)),
	    "exited 4");
}

/*
 * Children reaped by the kernel at their exit (SIGCHLD ignored, then
 * SA_NOCLDWAIT) while the parent sleeps elsewhere, so the CPU goes idle
 * after each exit: Petrel once freed the process before its last thread
 * had switched away, and the switch read the freed memory (the assert
 * kernel's poisoned pages made that a kernel fault).
 */
static void
test_reaped_while_asleep(void)
{
	struct timespec nap = { 0, 20 * 1000 * 1000 };
	struct sigaction sa = { .sa_handler = SIG_DFL,
				.sa_flags = SA_NOCLDWAIT };
	int status;

	for (int round = 0; round < 2; round++) {
		if (round == 0)
			signal(SIGCHLD, SIG_IGN);
		else
			sigaction(SIGCHLD, &sa, NULL);
		for (int i = 0; i < 8; i++) {
			spawn(child_return, 0);
			nanosleep(&nap, NULL);
		}
		CHECK_ERR(round == 0 ? "SIG_IGN: children gone while asleep"
				     : "SA_NOCLDWAIT: children gone while asleep",
			  waitpid(-1, &status, 0), ECHILD);
	}
	signal(SIGCHLD, SIG_DFL);
}

int
main(void)
{
	abi_init();
	test_exit_codes();
	test_signal_deaths();
	test_nohang_and_echild();
	test_order();
	test_zombie();
	test_reaped_while_asleep();
	test_waitid();
	test_stop_continue();
	test_ignored_sigchld();
	return abi_done("wait");
}
