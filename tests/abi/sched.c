/*
 * Scheduling attributes: getpriority/setpriority (clamping, per thread,
 * process groups, fork, /proc/PID/stat, the unprivileged rules with
 * RLIMIT_NICE 0; raising it needs CAP_SYS_RESOURCE, which a container
 * may lack), the sched_* policy calls and their errors, affinity masks
 * and getcpu. Runs as root; the unprivileged checks run as nobody in a
 * child. Nice values are set before they are read, so the caller's own
 * nice does not matter.
 */
#include "abi.h"

#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>

#define NOBODY 65534

/* getpriority's raw value, 20 - nice (the C library turns it back). */
static long
raw_getprio(int which, int who)
{
	return syscall(SYS_getpriority, which, who);
}

/* Field n (1-based) of /proc/self/stat, after the command name. */
static long
stat_field(int n)
{
	char buf[1024];
	int fd = open("/proc/self/stat", O_RDONLY);
	ssize_t len = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	if (len <= 0)
		return -1000;
	buf[len] = 0;
	char *p = strrchr(buf, ')');
	if (!p)
		return -1000;
	/* p + 2 is field 3 */
	p += 2;
	for (int f = 3; f < n; f++) {
		p = strchr(p, ' ');
		if (!p)
			return -1000;
		p++;
	}
	return strtol(p, NULL, 10);
}

static void *
thread_nice(void *arg)
{
	volatile int *state = arg;
	state[0] = (int)syscall(SYS_gettid);
	while (state[1] == 0)
		sched_yield();
	errno = 0;
	state[2] = getpriority(PRIO_PROCESS, 0);
	return NULL;
}

static void
test_priority(void)
{
	CHECK_OK("setpriority self 0", setpriority(PRIO_PROCESS, 0, 0));
	CHECK_EQ("getpriority self", getpriority(PRIO_PROCESS, 0), 0);
	CHECK_EQ("raw getpriority is 20 - nice", raw_getprio(PRIO_PROCESS, 0),
	    20);
	CHECK_OK("setpriority 5", setpriority(PRIO_PROCESS, 0, 5));
	CHECK_EQ("getpriority 5", getpriority(PRIO_PROCESS, getpid()), 5);
	CHECK_EQ("/proc/self/stat priority", stat_field(18), 25);
	CHECK_EQ("/proc/self/stat nice", stat_field(19), 5);
	CHECK_OK("setpriority 100 clamps", setpriority(PRIO_PROCESS, 0, 100));
	CHECK_EQ("getpriority clamped", getpriority(PRIO_PROCESS, 0), 19);
	CHECK_OK("setpriority -100 clamps", setpriority(PRIO_PROCESS, 0, -100));
	CHECK_EQ("getpriority clamped low", getpriority(PRIO_PROCESS, 0), -20);
	CHECK_OK("setpriority back to 0", setpriority(PRIO_PROCESS, 0, 0));
	CHECK_ERR("setpriority which 3", setpriority(3, 0, 0), EINVAL);
	CHECK_ERR("getpriority which -1", raw_getprio(-1, 0), EINVAL);

	pid_t gone = abi_fork();
	if (gone == 0)
		_exit(0);
	abi_wait(gone);
	CHECK_ERR("getpriority of no process", raw_getprio(PRIO_PROCESS, gone),
	    ESRCH);
	CHECK_ERR("setpriority of no process",
	    setpriority(PRIO_PROCESS, gone, 1), ESRCH);

	/* Another thread's nice is its own. */
	pthread_t th;
	volatile int state[3] = { 0, 0, -100 };
	pthread_create(&th, NULL, thread_nice, (void *)state);
	while (state[0] == 0)
		sched_yield();
	CHECK_OK("setpriority of a thread",
	    setpriority(PRIO_PROCESS, state[0], 7));
	state[1] = 1;
	pthread_join(th, NULL);
	CHECK_EQ("the thread sees its nice", state[2], 7);
	CHECK_EQ("the caller's nice unchanged", getpriority(PRIO_PROCESS, 0),
	    0);

	/* A child inherits; a process group is set as one. */
	setpriority(PRIO_PROCESS, 0, 3);
	pid_t pid = abi_fork();
	if (pid == 0) {
		int ok = getpriority(PRIO_PROCESS, 0) == 3;
		setpgid(0, 0);
		ok &= setpriority(PRIO_PGRP, 0, 6) == 0;
		ok &= getpriority(PRIO_PGRP, 0) == 6;
		ok &= getpriority(PRIO_PGRP, getpid()) == 6;
		_exit(ok ? 0 : 1);
	}
	CHECK_STR("fork inherits nice; PRIO_PGRP", status_str(abi_wait(pid)),
	    "exited 0");
	setpriority(PRIO_PROCESS, 0, 0);
}

/* As nobody: raise freely, lower within RLIMIT_NICE, others' not at all. */
static int
unprivileged_priority(pid_t root_pid)
{
	int bad = 0;
	if (setuid(NOBODY) != 0)
		return 100;
	bad |= setpriority(PRIO_PROCESS, 0, 10) != 0;
	errno = 0;
	bad |= (setpriority(PRIO_PROCESS, 0, 5) != -1 || errno != EACCES) << 1;
	errno = 0;
	bad |= (setpriority(PRIO_PROCESS, root_pid, 10) != -1 ||
	    errno != EPERM) << 2;
	errno = 0;
	bad |= (setpriority(PRIO_PROCESS, 0, -10) != -1 ||
	    errno != EACCES) << 3;
	return bad;
}

static void
test_priority_unprivileged(void)
{
	pid_t self = getpid();
	pid_t pid = abi_fork();
	if (pid == 0) {
		struct rlimit none = { 0, 0 };
		setpriority(PRIO_PROCESS, 0, 0);
		setrlimit(RLIMIT_NICE, &none);
		_exit(unprivileged_priority(self));
	}
	CHECK_STR("nobody: raise, EACCES to lower, EPERM for root's",
	    status_str(abi_wait(pid)), "exited 0");
}

static int
sched_set(pid_t pid, int policy, int prio)
{
	struct sched_param p = { .sched_priority = prio };
	return (int)syscall(SYS_sched_setscheduler, pid, policy, &p);
}

static void
test_policy(void)
{
	struct sched_param p;

	CHECK_EQ("max FIFO", sched_get_priority_max(SCHED_FIFO), 99);
	CHECK_EQ("min FIFO", sched_get_priority_min(SCHED_FIFO), 1);
	CHECK_EQ("max RR", sched_get_priority_max(SCHED_RR), 99);
	CHECK_EQ("max OTHER", sched_get_priority_max(SCHED_OTHER), 0);
	CHECK_EQ("min BATCH", sched_get_priority_min(SCHED_BATCH), 0);
	CHECK_EQ("max IDLE", sched_get_priority_max(SCHED_IDLE), 0);
	CHECK_ERR("max of policy 42", sched_get_priority_max(42), EINVAL);
	CHECK_ERR("min of policy -1", sched_get_priority_min(-1), EINVAL);

	pid_t pid = abi_fork();
	if (pid == 0) {
		/* In a child: the policies below must not outlive the test. */
		int bad = sched_set(0, SCHED_OTHER, 0) != 0;
		bad |= (syscall(SYS_sched_getscheduler, 0) != SCHED_OTHER) << 1;
		bad |= (sched_set(0, SCHED_BATCH, 0) != 0) << 2;
		bad |= (syscall(SYS_sched_getscheduler, 0) != SCHED_BATCH) << 3;
		bad |= (sched_set(0, SCHED_IDLE, 0) != 0) << 4;
		bad |= (syscall(SYS_sched_getscheduler, getpid()) !=
		    SCHED_IDLE) << 5;
		bad |= (sched_set(0, SCHED_OTHER | SCHED_RESET_ON_FORK, 0) !=
		    0) << 6;
		bad |= (syscall(SYS_sched_getscheduler, 0) !=
		    (SCHED_OTHER | SCHED_RESET_ON_FORK)) << 7;
		_exit(bad);
	}
	CHECK_STR("OTHER, BATCH, IDLE, RESET_ON_FORK", status_str(abi_wait(pid)),
	    "exited 0");

	CHECK_ERR("OTHER with priority 1", sched_set(0, SCHED_OTHER, 1),
	    EINVAL);
	CHECK_ERR("FIFO with priority 0", sched_set(0, SCHED_FIFO, 0), EINVAL);
	CHECK_ERR("RR with priority 100", sched_set(0, SCHED_RR, 100), EINVAL);
	CHECK_ERR("FIFO with priority -1", sched_set(0, SCHED_FIFO, -1),
	    EINVAL);
	CHECK_ERR("policy 4", sched_set(0, 4, 0), EINVAL);
	CHECK_ERR("policy 7", sched_set(0, 7, 0), EINVAL);
	CHECK_ERR("DEADLINE", sched_set(0, 6, 0), EINVAL);
	CHECK_ERR("policy -1", sched_set(0, -1, 0), EINVAL);
	CHECK_ERR("pid -1", sched_set(-1, SCHED_OTHER, 0), EINVAL);
	CHECK_ERR("param NULL",
	    syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL), EINVAL);
	CHECK_ERR("param bad address",
	    syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, (void *)8), EFAULT);
	CHECK_ERR("getscheduler pid -1", syscall(SYS_sched_getscheduler, -1),
	    EINVAL);
	CHECK_ERR("getparam NULL", syscall(SYS_sched_getparam, 0, NULL),
	    EINVAL);
	CHECK_OK("getparam", syscall(SYS_sched_getparam, 0, &p));
	CHECK_EQ("getparam priority", p.sched_priority, 0);
	p.sched_priority = 0;
	CHECK_OK("setparam 0", syscall(SYS_sched_setparam, 0, &p));
	p.sched_priority = 5;
	CHECK_ERR("setparam 5 under OTHER", syscall(SYS_sched_setparam, 0, &p),
	    EINVAL);

	pid_t gone = abi_fork();
	if (gone == 0)
		_exit(0);
	abi_wait(gone);
	CHECK_ERR("getscheduler of no process",
	    syscall(SYS_sched_getscheduler, gone), ESRCH);
	CHECK_ERR("setscheduler of no process",
	    sched_set(gone, SCHED_OTHER, 0), ESRCH);

	struct timespec ts;
	CHECK_OK("rr_get_interval", sched_rr_get_interval(0, &ts));
	CHECK("interval sane", ts.tv_sec >= 0 && ts.tv_nsec >= 0);
	CHECK_ERR("rr_get_interval pid -1", sched_rr_get_interval(-1, &ts),
	    EINVAL);

	pid = abi_fork();
	if (pid == 0) {
		struct rlimit none = { 0, 0 };
		setrlimit(RLIMIT_RTPRIO, &none);
		if (setuid(NOBODY) != 0)
			_exit(100);
		errno = 0;
		int bad = sched_set(0, SCHED_FIFO, 10) != -1 || errno != EPERM;
		errno = 0;
		bad |= (sched_set(0, SCHED_RR, 1) != -1 || errno != EPERM) << 1;
		bad |= (sched_set(0, SCHED_BATCH, 0) != 0) << 2;
		bad |= (sched_set(0, SCHED_OTHER | SCHED_RESET_ON_FORK, 0) !=
		    0) << 3;
		errno = 0;
		bad |= (sched_set(0, SCHED_OTHER, 0) != -1 ||
		    errno != EPERM) << 4;
		errno = 0;
		bad |= (sched_set(1, SCHED_OTHER, 0) != -1 ||
		    errno != EPERM) << 5;
		_exit(bad);
	}
	CHECK_STR("nobody: FIFO/RR EPERM, no clearing RESET_ON_FORK",
	    status_str(abi_wait(pid)), "exited 0");
}

static void
test_affinity(void)
{
	cpu_set_t set;
	long r;

	CPU_ZERO(&set);
	r = syscall(SYS_sched_getaffinity, 0, sizeof(long), &set);
	CHECK_EQ("getaffinity returns a long's bytes", r, sizeof(long));
	CHECK("CPU 0 allowed", CPU_ISSET(0, &set));
	CHECK_ERR("getaffinity len 4", syscall(SYS_sched_getaffinity, 0, 4,
	    &set), EINVAL);
	CHECK_ERR("getaffinity len 12", syscall(SYS_sched_getaffinity, 0, 12,
	    &set), EINVAL);
	CHECK_ERR("getaffinity pid -1", syscall(SYS_sched_getaffinity, -1, 8,
	    &set), ESRCH);
	CHECK_ERR("getaffinity bad address",
	    syscall(SYS_sched_getaffinity, 0, 8, (void *)8), EFAULT);

	pid_t pid = abi_fork();
	if (pid == 0) {
		cpu_set_t one, got;
		CPU_ZERO(&one);
		CPU_SET(0, &one);
		int bad = sched_setaffinity(0, sizeof(one), &one) != 0;
		CPU_ZERO(&got);
		bad |= (sched_getaffinity(0, sizeof(got), &got) != 0) << 1;
		bad |= (CPU_COUNT(&got) != 1 || !CPU_ISSET(0, &got)) << 2;
		unsigned cpu = 99;
		bad |= (syscall(SYS_getcpu, &cpu, NULL, NULL) != 0) << 3;
		bad |= (cpu != 0) << 4;
		_exit(bad);
	}
	CHECK_STR("setaffinity to CPU 0", status_str(abi_wait(pid)), "exited 0");

	CPU_ZERO(&set);
	CHECK_ERR("setaffinity empty", sched_setaffinity(0, sizeof(set), &set),
	    EINVAL);
	unsigned long far = 1ul << 63;
	CHECK_ERR("setaffinity to CPU 63 only",
	    syscall(SYS_sched_setaffinity, 0, sizeof(far), &far), EINVAL);
	CHECK_ERR("setaffinity bad address",
	    syscall(SYS_sched_setaffinity, 0, 8, (void *)8), EFAULT);

	pid = abi_fork();
	if (pid == 0) {
		if (setuid(NOBODY) != 0)
			_exit(100);
		cpu_set_t s;
		CPU_ZERO(&s);
		CPU_SET(0, &s);
		errno = 0;
		int r = sched_setaffinity(1, sizeof(s), &s);
		_exit(r == -1 && errno == EPERM ? 0 : 1);
	}
	CHECK_STR("nobody: setaffinity of init EPERM", status_str(abi_wait(pid)),
	    "exited 0");

	unsigned cpu = 999, node = 999;
	CHECK_OK("getcpu", syscall(SYS_getcpu, &cpu, &node, NULL));
	CHECK("getcpu CPU in range", cpu < (unsigned)sysconf(_SC_NPROCESSORS_CONF));
	CHECK_EQ("getcpu node", node, 0);
	CHECK_OK("getcpu with NULLs", syscall(SYS_getcpu, NULL, NULL, NULL));
	CHECK_ERR("getcpu bad address", syscall(SYS_getcpu, (void *)8, NULL,
	    NULL), EFAULT);
}

int
main(void)
{
	abi_init();
	test_priority();
	test_priority_unprivileged();
	test_policy();
	test_affinity();
	return abi_done("sched");
}
