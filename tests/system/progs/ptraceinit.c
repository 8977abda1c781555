/*
 * Traces PID 1 (as root, as LTP's ptrace11) and tries to kill it: SIGKILL
 * by kill(2) and by PTRACE_KILL, and SIGHUP passed on by the tracer.
 * Init must live on (Linux's SIGNAL_UNKILLABLE holds for a traced init
 * too) and run again after PTRACE_DETACH. Prints one line per step.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void
step(const char *what, long r)
{
	printf("%s: %s\n", what, r < 0 ? strerror(errno) : "ok");
}

int
main(void)
{
	int status = 0;
	step("attach", ptrace(PTRACE_ATTACH, 1, 0, 0));
	step("wait", waitpid(1, &status, __WALL));
	printf("stopped by %d\n", WIFSTOPPED(status) ? WSTOPSIG(status) : -1);
	step("kill", kill(1, SIGKILL));
	step("PTRACE_KILL", ptrace(PTRACE_KILL, 1, 0, 0));
	struct timespec ts = { 0, 200000000 };
	nanosleep(&ts, NULL);
	step("still traced", ptrace(PTRACE_CONT, 1, 0, SIGHUP));
	nanosleep(&ts, NULL);
	step("detach", ptrace(PTRACE_DETACH, 1, 0, 0) < 0 && errno == ESRCH ?
	     0 : -1);
	printf("init %s\n", kill(1, 0) == 0 ? "alive" : "gone");
	return 0;
}
