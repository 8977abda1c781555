/*
 * vfork and clone's exit signals: a vfork child that forks and then exits
 * (BusyBox timeout), two processes vforking at once in a loop,
 * clone(CLONE_VFORK | CLONE_THREAD) waiting for the new thread to exit, a
 * vfork parent killed by SIGKILL while it waits, and a CLONE_PARENT child
 * sending its parent the caller's exit signal rather than its own.
 */
#include "abi.h"

#include <sched.h>
#include <sys/syscall.h>

#define VFORK_ROUNDS 200

/* The vfork child forks a grandchild and exits before it is reaped. */
static void
test_vfork_child_forks(void)
{
	for (volatile int round = 0; round < 20; round++) {
		pid_t pid = vfork();
		if (pid == 0) {
			if (fork() == 0)
				_exit(0);
			_exit(7);
		}
		if (abi_wait(pid) != 7 << 8) {
			CHECK("vfork child forks, exits", 0);
			return;
		}
	}
	while (wait(NULL) > 0)
		;
	CHECK("vfork child forks, exits", 1);
}

/* Vforks in a loop, each child exiting at once; returns failures. */
static int
vfork_loop(void)
{
	volatile int bad = 0;

	for (int i = 0; i < VFORK_ROUNDS; i++) {
		pid_t pid = vfork();
		if (pid == 0)
			_exit(3);
		if (pid < 0 || abi_wait(pid) != 3 << 8)
			bad++;
	}
	return bad;
}

static void
test_vfork_race(void)
{
	pid_t other = fork();

	if (other == 0)
		_exit(vfork_loop() ? 1 : 0);
	int bad = vfork_loop();
	CHECK_STR("two processes vfork in a loop", status_str(abi_wait(other)),
	    "exited 0");
	CHECK_EQ("vfork loop failures", bad, 0);
}

static volatile int thread_ran;

static int
vfork_thread(void *arg)
{
	(void)arg;
	thread_ran = 1;
	return 0;
}

/* Linux lets CLONE_VFORK go with CLONE_THREAD: the caller waits for the
 * thread's exit. */
static void
test_vfork_thread(void)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
	    CLONE_THREAD | CLONE_VFORK;

	int tid = clone(vfork_thread, stack + sizeof(stack), flags, NULL);
	CHECK("clone(CLONE_VFORK | CLONE_THREAD) returns", tid > 0);
	CHECK_EQ("the thread ran before the caller went on", thread_ran, 1);
}

/* A vfork parent waits killably: SIGKILL ends it, the child lives on. */
static void
test_vfork_killable(void)
{
	int fds[2];
	pid_t child = 0;

	if (pipe(fds) == -1)
		return;
	pid_t parent = fork();
	if (parent == 0) {
		close(fds[0]);
		if (vfork() == 0) {
			pid_t self = getpid();
			if (write(fds[1], &self, sizeof(self)) < 0)
				_exit(1);
			for (;;)
				pause();
		}
		_exit(0);
	}
	close(fds[1]);
	CHECK_EQ("vfork child started",
	    read(fds[0], &child, sizeof(child)), sizeof(child));
	close(fds[0]);
	abi_sleep_ms(50);
	kill(parent, SIGKILL);
	CHECK_STR("vfork parent killed while waiting",
	    status_str(abi_wait(parent)), "killed by SIGKILL");
	if (child > 0)
		kill(child, SIGKILL);
}

static int
exit_now(void *arg)
{
	(void)arg;
	return 0;
}

/*
 * The middle process clones with CLONE_PARENT and exit signal SIGKILL:
 * the new process is our child, and its exit sends us the middle one's
 * exit signal (SIGCHLD), not SIGKILL.
 */
static void
test_clone_parent_signal(void)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	pid_t middle = fork();
	if (middle == 0) {
		int pid = clone(exit_now, stack + sizeof(stack),
		    CLONE_PARENT | SIGKILL, NULL);
		_exit(pid > 0 ? 0 : 1);
	}
	CHECK_STR("CLONE_PARENT caller", status_str(abi_wait(middle)),
	    "exited 0");
	/* The sibling exits (and signals) before or after that wait. */
	pid_t sibling = wait(NULL);
	CHECK("CLONE_PARENT child is ours to reap", sibling > 0);
	CHECK("we are alive after its exit", 1);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	sigprocmask(SIG_UNBLOCK, &chld, NULL);
}

int
main(void)
{
	abi_init();
	test_vfork_child_forks();
	test_vfork_race();
	test_vfork_thread();
	test_vfork_killable();
	test_clone_parent_signal();
	return abi_done("vfork");
}
