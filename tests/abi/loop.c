/*
 * Loop devices: /dev/loop-control finds a free one, LOOP_SET_FD binds a
 * file (closed by the program afterwards), the block calls (BLKGETSIZE64,
 * BLKGETSIZE, BLKSSZGET, BLKROGET, BLKRASET/BLKRAGET), reads and writes through the device
 * reach the file (fsync, sync_file_range and its errors), the end (a
 * short read, ENOSPC), SEEK_END, the status
 * (LOOP_GET_STATUS64/LOOP_SET_STATUS64 with an offset, the old
 * LOOP_GET_STATUS), LOOP_CONFIGURE with an offset, a size limit and
 * READ_ONLY, LOOP_CLR_FD (then ENXIO), AUTOCLEAR at the last close, the
 * errors (EBUSY, EBADF, EINVAL, ENXIO), LOOP_CTL_REMOVE of a bound device,
 * and no access for a user who is not root. /sys/block/loopN's size and
 * ro follow each step (LTP's ioctl_loop tests read them), and loop/
 * (backing_file, offset, sizelimit, autoclear, partscan, dio) is there
 * while the device is bound and gone once it is cleared.
 */
#include "abi.h"

#include <stdint.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>

/* <linux/loop.h> and <linux/fs.h>, which musl's headers leave out. */
#define LOOP_SET_FD 0x4c00
#define LOOP_CLR_FD 0x4c01
#define LOOP_GET_STATUS 0x4c03
#define LOOP_SET_STATUS64 0x4c04
#define LOOP_GET_STATUS64 0x4c05
#define LOOP_CONFIGURE 0x4c0a
#define LOOP_CTL_REMOVE 0x4c81
#define LOOP_CTL_GET_FREE 0x4c82
#define LO_FLAGS_READ_ONLY 1
#define LO_FLAGS_AUTOCLEAR 4
#define BLKROGET 0x125e
#define BLKGETSIZE 0x1260
#define BLKSSZGET 0x1268
#define BLKGETSIZE64 0x80081272
#define BLKRASET 0x1262
#define BLKRAGET 0x1263

struct loop_info {
	int lo_number;
	unsigned long lo_device, lo_inode, lo_rdevice;
	int lo_offset, lo_encrypt_type, lo_encrypt_key_size, lo_flags;
	char lo_name[64];
	unsigned char lo_encrypt_key[32];
	unsigned long lo_init[2];
	char reserved[4];
};

struct loop_info64 {
	uint64_t lo_device, lo_inode, lo_rdevice, lo_offset, lo_sizelimit;
	uint32_t lo_number, lo_encrypt_type, lo_encrypt_key_size, lo_flags;
	uint8_t lo_file_name[64], lo_crypt_name[64], lo_encrypt_key[32];
	uint64_t lo_init[2];
};

struct loop_config {
	uint32_t fd, block_size;
	struct loop_info64 info;
	uint64_t reserved[8];
};

#define MIB (1024 * 1024)

static char backing[64];

/* A 1 MiB file whose sector s starts with its number. */
static void
make_backing(void)
{
	strcpy(backing, "/tmp/abi-loop.XXXXXX");
	int fd = mkstemp(backing);
	char sector[512];
	for (int s = 0; s < MIB / 512; s++) {
		memset(sector, 0, sizeof(sector));
		snprintf(sector, sizeof(sector), "sector %d", s);
		write(fd, sector, sizeof(sector));
	}
	close(fd);
}

/* A free loop device's path, from /dev/loop-control. */
static int
free_loop(char *path, size_t size)
{
	int ctl = open("/dev/loop-control", O_RDWR);
	CHECK("open /dev/loop-control", ctl >= 0);
	int n = ioctl(ctl, LOOP_CTL_GET_FREE);
	CHECK("LOOP_CTL_GET_FREE", n >= 0);
	close(ctl);
	snprintf(path, size, "/dev/loop%d", n);
	return n;
}

static const char *
read_text(int fd, off_t at)
{
	static char text[16];
	memset(text, 0, sizeof(text));
	ssize_t n = pread(fd, text, sizeof(text) - 1, at);
	return n < 0 ? errno_name(errno) : text;
}

/* /sys/block/loopN/name's text, or the errno name. */
static const char *
sys_attr(int n, const char *name)
{
	char path[64];
	snprintf(path, sizeof(path), "/sys/block/loop%d/%s", n, name);
	return abi_content(path);
}

/* Whether loop/ of device n went within a second (Linux clears a
 * device at its last close). */
static int
loop_dir_gone(int n)
{
	for (int i = 0; i < 100; i++) {
		if (strcmp(sys_attr(n, "loop/backing_file"), "ENOENT") == 0)
			return 1;
		usleep(10000);
	}
	return 0;
}

static void
test_bind_and_io(void)
{
	char dev[32];
	int n = free_loop(dev, sizeof(dev));
	CHECK_STR("no sysfs loop/ unbound", sys_attr(n, "loop/backing_file"),
	    "ENOENT");
	struct stat st;
	CHECK_EQ("stat the device", stat(dev, &st), 0);
	CHECK("a block device", S_ISBLK(st.st_mode));
	CHECK_EQ("major 7", major(st.st_rdev), 7);
	CHECK("minor as found", (int)minor(st.st_rdev) == n);

	int lo = open(dev, O_RDWR);
	CHECK("open it", lo >= 0);
	uint64_t size = 1;
	CHECK_EQ("BLKGETSIZE64 unbound", ioctl(lo, BLKGETSIZE64, &size), 0);
	CHECK_EQ("is 0", size, 0);
	CHECK_STR("sysfs size unbound", sys_attr(n, "size"), "0\n");
	struct loop_info64 info;
	CHECK_ERR("LOOP_GET_STATUS64 unbound", ioctl(lo, LOOP_GET_STATUS64,
	    &info), ENXIO);
	CHECK_ERR("LOOP_CLR_FD unbound", ioctl(lo, LOOP_CLR_FD, 0), ENXIO);
	CHECK_ERR("LOOP_SET_FD of a bad fd", ioctl(lo, LOOP_SET_FD, -1),
	    EBADF);
	int dir = open("/tmp", O_RDONLY | O_DIRECTORY);
	CHECK_ERR("LOOP_SET_FD of a directory", ioctl(lo, LOOP_SET_FD, dir),
	    EINVAL);
	close(dir);

	int file = open(backing, O_RDWR);
	CHECK_EQ("LOOP_SET_FD", ioctl(lo, LOOP_SET_FD, file), 0);
	CHECK_ERR("LOOP_SET_FD again", ioctl(lo, LOOP_SET_FD, file), EBUSY);
	close(file);	/* the device holds the file */
	CHECK_EQ("BLKGETSIZE64", ioctl(lo, BLKGETSIZE64, &size), 0);
	CHECK_EQ("is the file's size", size, MIB);
	CHECK_STR("sysfs size", sys_attr(n, "size"), "2048\n");
	CHECK_STR("sysfs ro", sys_attr(n, "ro"), "0\n");
	char path[80];
	snprintf(path, sizeof(path), "%s\n", backing);
	CHECK("sysfs loop/backing_file names it",
	    strcmp(sys_attr(n, "loop/backing_file"), path) == 0);
	CHECK_STR("sysfs loop/offset", sys_attr(n, "loop/offset"), "0\n");
	CHECK_STR("sysfs loop/sizelimit", sys_attr(n, "loop/sizelimit"), "0\n");
	CHECK_STR("sysfs loop/autoclear", sys_attr(n, "loop/autoclear"), "0\n");
	CHECK_STR("sysfs loop/partscan", sys_attr(n, "loop/partscan"), "0\n");
	CHECK_STR("sysfs loop/dio", sys_attr(n, "loop/dio"), "0\n");
	unsigned long sectors = 0;
	CHECK_EQ("BLKGETSIZE", ioctl(lo, BLKGETSIZE, &sectors), 0);
	CHECK_EQ("in sectors", sectors, MIB / 512);
	int value = 0;
	CHECK_EQ("BLKSSZGET", ioctl(lo, BLKSSZGET, &value), 0);
	CHECK_EQ("512", value, 512);
	value = 1;
	CHECK_EQ("BLKROGET", ioctl(lo, BLKROGET, &value), 0);
	CHECK_EQ("writable", value, 0);
	CHECK_EQ("SEEK_END", lseek(lo, 0, SEEK_END), MIB);
	unsigned long ra = 0;
	CHECK_EQ("BLKRASET", ioctl(lo, BLKRASET, 1000UL), 0);
	CHECK_EQ("BLKRAGET", ioctl(lo, BLKRAGET, &ra), 0);
	CHECK_EQ("in whole pages", ra, 1000 / 8 * 8);

	CHECK_STR("read sector 3", read_text(lo, 3 * 512), "sector 3");
	char buf[1024];
	CHECK_EQ("a read over the end is short", pread(lo, buf, 1024,
	    MIB - 512), 512);
	CHECK_EQ("a read at the end is 0", pread(lo, buf, 512, MIB), 0);
	CHECK_ERR("a write at the end", pwrite(lo, buf, 512, MIB), ENOSPC);
	memset(buf, 0, 512);
	strcpy(buf, "written");
	CHECK_EQ("write sector 5", pwrite(lo, buf, 512, 5 * 512), 512);
	CHECK_EQ("fsync", fsync(lo), 0);
	CHECK_EQ("sync_file_range", sync_file_range(lo, 0, 4096,
	    SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
	    SYNC_FILE_RANGE_WAIT_AFTER), 0);
	CHECK_ERR("sync_file_range with bad flags", sync_file_range(lo, 0, 0,
	    8), EINVAL);
	CHECK_ERR("sync_file_range of a negative length", sync_file_range(lo,
	    0, -1, 0), EINVAL);
	int pipefd[2];
	pipe(pipefd);
	CHECK_ERR("sync_file_range of a pipe", sync_file_range(pipefd[0], 0,
	    0, 0), ESPIPE);
	close(pipefd[0]);
	close(pipefd[1]);
	file = open(backing, O_RDONLY);
	CHECK_STR("the file has it", read_text(file, 5 * 512), "written");
	close(file);

	CHECK_EQ("LOOP_GET_STATUS64", ioctl(lo, LOOP_GET_STATUS64, &info), 0);
	CHECK_EQ("lo_number", info.lo_number == (unsigned)n, 1);
	CHECK_EQ("lo_offset", info.lo_offset, 0);
	CHECK_EQ("lo_flags", info.lo_flags & (LO_FLAGS_READ_ONLY |
	    LO_FLAGS_AUTOCLEAR), 0);
	struct stat fst;
	stat(backing, &fst);
	CHECK("lo_inode is the file's", info.lo_inode == fst.st_ino);
	info.lo_offset = 1024;
	strcpy((char *)info.lo_file_name, "a name");
	CHECK_EQ("LOOP_SET_STATUS64 with an offset", ioctl(lo,
	    LOOP_SET_STATUS64, &info), 0);
	CHECK_EQ("BLKGETSIZE64 after it", ioctl(lo, BLKGETSIZE64, &size), 0);
	CHECK_EQ("the rest of the file", size, MIB - 1024);
	CHECK_STR("sysfs size after it", sys_attr(n, "size"), "2046\n");
	CHECK_STR("sysfs loop/offset after it", sys_attr(n, "loop/offset"),
	    "1024\n");
	CHECK_STR("sector 0 is the file's 2", read_text(lo, 0), "sector 2");
	struct loop_info old;
	CHECK_EQ("LOOP_GET_STATUS", ioctl(lo, LOOP_GET_STATUS, &old), 0);
	CHECK_EQ("its lo_offset", old.lo_offset, 1024);
	CHECK_STR("its lo_name", old.lo_name, "a name");

	int ctl = open("/dev/loop-control", O_RDWR);
	CHECK_ERR("LOOP_CTL_REMOVE of a bound device", ioctl(ctl,
	    LOOP_CTL_REMOVE, n), EBUSY);
	close(ctl);
	CHECK_EQ("LOOP_CLR_FD", ioctl(lo, LOOP_CLR_FD, 0), 0);
	CHECK_ERR("LOOP_CLR_FD again", ioctl(lo, LOOP_CLR_FD, 0), ENXIO);
	close(lo);
	CHECK("sysfs loop/ gone when cleared", loop_dir_gone(n));
}

static void
test_configure(void)
{
	char dev[32];
	int n = free_loop(dev, sizeof(dev));
	int lo = open(dev, O_RDWR);
	int file = open(backing, O_RDWR);
	struct loop_config c;
	memset(&c, 0, sizeof(c));
	c.fd = file;
	c.info.lo_offset = 4096;
	c.info.lo_sizelimit = 64 * 1024;
	c.info.lo_flags = LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR;
	CHECK_EQ("LOOP_CONFIGURE", ioctl(lo, LOOP_CONFIGURE, &c), 0);
	close(file);
	uint64_t size = 0;
	ioctl(lo, BLKGETSIZE64, &size);
	CHECK_EQ("the size limit", size, 64 * 1024);
	int ro = 0;
	ioctl(lo, BLKROGET, &ro);
	CHECK_EQ("read-only", ro, 1);
	CHECK_STR("sector 0 is the file's 8", read_text(lo, 0), "sector 8");
	struct loop_info64 info;
	ioctl(lo, LOOP_GET_STATUS64, &info);
	CHECK_EQ("lo_flags", info.lo_flags & (LO_FLAGS_READ_ONLY |
	    LO_FLAGS_AUTOCLEAR), LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR);
	CHECK_EQ("lo_sizelimit", info.lo_sizelimit, 64 * 1024);
	CHECK_STR("sysfs ro", sys_attr(n, "ro"), "1\n");
	CHECK_STR("sysfs size", sys_attr(n, "size"), "128\n");
	CHECK_STR("sysfs loop/offset", sys_attr(n, "loop/offset"), "4096\n");
	CHECK_STR("sysfs loop/sizelimit", sys_attr(n, "loop/sizelimit"),
	    "65536\n");
	CHECK_STR("sysfs loop/autoclear", sys_attr(n, "loop/autoclear"), "1\n");
	close(lo);	/* AUTOCLEAR: the file goes with the last close */
	int r = -1;
	for (int i = 0; i < 100 && r != ENXIO; i++) {
		lo = open(dev, O_RDONLY);
		r = ioctl(lo, LOOP_GET_STATUS64, &info) < 0 ? errno : 0;
		close(lo);
		if (r != ENXIO)
			usleep(10000);
	}
	CHECK_STR("unbound after the last close", errno_name(r), "ENXIO");
	CHECK("sysfs loop/ gone with it", loop_dir_gone(n));
}

static void
test_not_root(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 ||
		    setuid(65534) < 0)
			_exit(2);
		int fd = open("/dev/loop-control", O_RDWR);
		_exit(fd < 0 && errno == EACCES ? 0 : 1);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK_STR("not root: /dev/loop-control", status_str(status),
	    "exited 0");
}

int
main(void)
{
	abi_init();
	make_backing();
	test_bind_and_io();
	test_configure();
	test_not_root();
	unlink(backing);
	return abi_done("loop");
}
