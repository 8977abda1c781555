/*
 * prctl's dumpable flag: PR_GET_DUMPABLE and PR_SET_DUMPABLE (0 and 1
 * only), kept across fork, set again by exec, cleared when a root process
 * changes its effective uid or gid. OpenSSH's sftp-server refuses to run
 * when PR_SET_DUMPABLE fails; nginx's workers set it after setuid.
 */
#include "abi.h"

#include <sys/prctl.h>

#define SELF "/proc/self/exe"
#define NOBODY 65534

/* The re-executed program: the flag exec left. */
static int
mode_exec(void)
{
	printf("after exec: dumpable %d\n", prctl(PR_GET_DUMPABLE));
	return 0;
}

static void
test_set(void)
{
	CHECK_EQ("dumpable at start", prctl(PR_GET_DUMPABLE), 1);
	CHECK_ERR("PR_SET_DUMPABLE 2", prctl(PR_SET_DUMPABLE, 2), EINVAL);
	CHECK_ERR("PR_SET_DUMPABLE -1", prctl(PR_SET_DUMPABLE, -1L), EINVAL);
	CHECK_OK("PR_SET_DUMPABLE 0", prctl(PR_SET_DUMPABLE, 0));
	CHECK_EQ("dumpable after 0", prctl(PR_GET_DUMPABLE), 0);
	CHECK_OK("PR_SET_DUMPABLE 1", prctl(PR_SET_DUMPABLE, 1));
	CHECK_EQ("dumpable after 1", prctl(PR_GET_DUMPABLE), 1);
}

/* A child inherits 0; its exec makes it 1 again. */
static void
test_fork_exec(void)
{
	prctl(PR_SET_DUMPABLE, 0);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		printf("child: dumpable %d\n", prctl(PR_GET_DUMPABLE));
		fflush(stdout);
		execl(SELF, SELF, "exec", (char *)NULL);
		_exit(99);
	}
	CHECK_STR("child status", status_str(abi_wait(pid)), "exited 0");
	prctl(PR_SET_DUMPABLE, 1);
}

/* Root changing its effective ids becomes undumpable (fs.suid_dumpable
 * is 0 on Debian; 2 would read 2, so only "not 1" is printed). */
static void
test_ids(void)
{
	if (geteuid() != 0) {
		printf("not root: id changes left out\n");
		return;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		CHECK_OK("setresgid nobody", setresgid(NOBODY, NOBODY, NOBODY));
		CHECK("undumpable after setresgid",
		      prctl(PR_GET_DUMPABLE) != 1);
		prctl(PR_SET_DUMPABLE, 1);
		CHECK_OK("setresuid nobody", setresuid(NOBODY, NOBODY, NOBODY));
		CHECK("undumpable after setresuid",
		      prctl(PR_GET_DUMPABLE) != 1);
		CHECK_OK("nobody sets it again", prctl(PR_SET_DUMPABLE, 1));
		CHECK_EQ("nobody's dumpable", prctl(PR_GET_DUMPABLE), 1);
		fflush(stdout);
		_exit(abi_failures ? 1 : 0);
	}
	CHECK_STR("id child status", status_str(abi_wait(pid)), "exited 0");
	pid = fork();
	if (pid == 0) {
		/* Setting the same id again changes nothing. */
		setresuid(0, 0, 0);
		printf("same ids: dumpable %d\n", prctl(PR_GET_DUMPABLE));
		fflush(stdout);
		_exit(0);
	}
	abi_wait(pid);
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "exec") == 0) {
		setvbuf(stdout, NULL, _IOLBF, 0);
		return mode_exec();
	}
	abi_init();
	test_set();
	test_fork_exec();
	test_ids();
	return abi_done("dumpable");
}
