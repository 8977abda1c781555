/*
 * prctl's less common options, against Linux's answers: PR_GET_AUXV,
 * PR_GET_TID_ADDRESS, PR_SET/GET_THP_DISABLE (kept across fork),
 * PR_MCE_KILL(_GET), PR_SET/GET_IO_FLUSHER, PR_SET/GET_TIMING, the
 * speculation controls' argument checks, and PR_SET_MM: the argument and
 * environment addresses /proc/self/cmdline then reads, Linux's order and
 * range checks, EPERM without CAP_SYS_RESOURCE. The host's container may
 * lack CAP_SYS_RESOURCE, so what needs it runs only where the program has
 * it (in Petrel, as root) and prints nothing unless it fails; then the
 * program drops it and both sides check EPERM.
 */
#include "abi.h"

#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

/* A check that prints only when it fails (where only one side runs it). */
#define QUIET(what, cond)                                                  \
	do {                                                               \
		if (!(cond))                                               \
			CHECK(what, 0);                                    \
	} while (0)
#define QUIET_ERR(what, expr, want)                                        \
	do {                                                               \
		errno = 0;                                                 \
		long r_ = (long)(expr);                                    \
		QUIET(what, r_ == -1 && errno == (want));                  \
	} while (0)

/* capget and capset's structures, version 3 (musl has no header). */
struct cap_header {
	unsigned version;
	int pid;
};
struct cap_data {
	unsigned effective, permitted, inheritable;
};
#define CAP_V3 0x20080522
#define CAP_SYS_RESOURCE 24

static struct cap_header cap_head = { CAP_V3, 0 };

static int
has_cap(int cap)
{
	struct cap_data d[2];
	if (syscall(SYS_capget, &cap_head, d) < 0)
		return 0;
	return (d[cap / 32].effective >> (cap % 32)) & 1;
}

static void
drop_cap(int cap)
{
	struct cap_data d[2];
	syscall(SYS_capget, &cap_head, d);
	d[cap / 32].effective &= ~(1u << (cap % 32));
	syscall(SYS_capset, &cap_head, d);
}

#ifndef PR_GET_AUXV
#define PR_GET_AUXV 0x41555856
#endif
#ifndef PR_SET_IO_FLUSHER
#define PR_SET_IO_FLUSHER 57
#define PR_GET_IO_FLUSHER 58
#endif

static void
check_auxv(void)
{
	unsigned long v[128];
	memset(v, 0xff, sizeof(v));
	long n = prctl(PR_GET_AUXV, v, sizeof(v), 0, 0);
	CHECK("PR_GET_AUXV: its size", n > 0 && n <= (long)sizeof(v));
	int found = 0;
	for (long i = 0; i + 1 < n / 8; i += 2)
		if (v[i] == AT_PAGESZ && v[i + 1] == getauxval(AT_PAGESZ))
			found = 1;
	CHECK("PR_GET_AUXV: AT_PAGESZ as getauxval", found);
	CHECK("PR_GET_AUXV of 0 bytes: the size", prctl(PR_GET_AUXV, 0, 0, 0, 0) == n);
	CHECK_ERR("PR_GET_AUXV with arg4", prctl(PR_GET_AUXV, v, sizeof(v), 1, 0),
		  EINVAL);
	CHECK_ERR("PR_GET_AUXV to a bad address", prctl(PR_GET_AUXV, 8, 16, 0, 0),
		  EFAULT);
}

static void
check_flags(void)
{
	int x;
	int *got = NULL;
	syscall(SYS_set_tid_address, &x);
	CHECK_EQ("PR_GET_TID_ADDRESS", prctl(PR_GET_TID_ADDRESS, &got, 0, 0, 0), 0);
	CHECK("it is set_tid_address's", got == &x);

	CHECK_EQ("PR_GET_THP_DISABLE", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0), 0);
	CHECK_EQ("PR_SET_THP_DISABLE 1", prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0), 0);
	CHECK_EQ("PR_GET_THP_DISABLE after", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0), 1);
	CHECK_ERR("PR_SET_THP_DISABLE with arg3",
		  prctl(PR_SET_THP_DISABLE, 1, 1, 0, 0), EINVAL);
	CHECK_ERR("PR_GET_THP_DISABLE with arg2",
		  prctl(PR_GET_THP_DISABLE, 1, 0, 0, 0), EINVAL);
	pid_t pid = fork();
	if (pid == 0)
		_exit(prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
	int status;
	waitpid(pid, &status, 0);
	CHECK_EQ("a child's PR_GET_THP_DISABLE", WEXITSTATUS(status), 1);
	prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0);

	CHECK_EQ("PR_MCE_KILL_GET: the default", prctl(PR_MCE_KILL_GET, 0, 0, 0, 0),
		 PR_MCE_KILL_DEFAULT);
	CHECK_EQ("PR_MCE_KILL early", prctl(PR_MCE_KILL, PR_MCE_KILL_SET,
		 PR_MCE_KILL_EARLY, 0, 0), 0);
	CHECK_EQ("PR_MCE_KILL_GET: early", prctl(PR_MCE_KILL_GET, 0, 0, 0, 0),
		 PR_MCE_KILL_EARLY);
	prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_LATE, 0, 0);
	CHECK_EQ("PR_MCE_KILL_GET: late", prctl(PR_MCE_KILL_GET, 0, 0, 0, 0),
		 PR_MCE_KILL_LATE);
	CHECK_EQ("PR_MCE_KILL clear", prctl(PR_MCE_KILL, PR_MCE_KILL_CLEAR, 0, 0, 0), 0);
	CHECK_EQ("PR_MCE_KILL_GET: the default again",
		 prctl(PR_MCE_KILL_GET, 0, 0, 0, 0), PR_MCE_KILL_DEFAULT);
	CHECK_ERR("PR_MCE_KILL set 7", prctl(PR_MCE_KILL, PR_MCE_KILL_SET, 7, 0, 0),
		  EINVAL);
	CHECK_ERR("PR_MCE_KILL clear with arg3",
		  prctl(PR_MCE_KILL, PR_MCE_KILL_CLEAR, 1, 0, 0), EINVAL);
	CHECK_ERR("PR_MCE_KILL 9", prctl(PR_MCE_KILL, 9, 0, 0, 0), EINVAL);
	CHECK_ERR("PR_MCE_KILL with arg4",
		  prctl(PR_MCE_KILL, PR_MCE_KILL_CLEAR, 0, 1, 0), EINVAL);

	CHECK_EQ("PR_GET_TIMING", prctl(PR_GET_TIMING, 0, 0, 0, 0), PR_TIMING_STATISTICAL);
	CHECK_EQ("PR_SET_TIMING statistical",
		 prctl(PR_SET_TIMING, PR_TIMING_STATISTICAL, 0, 0, 0), 0);
	CHECK_ERR("PR_SET_TIMING timestamp",
		  prctl(PR_SET_TIMING, PR_TIMING_TIMESTAMP, 0, 0, 0), EINVAL);

	CHECK_ERR("PR_GET_SPECULATION_CTRL of 99",
		  prctl(PR_GET_SPECULATION_CTRL, 99, 0, 0, 0), ENODEV);
	CHECK_ERR("PR_GET_SPECULATION_CTRL with arg3",
		  prctl(PR_GET_SPECULATION_CTRL, PR_SPEC_STORE_BYPASS, 1, 0, 0),
		  EINVAL);
	CHECK("PR_GET_SPECULATION_CTRL of store bypass: a state",
	      prctl(PR_GET_SPECULATION_CTRL, PR_SPEC_STORE_BYPASS, 0, 0, 0) >= 0);
	CHECK_ERR("PR_SET_SPECULATION_CTRL with arg4",
		  prctl(PR_SET_SPECULATION_CTRL, PR_SPEC_STORE_BYPASS,
			PR_SPEC_ENABLE, 1, 0), EINVAL);
}

/* The strings PR_SET_MM points /proc/self/cmdline at. */
static char title[] = "renamed\0by prctl";

/* What needs CAP_SYS_RESOURCE: run only where the program has it. */
static void
check_with_cap(void)
{
	QUIET("PR_GET_IO_FLUSHER", prctl(PR_GET_IO_FLUSHER, 0, 0, 0, 0) == 0);
	QUIET("PR_SET_IO_FLUSHER 1", prctl(PR_SET_IO_FLUSHER, 1, 0, 0, 0) == 0);
	QUIET("PR_GET_IO_FLUSHER after", prctl(PR_GET_IO_FLUSHER, 0, 0, 0, 0) == 1);
	QUIET_ERR("PR_SET_IO_FLUSHER 2", prctl(PR_SET_IO_FLUSHER, 2, 0, 0, 0), EINVAL);
	prctl(PR_SET_IO_FLUSHER, 0, 0, 0, 0);

	char buf[256];
	QUIET("PR_SET_MM_ARG_START", prctl(PR_SET_MM, PR_SET_MM_ARG_START,
	      (unsigned long)title, 0, 0) == 0);
	QUIET("PR_SET_MM_ARG_END", prctl(PR_SET_MM, PR_SET_MM_ARG_END,
	      (unsigned long)title + sizeof(title), 0, 0) == 0);
	int fd = open("/proc/self/cmdline", O_RDONLY);
	long n = read(fd, buf, sizeof(buf));
	close(fd);
	for (long i = 0; i < n; i++)
		if (!buf[i])
			buf[i] = '|';
	buf[n < 0 ? 0 : n] = 0;
	QUIET("/proc/self/cmdline after PR_SET_MM", !strcmp(buf, "renamed|by prctl|"));

	QUIET_ERR("PR_SET_MM_ARG_END below its start",
		  prctl(PR_SET_MM, PR_SET_MM_ARG_END, (unsigned long)title - 64, 0, 0),
		  EINVAL);
	QUIET_ERR("PR_SET_MM address 0", prctl(PR_SET_MM, PR_SET_MM_ARG_START, 0, 0, 0),
		  EINVAL);
	QUIET_ERR("PR_SET_MM option 99",
		  prctl(PR_SET_MM, 99, (unsigned long)title, 0, 0), EINVAL);
	QUIET_ERR("PR_SET_MM_END_CODE before its start",
		  prctl(PR_SET_MM, PR_SET_MM_END_CODE, 4096, 0, 0), EINVAL);
	QUIET_ERR("PR_SET_MM_ENV_START past everything",
		  prctl(PR_SET_MM, PR_SET_MM_ENV_START, 0x7ffffffff000ul, 0, 0),
		  EINVAL);
	QUIET_ERR("PR_SET_MM_BRK below its start",
		  prctl(PR_SET_MM, PR_SET_MM_BRK, 4096, 0, 0), EINVAL);
	int exe = open("/proc/self/exe", O_RDONLY);
	QUIET_ERR("PR_SET_MM_EXE_FILE while the program is mapped",
		  prctl(PR_SET_MM, PR_SET_MM_EXE_FILE, exe, 0, 0), EBUSY);
	close(exe);
	int dir = open("/", O_RDONLY);
	QUIET_ERR("PR_SET_MM_EXE_FILE of a directory",
		  prctl(PR_SET_MM, PR_SET_MM_EXE_FILE, dir, 0, 0), EACCES);
	close(dir);
	QUIET_ERR("PR_SET_MM_EXE_FILE of a closed fd",
		  prctl(PR_SET_MM, PR_SET_MM_EXE_FILE, 999, 0, 0), EBADF);
}

static void
check_set_mm(void)
{
	if (has_cap(CAP_SYS_RESOURCE))
		check_with_cap();
	drop_cap(CAP_SYS_RESOURCE);
	CHECK("CAP_SYS_RESOURCE dropped", !has_cap(CAP_SYS_RESOURCE));
	CHECK_ERR("PR_SET_MM with arg5",
		  prctl(PR_SET_MM, PR_SET_MM_ARG_START, (unsigned long)title, 0, 1),
		  EINVAL);
	CHECK_ERR("PR_SET_MM with arg4",
		  prctl(PR_SET_MM, PR_SET_MM_ARG_START, (unsigned long)title, 1, 0),
		  EINVAL);
	CHECK_ERR("PR_SET_MM without CAP_SYS_RESOURCE",
		  prctl(PR_SET_MM, PR_SET_MM_ARG_START, (unsigned long)title, 0, 0),
		  EPERM);
	CHECK_ERR("PR_SET_IO_FLUSHER without it",
		  prctl(PR_SET_IO_FLUSHER, 1, 0, 0, 0), EPERM);
	CHECK_ERR("PR_GET_IO_FLUSHER without it",
		  prctl(PR_GET_IO_FLUSHER, 0, 0, 0, 0), EPERM);
}

int
main(void)
{
	abi_init();
	check_auxv();
	check_flags();
	check_set_mm();
	return abi_done("prctl_opts");
}
