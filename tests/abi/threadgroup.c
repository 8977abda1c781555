/*
 * A process of several threads acts as one: execve from any thread ends
 * the others first (they would otherwise run on in the new program), and
 * the thread that called it takes the process's pid as its thread id; a
 * stop signal stops every thread until SIGCONT (Linux's group stop).
 */
#include "abi.h"

#include <dirent.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define SELF "/proc/self/exe"

extern char **environ;

static int
count_tasks(void)
{
	DIR *d = opendir("/proc/self/task");
	int n = 0;
	struct dirent *e;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* Child mode "alone PID": run by exec from a second thread. */
static int
mode_alone(char **argv)
{
	CHECK("  after exec: pid kept", getpid() == atoi(argv[2]));
	CHECK("  after exec: thread id is the pid",
	    (long)syscall(SYS_gettid) == (long)getpid());
	CHECK_EQ("  after exec: one thread in /proc/self/task",
	    count_tasks(), 1);
	fflush(stdout);
	return abi_failures ? 99 : 3;
}

static volatile unsigned long *spins;
static int pipe_fds[2];

static void *
spinner(void *arg)
{
	(void)arg;
	for (;;)
		(*spins)++;
	return NULL;
}

static void *
sleeper(void *arg)
{
	(void)arg;
	for (;;)
		sleep(100);
	return NULL;
}

static void *
reader(void *arg)
{
	char c;
	(void)arg;
	for (;;)
		read(pipe_fds[0], &c, 1);
	return NULL;
}

static void *
execer(void *arg)
{
	char **args = arg;
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	nanosleep(&ts, NULL);	/* the others are at work by now */
	execve(SELF, args, environ);
	_exit(127);
}

static void
test_exec_ends_other_threads(void)
{
	pid_t pid = abi_fork();
	if (pid == 0) {
		static char a[16];
		static char *args[] = { "abi-threadgroup", "alone", a, NULL };
		pthread_t t;

		snprintf(a, sizeof(a), "%d", (int)getpid());
		if (pipe(pipe_fds) == -1)
			_exit(126);
		pthread_create(&t, NULL, spinner, NULL);
		pthread_create(&t, NULL, sleeper, NULL);
		pthread_create(&t, NULL, reader, NULL);
		pthread_create(&t, NULL, execer, args);
		for (;;)
			pause();
	}
	CHECK_STR("exec from a fourth thread: the others end",
	    status_str(abi_wait(pid)), "exited 3");
}

static unsigned long
spins_after(long ms)
{
	struct timespec ts = { 0, ms * 1000 * 1000 };
	unsigned long before = *spins;

	nanosleep(&ts, NULL);
	return *spins - before;
}

/* Whether the spinner moves within 5 s (a loaded host may run it late). */
static int
spinning(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	unsigned long before = *spins;

	for (int i = 0; i < 500 && *spins == before; i++)
		nanosleep(&ts, NULL);
	return *spins != before;
}

static void
test_stop_stops_every_thread(void)
{
	pid_t pid = abi_fork();
	if (pid == 0) {
		pthread_t t;
		pthread_create(&t, NULL, spinner, NULL);
		for (;;)
			pause();	/* the main thread takes the SIGSTOP */
	}
	CHECK("a second thread spins", spinning());
	/* To the main thread (sleeping in pause), not to the spinner. */
	syscall(SYS_tgkill, pid, pid, SIGSTOP);
	int status;
	CHECK_EQ("waitpid WUNTRACED sees the stop",
	    waitpid(pid, &status, WUNTRACED) == pid && WIFSTOPPED(status), 1);
	spins_after(100);	/* a CPU that has not yet noticed */
	CHECK_EQ("stopped: the second thread stands still", spins_after(200),
	    0);
	kill(pid, SIGCONT);
	CHECK("continued: the second thread spins again", spinning());
	kill(pid, SIGKILL);
	CHECK_STR("then killed", status_str(abi_wait(pid)), "killed by SIGKILL");
}

int
main(int argc, char **argv)
{
	if (argc > 1) {
		if (strcmp(argv[1], "alone") == 0 && argc == 3)
			return mode_alone(argv);
		printf("unknown mode\n");
		return 100;
	}
	abi_init();
	spins = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (spins == MAP_FAILED) {
		printf("mmap failed\n");
		return 1;
	}
	test_exec_ends_other_threads();
	test_stop_stops_every_thread();
	return abi_done("threadgroup");
}
