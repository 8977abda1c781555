/*
 * /dev: a tmpfs holding the character devices every program expects
 * (null, zero, full, random, urandom, console, tty, ptmx, ttyS0, rtc0),
 * the loop block devices (loop0..7, loop-control: loop.c) and the
 * directory pts, where init mounts devpts. A node mknod makes elsewhere
 * with one of their numbers reaches the same driver.
 */
#include <kernel/vfs.h>
#include <kernel/vm.h>
#include <kernel/proc.h>
#include <kernel/tmpfs.h>
#include <kernel/tty.h>
#include <kernel/random.h>
#include <kernel/rtc.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/printk.h>
#include <kernel/loop.h>
#include <kernel/userfaultfd.h>

#define MKDEV(ma, mi) (((ma) << 8) | (mi))

static long
null_read(struct file *f, void *buf, size_t len, uint64_t *off)
{
	(void)f, (void)buf, (void)len, (void)off;
	return 0;
}

static long
null_write(struct file *f, const void *buf, size_t len, uint64_t *off)
{
	(void)f, (void)buf, (void)off;
	return (long)len;
}

static long
zero_read(struct file *f, void *buf, size_t len, uint64_t *off)
{
	(void)f, (void)off;
	memset(buf, 0, len);
	return (long)len;
}

static long
full_write(struct file *f, const void *buf, size_t len, uint64_t *off)
{
	(void)f, (void)buf, (void)len, (void)off;
	return -ENOSPC;
}

static long
random_read(struct file *f, void *buf, size_t len, uint64_t *off)
{
	(void)f, (void)off;
	random_bytes(buf, len);
	return (long)len;
}

#define RNDGETENTCNT 0x80045200
#define RNDADDTOENTCNT 0x40045201
#define RNDADDENTROPY 0x40085203
#define RNDZAPENTCNT 0x5204
#define RNDCLEARPOOL 0x5206
#define RNDRESEEDCRNG 0x5207

/*
 * The random devices' ioctls (Linux's random_ioctl): the entropy count
 * is always the full pool, as Linux's once its generator is seeded; what
 * root adds or clears changes nothing (the generator reseeds itself).
 */
static long
random_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	(void)f;
	int count = RANDOM_POOL_BITS;
	switch (cmd) {
	case RNDGETENTCNT:
		return copyout(arg, &count, sizeof(count));
	case RNDADDTOENTCNT:
	case RNDADDENTROPY:
	case RNDZAPENTCNT:
	case RNDCLEARPOOL:
	case RNDRESEEDCRNG:
		return proc_privileged() ? 0 : -EPERM;
	}
	return -EINVAL;
}

static unsigned
always_ready(struct file *f)
{
	(void)f;
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

/* Like Linux's memory devices, no poll hook: poll says ready, epoll
   refuses them (EPERM). */
static const struct file_ops null_fops = {
	.read = null_read, .write = null_write, .seekable = true,
};
static const struct file_ops zero_fops = {
	.read = zero_read, .write = null_write, .seekable = true,
};
static const struct file_ops full_fops = {
	.read = zero_read, .write = full_write, .seekable = true,
};
static const struct file_ops random_fops = {
	.read = random_read, .write = null_write, .poll = always_ready,
	.ioctl = random_ioctl,
};

/* The devices, by the number a device node names (rdev). */
static const struct {
	const char *name;
	unsigned mode;
	uint32_t rdev;
	const struct file_ops *fops;
} nodes[] = {
	{ "null", 0666, MKDEV(1, 3), &null_fops },
	{ "zero", 0666, MKDEV(1, 5), &zero_fops },
	{ "full", 0666, MKDEV(1, 7), &full_fops },
	{ "random", 0666, MKDEV(1, 8), &random_fops },
	{ "urandom", 0666, MKDEV(1, 9), &random_fops },
	{ "tty", 0666, MKDEV(5, 0), &ctty_fops },
	{ "console", 0600, MKDEV(5, 1), &console_fops },
	{ "ptmx", 0666, MKDEV(5, 2), &ptmx_fops },
	{ "ttyS0", 0660, MKDEV(4, 64), &console_fops },
	/* Linux gives the RTC class a dynamic major; 254 is usual. */
	{ "rtc0", 0600, MKDEV(254, 0), &rtc_fops },
	{ "loop-control", 0660, MKDEV(10, 237), &loop_control_fops },
	/* A dynamic misc minor on Linux; 126 is what it usually gets. */
	{ "userfaultfd", 0600, MKDEV(10, 126), &uffd_dev_fops },
};

/* A node whose number names no device: open is ENXIO, as Linux's. */
static int
nodev_open(struct file *f)
{
	(void)f;
	return -ENXIO;
}

static const struct file_ops nodev_fops = {
	.open = nodev_open,
};

const struct file_ops *
devfs_fops(unsigned type, uint32_t rdev)
{
	for (size_t i = 0; type == S_IFCHR && i < ARRAY_SIZE(nodes); i++)
		if (nodes[i].rdev == rdev)
			return nodes[i].fops;
	if (type == S_IFBLK && (rdev >> 8) == LOOP_MAJOR && (rdev & 0xff) < LOOP_MAX)
		return &loop_fops;
	return &nodev_fops;
}

struct inode *
devfs_new(void)
{
	struct inode *root = tmpfs_new_root("devtmpfs");
	if (!root)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(nodes); i++)
		if (tmpfs_mknod(root, nodes[i].name, S_IFCHR | nodes[i].mode,
				nodes[i].rdev, nodes[i].fops, NULL) < 0)
			printk("devfs: cannot make %s\n", nodes[i].name);
	for (int i = 0; i < LOOP_MAX; i++) {
		char name[8] = "loop0";
		name[4] = (char)('0' + i);
		if (tmpfs_mknod(root, name, S_IFBLK | 0660,
				MKDEV(LOOP_MAJOR, i), &loop_fops, NULL) < 0)
			printk("devfs: cannot make %s\n", name);
	}
	struct inode *ino;
	if (root->iops->create(root, "pts", 3, S_IFDIR | 0755, &ino) == 0)
		inode_put(ino);
	if (root->iops->create(root, "shm", 3, S_IFDIR | 01777, &ino) == 0)
		inode_put(ino);
	root->iops->symlink(root, "rtc", 3, "rtc0");
	root->iops->symlink(root, "fd", 2, "/proc/self/fd");
	root->iops->symlink(root, "stdin", 5, "/proc/self/fd/0");
	root->iops->symlink(root, "stdout", 6, "/proc/self/fd/1");
	root->iops->symlink(root, "stderr", 6, "/proc/self/fd/2");
	return root;
}
