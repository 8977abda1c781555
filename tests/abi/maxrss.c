/*
 * getrusage's ru_maxrss: a process's own grows as it touches memory and
 * survives exec; RUSAGE_CHILDREN's is the most of a reaped child, not of
 * a zombie yet to be waited for, and a fork's child starts with none.
 */
#include "abi.h"

#include <sys/mman.h>
#include <sys/resource.h>

#define MIB (1024 * 1024)

static long
maxrss(int who)
{
	struct rusage ru;
	getrusage(who, &ru);
	return ru.ru_maxrss;
}

/* Touches mib MiB, then exits. */
static void
consume(int mib)
{
	char *p = mmap(NULL, (size_t)mib * MIB, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (size_t i = 0; i < (size_t)mib * MIB; i += 4096)
		p[i] = 1;
}

int
main(int argc, char **argv)
{
	if (argc == 2) {	/* the exec'd child: its own stays */
		long self = maxrss(RUSAGE_SELF);
		_exit(self >= 30 * 1024 ? 0 : 1);
	}
	abi_init();
	/* On Linux the maximum survives exec: a program started by a big
	 * process (the Python test runner) begins with that process's. */
	long before = maxrss(RUSAGE_SELF);
	consume((int)(before / 1024) + 16);
	CHECK("own grows by what it touched",
	    maxrss(RUSAGE_SELF) > before && maxrss(RUSAGE_SELF) >= 14 * 1024);
	CHECK_EQ("no child reaped yet", maxrss(RUSAGE_CHILDREN), 0);

	pid_t pid = abi_fork();
	if (pid == 0)
		_exit(maxrss(RUSAGE_CHILDREN) == 0 ? 0 : 1);
	CHECK_STR("a fork's child has no children's", status_str(abi_wait(pid)),
	    "exited 0");

	/* A child starts with this process's resident pages: it touches
	 * 32 MiB more than this process's most, so that its most is above
	 * every child's so far (each at most this process's). */
	long self = maxrss(RUSAGE_SELF);
	pid = abi_fork();
	if (pid == 0) {
		consume((int)(self / 1024) + 32);
		_exit(0);
	}
	siginfo_t si;
	waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT);
	long zombie = maxrss(RUSAGE_CHILDREN);
	CHECK("a zombie not yet waited for counts not",
	    zombie < self + 32 * 1024);
	abi_wait(pid);
	CHECK("the reaped child's counts",
	    maxrss(RUSAGE_CHILDREN) >= self + 32 * 1024);

	pid = abi_fork();
	if (pid == 0) {
		consume(32);
		execl("/proc/self/exe", argv[0], "exec", (char *)NULL);
		_exit(2);
	}
	CHECK_STR("own survives exec", status_str(abi_wait(pid)), "exited 0");
	return abi_done("maxrss");
}
