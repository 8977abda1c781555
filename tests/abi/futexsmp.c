/*
 * futex(2) between threads on two CPUs (the guest has 2 vCPUs: the line
 * below), with private FUTEX_WAIT and FUTEX_WAKE, which Petrel runs
 * without the big lock: a ping-pong of 20,000 turns between two threads
 * the scheduler places, then 300 with the threads pinned to CPUs 0 and 1
 * (a lost wake-up hangs it, and the watchdog's SIGALRM fails the test;
 * pinned turns are few because each wakes a halted vCPU, which under
 * single-threaded TCG took about 20 ms a turn), a wake that finds its
 * waiter asleep on the
 * other CPU, bitset wakes, EAGAIN on a changed word, ETIMEDOUT, EINTR
 * when a handler runs for a signal sent to a waiter on the other CPU,
 * and SIGKILL ending a process whose threads are all waiting.
 */
/* abi: smp 2 */
#include "abi.h"

#include <pthread.h>
#include <stdbool.h>
#include <sys/syscall.h>

/* From <linux/futex.h>. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define PRIV(op) ((op) | FUTEX_PRIVATE_FLAG)

#define TURNS 20000
#define PINNED_TURNS 300

static long
futex(int *uaddr, int op, int val, const struct timespec *timeout, int val3)
{
	return syscall(SYS_futex, uaddr, op, val, timeout, NULL, val3);
}

/* ---- Ping-pong: turn is whose go it is (0 main, 1 partner) ---------- */

static int turn;

static void
wait_turn(int mine)
{
	int seen;
	while ((seen = __atomic_load_n(&turn, __ATOMIC_ACQUIRE)) != mine)
		futex(&turn, PRIV(FUTEX_WAIT), seen, NULL, 0);
}

static void
pass_turn(int to)
{
	__atomic_store_n(&turn, to, __ATOMIC_RELEASE);
	futex(&turn, PRIV(FUTEX_WAKE), 1, NULL, 0);
}

static int turns;	/* this round's */
static bool pinned;

static void *
partner(void *arg)
{
	(void)arg;
	if (pinned)
		abi_pin(1);
	for (int i = 0; i < turns; i++) {
		wait_turn(1);
		pass_turn(0);
	}
	return NULL;
}

static void
ping_pong(int n, bool pin_them)
{
	pthread_t t;
	turns = n;
	pinned = pin_them;
	turn = 0;
	if (pinned)
		abi_pin(0);
	CHECK_EQ("partner thread", pthread_create(&t, NULL, partner, NULL), 0);
	for (int i = 0; i < turns; i++) {
		pass_turn(1);
		wait_turn(0);
	}
	pthread_join(t, NULL);
}

static void
test_ping_pong(void)
{
	ping_pong(TURNS, false);
	CHECK("20000 turns handed back and forth", 1);
	ping_pong(PINNED_TURNS, true);
	CHECK("300 turns between CPU 0 and CPU 1", 1);
}

/* ---- One waiter on CPU 1, woken or interrupted from CPU 0 ----------- */

static int word;
static int bitset;		/* the waiter's FUTEX_WAIT_BITSET mask, 0: plain */
static long wait_result;
static int wait_errno;
static int waiter_done;

static void *
waiter(void *arg)
{
	(void)arg;
	abi_pin(1);
	if (bitset)
		wait_result = futex(&word, PRIV(FUTEX_WAIT_BITSET), 0, NULL,
		    bitset);
	else
		wait_result = futex(&word, PRIV(FUTEX_WAIT), 0, NULL, 0);
	wait_errno = errno;
	__atomic_store_n(&waiter_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void
start_waiter(pthread_t *t, int mask)
{
	word = 0;
	bitset = mask;
	waiter_done = 0;
	pthread_create(t, NULL, waiter, NULL);
}

/* Wakes with op and mask until a wake finds the waiter asleep. */
static long
wake_until_found(int op, int mask)
{
	long r;
	for (int i = 0; i < 5000; i++) {
		if ((r = futex(&word, PRIV(op), 1, NULL, mask)) != 0)
			return r;
		usleep(1000);
	}
	return 0;
}

static void
test_wake_other_cpu(void)
{
	pthread_t t;
	start_waiter(&t, 0);
	CHECK_EQ("WAKE finds the waiter asleep on the other CPU",
	    wake_until_found(FUTEX_WAKE, 0), 1);
	pthread_join(t, NULL);
	CHECK_EQ("the waiter's WAIT returns 0", wait_result, 0);

	start_waiter(&t, 0x2);
	usleep(20000);
	CHECK_EQ("WAKE_BITSET of other bits wakes nobody",
	    futex(&word, PRIV(FUTEX_WAKE_BITSET), 1, NULL, 0x1), 0);
	CHECK_EQ("WAKE_BITSET of its bit wakes it",
	    wake_until_found(FUTEX_WAKE_BITSET, 0x2), 1);
	pthread_join(t, NULL);
	CHECK_EQ("the waiter's WAIT_BITSET returns 0", wait_result, 0);
}

static void
on_usr1(int sig)
{
	(void)sig;
}

static void
test_eintr_other_cpu(void)
{
	struct sigaction sa;
	pthread_t t;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;	/* no SA_RESTART */
	sigaction(SIGUSR1, &sa, NULL);
	start_waiter(&t, 0);
	/* A signal that comes before the wait only runs the handler: send
	 * again until the waiter is out. */
	for (int i = 0; i < 500 && !__atomic_load_n(&waiter_done,
	    __ATOMIC_ACQUIRE); i++) {
		pthread_kill(t, SIGUSR1);
		usleep(20000);
	}
	pthread_join(t, NULL);
	CHECK_SAVED_ERR("WAIT on the other CPU interrupted by a handler",
	    wait_result, wait_errno, EINTR);
	signal(SIGUSR1, SIG_DFL);
}

static void
test_errors(void)
{
	struct timespec ts = { 0, 20000000 };
	word = 3;
	CHECK_ERR("WAIT on a changed word", futex(&word, PRIV(FUTEX_WAIT), 2,
	    NULL, 0), EAGAIN);
	CHECK_ERR("WAIT_BITSET on a changed word",
	    futex(&word, PRIV(FUTEX_WAIT_BITSET), 2, NULL, 1), EAGAIN);
	CHECK_ERR("WAIT 20 ms times out", futex(&word, PRIV(FUTEX_WAIT), 3,
	    &ts, 0), ETIMEDOUT);
	CHECK_EQ("WAKE with nobody waiting", futex(&word, PRIV(FUTEX_WAKE), 1,
	    NULL, 0), 0);
}

/* ---- SIGKILL: a process whose two threads wait on CPUs 0 and 1 ------ */

static int ready_pipe[2];

static void *
killed_waiter(void *arg)
{
	(void)arg;
	abi_pin(1);
	if (write(ready_pipe[1], "t", 1) != 1)
		_exit(2);
	for (;;)
		futex(&word, PRIV(FUTEX_WAIT), 0, NULL, 0);
	return NULL;
}

static void
test_sigkill(void)
{
	char buf[2];
	int status;

	if (pipe(ready_pipe) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		pthread_t t;
		word = 0;
		abi_pin(0);
		pthread_create(&t, NULL, killed_waiter, NULL);
		if (write(ready_pipe[1], "m", 1) != 1)
			_exit(2);
		for (;;)
			futex(&word, PRIV(FUTEX_WAIT), 0, NULL, 0);
	}
	CHECK_EQ("both threads about to wait",
	    read(ready_pipe[0], buf, 1) + read(ready_pipe[0], buf + 1, 1), 2);
	usleep(100000);
	kill(pid, SIGKILL);
	CHECK("waitpid", waitpid(pid, &status, 0) == pid);
	CHECK("SIGKILL ended the waiting process",
	    WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	close(ready_pipe[0]);
	close(ready_pipe[1]);
}

int
main(void)
{
	abi_init();
	test_errors();
	test_ping_pong();
	test_wake_other_cpu();
	test_eintr_other_cpu();
	test_sigkill();
	return abi_done("futexsmp");
}
