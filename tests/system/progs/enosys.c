/*
 * Guest program for system/enosys: calls system call 1000, which neither
 * Linux nor Petrel has, and prints the errno it got (ENOSYS expected);
 * then the calls Petrel leaves out as a Linux built without them (POSIX
 * message queues, fanotify), which must be ENOSYS too.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define UNKNOWN_SYSCALL 1000

static const long absent[] = {
	SYS_mq_open, SYS_mq_unlink, SYS_mq_timedsend,
	SYS_mq_timedreceive, SYS_mq_notify, SYS_mq_getsetattr,
	SYS_fanotify_init, SYS_fanotify_mark,
};

/* Every left-out call fails with ENOSYS; prints the first that does not. */
static int
check_absent(void)
{
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		errno = 0;
		long r = syscall(absent[i], 0, 0, 0, 0, 0, 0);
		if (r != -1 || errno != ENOSYS) {
			printf("absent: call %ld gave %ld %s\n", absent[i], r,
			    strerror(errno));
			return 1;
		}
	}
	printf("absent: all ENOSYS\n");
	return 0;
}

int
main(void)
{
	long ret;
	int err;

	errno = 0;
	ret = syscall(UNKNOWN_SYSCALL);
	err = errno;
	printf("enosys: ret=%ld errno=%s\n", ret,
	    err == ENOSYS ? "ENOSYS" : strerror(err));
	if (check_absent())
		return 1;
	return ret == -1 && err == ENOSYS ? 0 : 1;
}
