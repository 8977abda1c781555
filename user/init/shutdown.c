/*
 * Orderly shutdown: stop restarting services, flush the file systems, ask
 * every process to end (SIGTERM), give them a second, kill the rest
 * (SIGKILL), then unmount the file servers' trees (each server writes
 * back, marks its disk clean and ends) and halt, power off or reboot.
 * File servers are spared the signals until then, so the last writes of
 * the others still reach their disks. Init never exits on Petrel.
 */
#include "init.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>

#define SHUTDOWN_GRACE_MS 1000 /* between SIGTERM and SIGKILL */
#define SHUTDOWN_REAP_MS 1000  /* for the killed to be reaped */

/*
 * Sends sig to every process but init and the file servers; returns how
 * many it reached (at least 1 when unsure).
 */
static int
signal_everyone(int sig)
{
	/* On the host, kill(-1) would reach the tester's every process. */
	if (init_test_mode) {
		services_signal(sig);
		return reap_children() ? 1 : 0;
	}
	if (services_file_servers() == 0)
		return kill(-1, sig) == 0 ? 1 : 0; /* all but init itself */
	DIR *d = opendir("/proc");
	if (!d)
		return kill(-1, sig) == 0 ? 1 : 0;
	int count = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		pid_t pid = (pid_t)atoi(e->d_name);
		if (pid > 1 && !services_is_file_server(pid) &&
		    kill(pid, sig) == 0)
			count++;
	}
	closedir(d);
	return count;
}

/* Reaps until only file servers are left, or TIMEOUT_MS has passed. */
static void
reap_for(int timeout_ms)
{
	int64_t deadline = clock_ms() + timeout_ms, left;

	while (reap_children() && signal_everyone(0) > 0) {
		left = deadline - clock_ms();
		if (left <= 0)
			return;
		wait_signal(left < 50 ? (int)left : 50);
	}
}

/*
 * Ends the system. QUIET leaves the console alone (one-shot mode, where
 * only the command's output and the exit marker belong there); CODE is the
 * host test's exit status.
 */
void
shutdown_system(enum shutdown_kind kind, bool quiet, int code)
{
	static const char *const names[] = {
		[SHUTDOWN_HALT] = "halt",
		[SHUTDOWN_POWEROFF] = "power off",
		[SHUTDOWN_REBOOT] = "reboot",
	};
	static const unsigned int commands[] = {
		[SHUTDOWN_HALT] = RB_HALT_SYSTEM,
		[SHUTDOWN_POWEROFF] = RB_POWER_OFF,
		[SHUTDOWN_REBOOT] = RB_AUTOBOOT,
	};

	services_stop();
	if (!quiet)
		say("the system is going down (%s)", names[kind]);
	sync();
	if (!init_test_mode)
		mounter_unmount_all();
	signal_everyone(SIGTERM);
	reap_for(SHUTDOWN_GRACE_MS);
	signal_everyone(SIGKILL);
	reap_for(SHUTDOWN_REAP_MS);
	sync();
	services_unmount();
	if (!init_test_mode) {
		signal_everyone(SIGKILL);	/* anything a server started */
		kill(-1, SIGKILL);	/* and the servers, unmounted now */
		reap_for(SHUTDOWN_REAP_MS);
	}
	if (init_test_mode)
		exit(code);

	reboot((int)commands[kind]);
	say("reboot (%s): %s", names[kind], strerror(errno));
	for (;;) {
		reap_children();
		wait_signal(-1);
	}
}
