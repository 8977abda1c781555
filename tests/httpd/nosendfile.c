/*
 * LD_PRELOAD shim for the host test: sendfile(2) fails with ENOSYS, as it
 * may on Petrel, so httpd's read/write fallback gets exercised too.
 */
#include <errno.h>
#include <sys/sendfile.h>

ssize_t
sendfile(int out_fd, int in_fd, off_t *offset, size_t count)
{
	(void)out_fd;
	(void)in_fd;
	(void)offset;
	(void)count;
	errno = ENOSYS;
	return -1;
}

ssize_t
sendfile64(int out_fd, int in_fd, off_t *offset, size_t count)
{
	return sendfile(out_fd, in_fd, offset, count);
}
