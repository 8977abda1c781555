/*
 * ioctl FS_IOC_FIEMAP where the file system cannot map (Linux's
 * ioctl_fiemap without an i_op->fiemap): a tmpfs file (/dev/shm) and a
 * pipe give EOPNOTSUPP, not ENOTTY. (ext2's extents, through fsd, are
 * LTP ioctl_fiemap01's.)
 */
#include "abi.h"

#include <stdint.h>
#include <sys/ioctl.h>

/* Linux's <linux/fiemap.h> (musl has none): struct fiemap, then the
 * extents (56 bytes each). */
#define FS_IOC_FIEMAP 0xc020660bu
struct fiemap_k {
	uint64_t start, length;
	uint32_t flags, mapped_extents, extent_count, reserved;
	uint64_t extents[2][7];
};

int
main(void)
{
	abi_init();
	struct fiemap_k m;
	memset(&m, 0, sizeof(m));
	m.length = ~0ull;
	m.extent_count = 2;
	char path[64];
	snprintf(path, sizeof(path), "/dev/shm/abi-fiemap-%d", (int)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK_OK("open in /dev/shm", fd);
	CHECK_OK("write", write(fd, "data", 4));
	CHECK_ERR("tmpfs file", ioctl(fd, FS_IOC_FIEMAP, &m), EOPNOTSUPP);
	close(fd);
	unlink(path);
	int p[2];
	CHECK_OK("pipe", pipe(p));
	CHECK_ERR("pipe", ioctl(p[0], FS_IOC_FIEMAP, &m), EOPNOTSUPP);
	return abi_done("fiemap");
}
