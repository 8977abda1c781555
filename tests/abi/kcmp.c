/*
 * kcmp: the same open file through two descriptors and in a child that
 * inherited it (0), another open of the same path (not 0), the address
 * space, descriptor table and signal handlers of a forked child (not
 * shared) and of the caller itself (shared), the SEM_UNDO lists of two
 * processes that have none (equal), and the errors: ESRCH,
 * EINVAL for an unknown type, EBADF for a closed descriptor.
 */
#include "abi.h"

#include <sys/syscall.h>
#include <sys/wait.h>

#define KCMP_FILE 0
#define KCMP_VM 1
#define KCMP_FILES 2
#define KCMP_SIGHAND 4
#define KCMP_SYSVSEM 6

static long
kcmp(pid_t a, pid_t b, int type, unsigned long x, unsigned long y)
{
	return syscall(SYS_kcmp, a, b, type, x, y);
}

int
main(void)
{
	abi_init();
	pid_t me = getpid();
	int fd = open("/", O_RDONLY | O_DIRECTORY);
	int dup_fd = dup(fd);
	int other = open("/", O_RDONLY | O_DIRECTORY);
	CHECK_EQ("same fd", kcmp(me, me, KCMP_FILE, fd, fd), 0);
	CHECK_EQ("dup", kcmp(me, me, KCMP_FILE, fd, dup_fd), 0);
	long r = kcmp(me, me, KCMP_FILE, fd, other);
	CHECK("another open differs", r == 1 || r == 2);
	/* Which is "less" depends on where each kernel put them: say only
	   whether the answer is the mirror of the first. */
	CHECK("order is antisymmetric",
	      kcmp(me, me, KCMP_FILE, other, fd) == 3 - r);
	CHECK_EQ("own VM", kcmp(me, me, KCMP_VM, 0, 0), 0);
	pid_t child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	CHECK_EQ("inherited fd", kcmp(me, child, KCMP_FILE, fd, fd), 0);
	r = kcmp(me, child, KCMP_VM, 0, 0);
	CHECK("child's VM differs", r == 1 || r == 2);
	r = kcmp(me, child, KCMP_FILES, 0, 0);
	CHECK("child's fd table differs", r == 1 || r == 2);
	r = kcmp(me, child, KCMP_SIGHAND, 0, 0);
	CHECK("child's handlers differ", r == 1 || r == 2);
	CHECK_EQ("no SEM_UNDO list on either side", kcmp(me, child,
		 KCMP_SYSVSEM, 0, 0), 0);
	CHECK_ERR("no such pid", kcmp(me, 0x7ffffff0, KCMP_VM, 0, 0), ESRCH);
	CHECK_ERR("unknown type", kcmp(me, me, 99, 0, 0), EINVAL);
	CHECK_ERR("negative type", kcmp(me, me, -1, 0, 0), EINVAL);
	CHECK_ERR("closed fd", kcmp(me, me, KCMP_FILE, fd, 60), EBADF);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return abi_done("kcmp");
}
