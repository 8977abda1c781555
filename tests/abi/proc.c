/*
 * Process identity: getpid/getppid/gettid relations across fork, the
 * user and group ids, uname fields, sessions and process groups, prctl
 * names, resource limits, getrandom, /proc/self/exe, and an orphan being
 * reparented when its parent exits.
 */
#include "abi.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

static void
test_ids(void)
{
	CHECK("getpid positive", getpid() > 0);
	CHECK("getppid positive", getppid() > 0);
	CHECK("getppid differs from getpid", getppid() != getpid());
	CHECK_EQ("gettid == getpid in main thread",
	    syscall(SYS_gettid) == getpid(), 1);
	CHECK_EQ("getpid stable", getpid() == getpid(), 1);
	CHECK_EQ("getuid == geteuid", getuid() == geteuid(), 1);
	CHECK_EQ("getgid == getegid", getgid() == getegid(), 1);

	uid_t r, e, s;
	gid_t gr, ge, gs;
	CHECK_OK("getresuid", getresuid(&r, &e, &s));
	CHECK_EQ("getresuid matches getuid", r == getuid() && e == geteuid(),
	    1);
	CHECK_OK("getresgid", getresgid(&gr, &ge, &gs));
	CHECK_EQ("getresgid matches getgid", gr == getgid() && ge == getegid(),
	    1);
	CHECK("getgroups count", getgroups(0, NULL) >= 0);
}

static void
test_uname(void)
{
	struct utsname u;

	CHECK_OK("uname", uname(&u));
	CHECK("uname sysname present", u.sysname[0] != '\0');
	CHECK("uname nodename terminated",
	    memchr(u.nodename, '\0', sizeof(u.nodename)) != NULL);
	CHECK("uname release present", u.release[0] != '\0');
	CHECK("uname version present", u.version[0] != '\0');
	CHECK_STR("uname machine", u.machine, "x86_64");
}

static void
test_fork_ids(void)
{
	int fds[2];
	pid_t parent = getpid();

	if (pipe(fds) == -1)
		return;
	pid_t pid = abi_fork();
	if (pid == 0) {
		/* Report through the exit status: bit per fact. */
		int bits = 0;
		pid_t seen[2] = { getpid(), getppid() };
		if (getppid() == parent)
			bits |= 1;
		if (getpid() != parent)
			bits |= 2;
		if (syscall(SYS_gettid) == getpid())
			bits |= 4;
		write(fds[1], seen, sizeof(seen));
		_exit(bits);
	}
	close(fds[1]);
	pid_t seen[2] = { 0, 0 };
	CHECK_EQ("child pid report size", read(fds[0], seen, sizeof(seen)),
	    sizeof(seen));
	close(fds[0]);
	CHECK_EQ("fork returned child's getpid", seen[0] == pid, 1);
	CHECK_EQ("child's getppid is parent", seen[1] == parent, 1);
	int status = abi_wait(pid);
	CHECK_STR("child facts status", status_str(status), "exited 7");
}

static void
test_groups_and_sessions(void)
{
	CHECK_EQ("getpgid(0) == getpgrp", getpgid(0) == getpgrp(), 1);
	CHECK_EQ("getsid(0) positive", getsid(0) > 0, 1);

	pid_t pid = abi_fork();
	if (pid == 0) {
		int bits = 0;
		if (getpgrp() == getpgid(getppid()))
			bits |= 1; /* inherited process group */
		if (setsid() == getpid())
			bits |= 2;
		if (getsid(0) == getpid() && getpgrp() == getpid())
			bits |= 4;
		if (setsid() == -1 && errno == EPERM)
			bits |= 8; /* already a group leader */
		_exit(bits);
	}
	CHECK_STR("setsid in child", status_str(abi_wait(pid)), "exited 15");

	pid = abi_fork();
	if (pid == 0) {
		int bits = 0;
		if (setpgid(0, 0) == 0 && getpgrp() == getpid())
			bits |= 1;
		_exit(bits);
	}
	CHECK_STR("setpgid in child", status_str(abi_wait(pid)), "exited 1");
	CHECK_ERR("getpgid of no such process", getpgid(-5), ESRCH);
}

static void
test_prctl_rlimit_random(void)
{
	char name[32] = "";

	CHECK_OK("prctl PR_SET_NAME", prctl(PR_SET_NAME, "abi-proc-test"));
	CHECK_OK("prctl PR_GET_NAME", prctl(PR_GET_NAME, name));
	/* The kernel keeps 15 bytes and a NUL. */
	CHECK_STR("prctl name", name, "abi-proc-test");
	CHECK_OK("prctl PR_SET_NAME long", prctl(PR_SET_NAME,
	    "a-name-longer-than-sixteen-bytes"));
	prctl(PR_GET_NAME, name);
	CHECK_STR("prctl long name truncated", name, "a-name-longer-t");

	struct rlimit rl;
	CHECK_OK("getrlimit RLIMIT_NOFILE", getrlimit(RLIMIT_NOFILE, &rl));
	CHECK("RLIMIT_NOFILE cur <= max", rl.rlim_cur <= rl.rlim_max);
	CHECK("RLIMIT_NOFILE cur >= 64", rl.rlim_cur >= 64);
	CHECK_OK("getrlimit RLIMIT_STACK", getrlimit(RLIMIT_STACK, &rl));
	CHECK("RLIMIT_STACK nonzero", rl.rlim_cur > 0);

	unsigned char buf[64];
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("getrandom 64 bytes", getrandom(buf, sizeof(buf), 0), 64);
	int nonzero = 0;
	for (size_t i = 0; i < sizeof(buf); i++)
		nonzero += buf[i] != 0;
	CHECK("getrandom not all zero", nonzero > 0);
	CHECK_EQ("sched_yield", sched_yield(), 0);
}

static void
test_proc_self(void)
{
	char path[256];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

	CHECK("readlink /proc/self/exe", n > 0);
	if (n <= 0)
		return;
	path[n] = '\0';
	CHECK("/proc/self/exe is absolute", path[0] == '/');
	const char *base = strrchr(path, '/') + 1;
	CHECK_STR("/proc/self/exe basename", base, "proc");

	int fd = open("/proc/self/exe", O_RDONLY);
	char magic[4] = "";
	CHECK_EQ("read /proc/self/exe ELF magic", read(fd, magic, 4), 4);
	CHECK("ELF magic matches", memcmp(magic, "\177ELF", 4) == 0);
	close(fd);
}

/* A grandchild whose parent exits is adopted; its getppid changes. */
static void
test_orphan(void)
{
	int fds[2];

	if (pipe(fds) == -1)
		return;
	pid_t middle = abi_fork();
	if (middle == 0) {
		pid_t first = getpid();
		pid_t grandchild = fork();
		if (grandchild == 0) {
			alarm(ABI_WATCHDOG);
			/* Wait until the middle process has gone. */
			while (getppid() == first)
				abi_sleep_ms(1);
			char answer = getppid() != first ? 'y' : 'n';
			write(fds[1], &answer, 1);
			_exit(0);
		}
		_exit(0);
	}
	close(fds[1]);
	CHECK_STR("middle process", status_str(abi_wait(middle)), "exited 0");
	char answer = '?';
	CHECK_EQ("orphan report", read(fds[0], &answer, 1), 1);
	CHECK("orphan reparented", answer == 'y');
	close(fds[0]);
}

/*
 * setreuid and setregid move the saved id along (root that gives up its
 * ids with them cannot take them back, which LTP mount03's set-user-ID
 * child relies on); run as root, in a child.
 */
static void
test_setre_saved(void)
{
	if (getuid() != 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		unsigned r, e, s;
		if (setregid(65534, 65534) < 0 || setreuid(65534, 65534) < 0)
			_exit(2);
		getresuid(&r, &e, &s);
		if (s != 65534)
			_exit(3);
		getresgid(&r, &e, &s);
		if (s != 65534)
			_exit(4);
		_exit(setreuid(65534, 0) < 0 && errno == EPERM ? 0 : 5);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK_STR("setreuid: the saved uid follows", status_str(status),
		  "exited 0");
}

int
main(void)
{
	abi_init();
	test_ids();
	test_uname();
	test_fork_ids();
	test_groups_and_sessions();
	test_prctl_rlimit_random();
	test_proc_self();
	test_orphan();
	test_setre_saved();
	return abi_done("proc");
}
