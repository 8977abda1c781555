/*
 * Orderly shutdown: stop restarting services, ask every process to end
 * (SIGTERM), give them a second, kill the rest (SIGKILL), flush the file
 * systems and halt, power off or reboot. Init never exits on Petrel.
 */
#include "init.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>

#define SHUTDOWN_GRACE_MS 1000 /* between SIGTERM and SIGKILL */
#define SHUTDOWN_REAP_MS 1000  /* for the killed to be reaped */

static void
signal_everyone(int sig)
{
	/* On the host, kill(-1) would reach the tester's every process. */
	if (init_test_mode)
		services_signal(sig);
	else
		kill(-1, sig); /* all but init itself */
}

/* Reaps until no child is left or TIMEOUT_MS has passed. */
static void
reap_for(int timeout_ms)
{
	int64_t deadline = clock_ms() + timeout_ms, left;

	while (reap_children()) {
		left = deadline - clock_ms();
		if (left <= 0)
			return;
		wait_signal((int)left);
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
	signal_everyone(SIGTERM);
	reap_for(SHUTDOWN_GRACE_MS);
	signal_everyone(SIGKILL);
	reap_for(SHUTDOWN_REAP_MS);
	sync();
	if (init_test_mode)
		exit(code);

	reboot((int)commands[kind]);
	say("reboot (%s): %s", names[kind], strerror(errno));
	for (;;) {
		reap_children();
		wait_signal(-1);
	}
}
