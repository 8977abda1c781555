/*
 * A process's standing: capget/capset (versions, root's and nobody's
 * capabilities, raising refused), personality (query, set, inherited),
 * unshare and setns errors, and the mlock family's checks. Capability
 * masks print as single bits: the host may hold fewer than all.
 */
#include "abi.h"

#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define CAP_V1 0x19980330
#define CAP_V3 0x20080522
#define CAP_SYS_ADMIN 21
#define CAP_KILL 5
#define NOBODY 65534

struct cap_header {
	unsigned version;
	int pid;
};

struct cap_data {
	unsigned effective, permitted, inheritable;
};

static void
test_caps(void)
{
	struct cap_header h = { CAP_V3, 0 };
	struct cap_data d[2];
	memset(d, 0, sizeof(d));
	CHECK_OK("capget v3", syscall(SYS_capget, &h, d));
	CHECK("root: CAP_SYS_ADMIN effective",
	    d[0].effective & (1u << CAP_SYS_ADMIN));
	CHECK("root: CAP_KILL permitted", d[0].permitted & (1u << CAP_KILL));
	CHECK_EQ("root: inheritable", d[0].inheritable, 0);
	h.version = 0x1234;
	CHECK_ERR("bad version", syscall(SYS_capget, &h, d), EINVAL);
	CHECK_EQ("told v3", h.version, CAP_V3);
	h.version = 0x1234;
	CHECK_OK("bad version, no data: a probe", syscall(SYS_capget, &h,
	    NULL));
	CHECK_EQ("probe told v3", h.version, CAP_V3);
	h.version = CAP_V1;
	CHECK_OK("capget v1", syscall(SYS_capget, &h, d));
	h = (struct cap_header){ CAP_V3, -1 };
	CHECK_ERR("pid -1", syscall(SYS_capget, &h, d), EINVAL);
	pid_t gone = abi_fork();
	if (gone == 0)
		_exit(0);
	abi_wait(gone);
	h.pid = gone;
	CHECK_ERR("pid gone", syscall(SYS_capget, &h, d), ESRCH);
	CHECK_ERR("header bad address", syscall(SYS_capget, (void *)8, d),
	    EFAULT);
	h = (struct cap_header){ CAP_V3, 1 };
	CHECK_ERR("capset another process", syscall(SYS_capset, &h, d), EPERM);

	pid_t pid = abi_fork();
	if (pid == 0) {
		if (setuid(NOBODY) != 0)
			_exit(100);
		struct cap_header hh = { CAP_V3, 0 };
		struct cap_data dd[2];
		memset(dd, 0xff, sizeof(dd));
		int bad = syscall(SYS_capget, &hh, dd) != 0;
		bad |= (dd[0].effective || dd[0].permitted || dd[1].effective ||
		    dd[1].permitted) << 1;
		memset(dd, 0, sizeof(dd));
		bad |= (syscall(SYS_capset, &hh, dd) != 0) << 2;
		dd[0].permitted = dd[0].effective = 1u << CAP_KILL;
		errno = 0;
		bad |= (syscall(SYS_capset, &hh, dd) != -1 || errno != EPERM)
		    << 3;
		_exit(bad);
	}
	CHECK_STR("nobody: none, and may not raise",
	    status_str(abi_wait(pid)), "exited 0");
}

static void
test_personality(void)
{
	CHECK_EQ("query", syscall(SYS_personality, 0xffffffff), 0);
	CHECK_EQ("set ADDR_NO_RANDOMIZE", syscall(SYS_personality, 0x0040000),
	    0);
	CHECK_EQ("read back", syscall(SYS_personality, 0xffffffff), 0x0040000);
	pid_t pid = abi_fork();
	if (pid == 0)
		_exit(syscall(SYS_personality, 0xffffffff) == 0x0040000 ? 0 : 1);
	CHECK_STR("inherited", status_str(abi_wait(pid)), "exited 0");
	CHECK_EQ("set PER_LINUX", syscall(SYS_personality, 0), 0x0040000);
}

static void
test_namespaces(void)
{
	CHECK_OK("unshare 0", unshare(0));
	CHECK_OK("unshare CLONE_FILES", unshare(CLONE_FILES));
	CHECK_OK("unshare CLONE_FS", unshare(CLONE_FS));
	CHECK_ERR("unshare bad flag", unshare(0x1), EINVAL);
	pid_t pid = abi_fork();
	if (pid == 0) {
		if (setuid(NOBODY) != 0)
			_exit(100);
		errno = 0;
		int r = unshare(CLONE_NEWUTS);
		_exit(r == -1 && errno == EPERM ? 0 : 1);
	}
	CHECK_STR("nobody: CLONE_NEWUTS EPERM", status_str(abi_wait(pid)),
	    "exited 0");
	CHECK_ERR("setns bad fd", setns(999, 0), EBADF);
	CHECK_ERR("setns not a namespace", setns(1, 0), EINVAL);
}

static void
test_mlock(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK_OK("mlock", mlock(p, 2 * page));
	CHECK_OK("mlock unaligned", mlock(p + 10, 100));
	CHECK_OK("munlock", munlock(p, 2 * page));
	CHECK_OK("mlock2 ONFAULT", syscall(SYS_mlock2, p, page, 1));
	CHECK_ERR("mlock2 bad flags", syscall(SYS_mlock2, p, page, 2), EINVAL);
	munmap(p + page, page);
	CHECK_ERR("mlock over a hole", mlock(p, 3 * page), ENOMEM);
	CHECK_ERR("munlock over a hole", munlock(p, 3 * page), ENOMEM);
	CHECK_ERR("mlock unmapped", mlock((void *)page, page), ENOMEM);
	CHECK_OK("mlock length 0", mlock(p, 0));
	CHECK_OK("mlockall", mlockall(MCL_CURRENT));
	CHECK_OK("munlockall", munlockall());
	CHECK_ERR("mlockall 0", mlockall(0), EINVAL);
	CHECK_ERR("mlockall ONFAULT alone", mlockall(4), EINVAL);
	CHECK_ERR("mlockall bad flag", mlockall(8), EINVAL);
	munmap(p, 4 * page);
}

int
main(void)
{
	abi_init();
	test_caps();
	test_personality();
	test_namespaces();
	test_mlock();
	return abi_done("task");
}
