/*
 * ioctl FICLONE and FICLONERANGE on a file system that cannot share
 * extents between files (Linux's ext4 and tmpfs, every Petrel one):
 * Linux's checks in their order, then EOPNOTSUPP.
 */
#include "abi.h"

#include <stdint.h>
#include <sys/ioctl.h>

#define FICLONE_CMD _IOW(0x94, 9, int)

/* struct file_clone_range */
struct clone_range {
	int64_t src_fd;
	uint64_t src_offset, src_length, dest_offset;
};
#define FICLONERANGE_CMD _IOW(0x94, 13, struct clone_range)

int
main(void)
{
	abi_init();
	char src_path[64], dst_path[64], dir_path[64];
	abi_tmpname(src_path, sizeof(src_path), "ficlone-src");
	abi_tmpname(dst_path, sizeof(dst_path), "ficlone-dst");
	abi_tmpname(dir_path, sizeof(dir_path), "ficlone-dir");
	int src = open(src_path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	int dst = open(dst_path, O_CREAT | O_RDWR | O_TRUNC, 0600);
	CHECK("files open", src >= 0 && dst >= 0);
	CHECK_EQ("source written", write(src, "0123456789", 10), 10);

	CHECK_ERR("FICLONE", ioctl(dst, FICLONE_CMD, src), EOPNOTSUPP);
	struct clone_range r = { src, 0, 10, 0 };
	CHECK_ERR("FICLONERANGE", ioctl(dst, FICLONERANGE_CMD, &r),
	    EOPNOTSUPP);
	CHECK_ERR("FICLONERANGE, bad pointer",
	    ioctl(dst, FICLONERANGE_CMD, (void *)8), EFAULT);
	CHECK_ERR("FICLONE, bad source fd", ioctl(dst, FICLONE_CMD, 999),
	    EBADF);

	mkdir(dir_path, 0700);
	int dir = open(dir_path, O_RDONLY | O_DIRECTORY);
	CHECK_ERR("FICLONE from a directory", ioctl(dst, FICLONE_CMD, dir),
	    EISDIR);
	int ro = open(dst_path, O_RDONLY);
	CHECK_ERR("FICLONE into a read-only fd", ioctl(ro, FICLONE_CMD, src),
	    EBADF);
	int app = open(dst_path, O_WRONLY | O_APPEND);
	CHECK_ERR("FICLONE into an O_APPEND fd",
	    ioctl(app, FICLONE_CMD, src), EBADF);
	int wo = open(src_path, O_WRONLY);
	CHECK_ERR("FICLONE from a write-only fd",
	    ioctl(dst, FICLONE_CMD, wo), EBADF);
	int p[2];
	pipe(p);
	CHECK_ERR("FICLONE from a pipe", ioctl(dst, FICLONE_CMD, p[0]), EXDEV);
	char buf[16];
	CHECK_EQ("destination untouched", read(dst, buf, sizeof(buf)), 0);

	unlink(src_path);
	unlink(dst_path);
	rmdir(dir_path);
	return abi_done("ficlone");
}
