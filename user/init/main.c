/*
 * Petrel's init, PID 1: boots user space, starts the services of
 * /etc/petrel/services, runs the console shell or a one-shot command,
 * reaps every orphan and powers the machine off when asked.
 *
 * Signals: init keeps the signals it cares about blocked at all times and
 * takes them one at a time with sigtimedwait() in its single loop, so no
 * handler ever interrupts it and no wake-up is lost: a signal that arrives
 * while init is busy stays pending until the next wait.
 */
#include "init.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

bool init_test_mode;
const char *init_root = "";

/* The signals init acts on; all of them stay blocked in init. */
static sigset_t init_signals;
static enum shutdown_kind shutdown_requested = SHUTDOWN_NONE;

/*
 * Never runs, since the signals are blocked. It exists because a PID 1
 * receives only the signals it has a handler for (Linux drops the others);
 * with a handler, the kernel queues them for sigtimedwait() however it
 * treats blocked signals of PID 1.
 */
static void
signal_ignored(int sig)
{
	(void)sig;
}

static void
signals_setup(void)
{
	static const int wanted[] = { SIGCHLD, SIGUSR1, SIGUSR2, SIGTERM };
	struct sigaction sa;
	size_t i;

	sigemptyset(&init_signals);
	for (i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
		sigaddset(&init_signals, wanted[i]);
	if (sigprocmask(SIG_BLOCK, &init_signals, NULL) < 0)
		say("sigprocmask: %s", strerror(errno));

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = signal_ignored;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
		if (sigaction(wanted[i], &sa, NULL) < 0)
			say("sigaction %d: %s", wanted[i], strerror(errno));
}

/* Returns the monotonic clock in milliseconds. */
int64_t
clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Sleeps until one of init's signals is pending or timeout_ms passes
 * (forever when negative), and records a shutdown request.
 * BusyBox's halt, poweroff and reboot send SIGUSR1, SIGUSR2 and SIGTERM.
 */
void
wait_signal(int timeout_ms)
{
	struct timespec ts, *tsp = NULL;
	siginfo_t info;
	int sig;

	if (timeout_ms >= 0) {
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000;
		tsp = &ts;
	}
	sig = sigtimedwait(&init_signals, &info, tsp);
	if (shutdown_requested != SHUTDOWN_NONE)
		return;
	if (sig == SIGUSR1)
		shutdown_requested = SHUTDOWN_HALT;
	else if (sig == SIGUSR2)
		shutdown_requested = SHUTDOWN_POWEROFF;
	else if (sig == SIGTERM)
		shutdown_requested = SHUTDOWN_REBOOT;
}

/* Returns the shell-style exit code of a wait status: 128+signal if killed. */
int
exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

/*
 * Collects every child that has ended, services and orphans alike.
 * Returns false when init has no child left at all.
 */
bool
reap_children(void)
{
	int status;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid == 0)
			return true;
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			if (errno != ECHILD)
				say("waitpid: %s", strerror(errno));
			return false;
		}
		services_exited(pid, status, clock_ms());
	}
}

static void
console_shell_add(void)
{
	static char *shell_argv[] = { "-sh", NULL };
	struct service *svc = services_add("console");

	if (svc == NULL)
		return;
	svc->kind = SERVICE_RESPAWN;
	svc->console = true;
	svc->quiet = true;
	svc->path = SHELL_PATH;
	svc->argv = shell_argv;
	svc->dir = ROOT_HOME;
}

/*
 * Outside PID 1, init runs only as a host test, rooted at the directory
 * PETREL_INIT_ROOT names: it then mounts nothing, keeps its stdio, signals
 * only its own services and exits instead of powering off.
 */
static void
test_mode_check(void)
{
	const char *root;

	if (getpid() == 1)
		return;
	root = getenv("PETREL_INIT_ROOT");
	if (root == NULL) {
		fprintf(stderr, "init: must run as PID 1 (for a host test, "
				"set PETREL_INIT_ROOT=DIR)\n");
		exit(1);
	}
	init_test_mode = true;
	init_root = root;
	/* Adopt orphans as PID 1 would, so the test exercises reaping. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
}

int
main(int argc, char **argv)
{
	char services_path[256];
	int64_t now;

	test_mode_check();
	signals_setup();
	boot_system();
	mounter_start();

	snprintf(services_path, sizeof(services_path), "%s%s", init_root,
	    SERVICES_PATH);
	services_load(services_path);

	/* "device=CLASS serve=ROUTE run CMD...": the command gets the device
	 * or serves the route (tests of drivers and servers). */
	const char *device = NULL, *serve = NULL;
	for (;;) {
		if (argc >= 3 && strncmp(argv[1], "device=", 7) == 0)
			device = argv[1] + 7;
		else if (argc >= 3 && strncmp(argv[1], "serve=", 6) == 0)
			serve = argv[1] + 6;
		else
			break;
		argc--, argv++;
	}
	if (argc >= 2 && strcmp(argv[1], "run") == 0) {
		oneshot_prepare(argc - 2, argv + 2, device, serve);
	} else {
		if (argc >= 2)
			say("unknown argument '%s' ignored", argv[1]);
		console_shell_add();
	}

	for (;;) {
		reap_children();
		if (shutdown_requested != SHUTDOWN_NONE)
			shutdown_system(shutdown_requested, false, 0);
		now = clock_ms();
		services_tick(now);
		wait_signal(services_timeout(now));
	}
}
