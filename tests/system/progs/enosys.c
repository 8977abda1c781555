/*
 * Guest program for system/enosys: calls system call 1000, which neither
 * Linux nor Petrel has, and prints the errno it got (ENOSYS expected).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define UNKNOWN_SYSCALL 1000

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
	return ret == -1 && err == ENOSYS ? 0 : 1;
}
