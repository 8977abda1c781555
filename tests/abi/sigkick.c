/*
 * A signal to a thread that runs in user mode on another CPU and never
 * enters the kernel: it acts at once, as Linux's kick_process sends that
 * CPU an interrupt, not at the CPU's next timer interrupt, which on a
 * tickless CPU need never come. A child pinned to CPU 1 spins; the parent
 * on CPU 0 sends it SIGUSR1, whose handler ends the spin; a second
 * spinning child gets SIGKILL. Each must act within 2 s.
 */
/* abi: smp 2 */
#include "abi.h"

#include <time.h>

static volatile sig_atomic_t got;

static void
on_usr1(int sig)
{
	(void)sig;
	got = 1;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The child's status once it ends, or "still running" after secs. */
static const char *
ended(pid_t pid, double secs)
{
	double end = now() + secs;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return status_str(status);
		if (r < 0)
			return "not a child";
		if (now() > end)
			return "still running";
		usleep(10000);
	}
}

/* A child pinned to CPU 1 that spins in user mode until got is set. */
static pid_t
spinner(void)
{
	pid_t pid = abi_fork();
	if (pid == 0) {
		abi_pin(1);
		while (!got)
			;
		_exit(0);
	}
	usleep(200000);	/* it is spinning by now */
	return pid;
}

int
main(void)
{
	abi_init();
	abi_pin(0);
	signal(SIGUSR1, on_usr1);

	pid_t pid = spinner();
	kill(pid, SIGUSR1);
	CHECK_STR("SIGUSR1 reaches a child spinning on the other CPU",
	    ended(pid, 2.0), "exited 0");

	pid = spinner();
	kill(pid, SIGKILL);
	CHECK_STR("SIGKILL ends a child spinning on the other CPU",
	    ended(pid, 2.0), "killed by SIGKILL");
	return abi_done("sigkick");
}
