/*
 * -w N: N processes serve the same listening sockets, each with its own
 * epoll loop (server.c), so a machine with several CPUs can run several
 * at once. The first process forks the others after opening the
 * listeners and before its epoll, so each worker watches them in an
 * epoll of its own; every worker is woken by a new connection and the
 * first accept takes it (the others get EAGAIN). The first process
 * serves too, and stops the others when it is asked to stop.
 */
#include "httpd.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORKERS_MAX 64

static pid_t workers[WORKERS_MAX];
static int worker_count;	/* forked by this process */

/*
 * Forks config.workers - 1 workers. Returns 0 in the first process and
 * in each worker; a fork that fails stops the ones forked and returns
 * a negative errno.
 */
int
workers_start(void)
{
	pid_t first = getpid(), pid;

	while (worker_count < config.workers - 1) {
		pid = fork();
		if (pid < 0) {
			int err = -errno;
			say("fork: %s", strerror(errno));
			workers_stop();
			return err;
		}
		if (pid == 0) {
			worker_count = 0;	/* none of its own */
			/* Gone with the first process, even if it is killed. */
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			if (getppid() != first)
				_exit(0);
			return 0;
		}
		workers[worker_count++] = pid;
	}
	return 0;
}

/* Asks every worker this process forked to stop and waits for them. */
void
workers_stop(void)
{
	int i;

	for (i = 0; i < worker_count; i++)
		kill(workers[i], SIGTERM);
	for (i = 0; i < worker_count; i++)
		while (waitpid(workers[i], NULL, 0) < 0 && errno == EINTR)
			;
	worker_count = 0;
}
