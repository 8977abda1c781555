/*
 * Loop devices, as Linux's drivers/block/loop.c: /dev/loopN is a block
 * device whose bytes are those of a file (LOOP_SET_FD, LOOP_CONFIGURE),
 * from an offset and up to a size limit; /dev/loop-control finds a free
 * one (LOOP_CTL_GET_FREE). Reads and writes go straight to the file at
 * the caller's buffers (there is no block cache here: fsd keeps its own).
 * The device holds a reference to the file, so the program may close its
 * descriptor. LOOP_MAX devices exist from boot; LOOP_CTL_REMOVE hides one
 * and LOOP_CTL_ADD brings it back, but no others can be made.
 */
#include <kernel/loop.h>
#include <kernel/vfs.h>
#include <kernel/proc.h>
#include <kernel/sched.h>
#include <kernel/vm.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/printk.h>

#define LOOP_SET_FD 0x4c00
#define LOOP_CLR_FD 0x4c01
#define LOOP_SET_STATUS 0x4c02
#define LOOP_GET_STATUS 0x4c03
#define LOOP_SET_STATUS64 0x4c04
#define LOOP_GET_STATUS64 0x4c05
#define LOOP_CHANGE_FD 0x4c06
#define LOOP_SET_CAPACITY 0x4c07
#define LOOP_SET_DIRECT_IO 0x4c08
#define LOOP_SET_BLOCK_SIZE 0x4c09
#define LOOP_CONFIGURE 0x4c0a
#define LOOP_CTL_ADD 0x4c80
#define LOOP_CTL_REMOVE 0x4c81
#define LOOP_CTL_GET_FREE 0x4c82

#define BLKROSET 0x125d
#define BLKROGET 0x125e
#define BLKRRPART 0x125f
#define BLKGETSIZE 0x1260
#define BLKFLSBUF 0x1261
#define BLKRASET 0x1262
#define BLKRAGET 0x1263
#define BLKFRASET 0x1264
#define BLKFRAGET 0x1265
#define BLKSECTGET 0x1267
#define BLKSSZGET 0x1268
#define BLKBSZGET 0x80081270
#define BLKBSZSET 0x40081271
#define BLKGETSIZE64 0x80081272
#define BLKDISCARD 0x1277
#define BLKIOMIN 0x1278
#define BLKIOOPT 0x1279
#define BLKALIGNOFF 0x127a
#define BLKPBSZGET 0x127b
#define BLKDISCARDZEROES 0x127c
#define BLKZEROOUT 0x127f

#define LO_FLAGS_READ_ONLY 1
#define LO_FLAGS_AUTOCLEAR 4
#define LO_FLAGS_PARTSCAN 8
#define LO_FLAGS_DIRECT_IO 16
#define SET_STATUS_SETTABLE (LO_FLAGS_AUTOCLEAR | LO_FLAGS_PARTSCAN)
#define SET_STATUS_CLEARABLE LO_FLAGS_AUTOCLEAR
#define CONFIGURE_SETTABLE (LO_FLAGS_READ_ONLY | LO_FLAGS_AUTOCLEAR | \
			    LO_FLAGS_PARTSCAN | LO_FLAGS_DIRECT_IO)
#define LO_NAME_SIZE 64
#define SECTOR 512
#define READAHEAD_SECTORS 256		/* Linux's default: 128 KiB */

/* Linux's struct loop_info64 (232 bytes). */
struct loop_info64 {
	uint64_t device, inode, rdevice, offset, sizelimit;
	uint32_t number, encrypt_type, encrypt_key_size, flags;
	uint8_t file_name[LO_NAME_SIZE], crypt_name[LO_NAME_SIZE];
	uint8_t encrypt_key[32];
	uint64_t init[2];
};
_Static_assert(sizeof(struct loop_info64) == 232, "Linux's loop_info64");

/* Linux's struct loop_info, the old one (168 bytes on x86_64). */
struct loop_info {
	int32_t number;
	uint32_t reserved0;
	uint64_t device, inode, rdevice;
	int32_t offset, encrypt_type, encrypt_key_size, flags;
	char name[LO_NAME_SIZE];
	uint8_t encrypt_key[32];
	uint64_t init[2];
	char reserved[8];
};
_Static_assert(sizeof(struct loop_info) == 168, "Linux's loop_info");
_Static_assert(__builtin_offsetof(struct loop_info, name) == 48, "lo_name");

/* Linux's struct loop_config (304 bytes). */
struct loop_config {
	uint32_t fd, block_size;
	struct loop_info64 info;
	uint64_t reserved[8];
};
_Static_assert(sizeof(struct loop_config) == 304, "Linux's loop_config");

/* One loop device; everything under the big lock. */
struct loop_dev {
	bool removed;			/* LOOP_CTL_REMOVE: opens fail */
	struct file *backing;		/* NULL: unbound */
	uint64_t offset, sizelimit;	/* from LOOP_SET_STATUS */
	uint64_t size;			/* bytes, fixed at bind/SET_CAPACITY */
	unsigned flags;			/* LO_FLAGS_* */
	unsigned block_size;		/* logical, 512 to 4096 */
	unsigned openers;		/* open files of the node */
	unsigned long readahead;	/* BLKRASET, sectors (0: default) */
	/* /sys/block/loopN/stat, since boot: */
	uint64_t reads, writes, sectors_read, sectors_written;
	uint8_t file_name[LO_NAME_SIZE];
	uint8_t crypt_name[LO_NAME_SIZE];
};

static struct loop_dev loops[LOOP_MAX];

static struct loop_dev *
loop_of(struct file *f)
{
	unsigned minor = f->inode->rdev & 0xff;
	return minor < LOOP_MAX ? &loops[minor] : NULL;
}

/* The device's size in bytes: the file's from the offset, up to the limit. */
static uint64_t
loop_compute_size(struct loop_dev *lo)
{
	struct inode *ino = lo->backing->inode;
	uint64_t file = ino ? ino->size : 0;
	uint64_t size = file > lo->offset ? file - lo->offset : 0;
	if (lo->sizelimit && lo->sizelimit < size)
		size = lo->sizelimit;
	return size & ~(uint64_t)(SECTOR - 1);
}

static void
loop_unbind(struct loop_dev *lo)
{
	struct file *b = lo->backing;
	struct loop_dev keep = *lo;
	*lo = (struct loop_dev){ .removed = keep.removed,
				 .openers = keep.openers,
				 .readahead = keep.readahead,
				 .reads = keep.reads, .writes = keep.writes,
				 .sectors_read = keep.sectors_read,
				 .sectors_written = keep.sectors_written };
	if (b) {
		sysfs_loop_bound((unsigned)(lo - loops), false);
		file_put(b);
	}
}

/* ---- Data ----------------------------------------------------------- */

/*
 * Moves data between the caller's iovecs and the file at the device's
 * offset *off: reads stop at the end, writes there fail with ENOSPC, as
 * Linux's block device files do.
 */
static long
loop_rw_at(struct file *f, const struct uiovec *iov, int n, bool write,
	   uint64_t *off)
{
	struct loop_dev *lo = loop_of(f);
	if (!lo || !lo->backing)
		return write ? -ENOSPC : 0;
	if (write && (lo->flags & LO_FLAGS_READ_ONLY))
		return -EPERM;
	uint64_t pos = *off, room = pos < lo->size ? lo->size - pos : 0;
	if (room == 0)
		return write ? -ENOSPC : 0;
	struct uiovec *part = kmalloc(sizeof(*part) * (n ? n : 1));
	if (!part)
		return -ENOMEM;
	int count = 0;
	for (int i = 0; i < n && room; i++) {
		part[count] = iov[i];
		if (part[count].len > room)
			part[count].len = room;
		room -= part[count].len;
		count++;
	}
	struct file *b = lo->backing;
	file_get(b);		/* LOOP_CLR_FD may come while we sleep */
	uint64_t at = lo->offset + pos;
	long r = file_rw_vec(b, part, count, write, &at);
	file_put(b);
	kfree(part);
	if (r > 0) {
		*off = pos + (uint64_t)r;
		uint64_t sectors = ((uint64_t)r + SECTOR - 1) / SECTOR;
		if (write)
			lo->writes++, lo->sectors_written += sectors;
		else
			lo->reads++, lo->sectors_read += sectors;
	}
	return r;
}

static int
loop_fsync(struct file *f, bool datasync)
{
	struct loop_dev *lo = loop_of(f);
	struct file *b = lo ? lo->backing : NULL;
	if (!b || !b->ops || !b->ops->fsync)
		return 0;
	file_get(b);
	int r = b->ops->fsync(b, datasync);
	file_put(b);
	return r;
}

static uint64_t
loop_size_of(struct file *f)
{
	struct loop_dev *lo = loop_of(f);
	return lo && lo->backing ? lo->size : 0;
}

static int
loop_open(struct file *f)
{
	struct loop_dev *lo = loop_of(f);
	if (!lo || lo->removed)
		return -ENXIO;
	lo->openers++;
	return 0;
}

/* The last close of a device marked AUTOCLEAR lets its file go. */
static void
loop_close(struct file *f)
{
	struct loop_dev *lo = loop_of(f);
	if (!lo || !lo->openers)
		return;
	if (--lo->openers == 0 && (lo->flags & LO_FLAGS_AUTOCLEAR))
		loop_unbind(lo);
}

/* ---- Binding ---------------------------------------------------------- */

static int
check_block_size(unsigned size)
{
	if (size < SECTOR || size > 4096 || (size & (size - 1)))
		return -EINVAL;
	return 0;
}

/* Takes the file at fd as lo's backing file; lo is unbound. */
static long
loop_bind(struct file *f, struct loop_dev *lo, int fd, unsigned flags,
	  unsigned block_size)
{
	struct file *b = fd_get_open(current()->proc, fd);
	if (!b)
		return -EBADF;
	if (!b->inode || (!S_ISREG(b->inode->mode) && !S_ISBLK(b->inode->mode)))
		return -EINVAL;
	if (b->ops == &loop_fops)
		return -EINVAL;	/* Linux refuses a loop over a loop too */
	if ((b->flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	if (block_size && check_block_size(block_size) < 0)
		return -EINVAL;
	if ((f->flags & O_ACCMODE) == O_RDONLY ||
	    (b->flags & O_ACCMODE) == O_RDONLY)
		flags |= LO_FLAGS_READ_ONLY;
	file_get(b);
	lo->backing = b;
	lo->flags = flags;
	lo->block_size = block_size ? block_size : SECTOR;
	lo->size = loop_compute_size(lo);
	sysfs_loop_bound((unsigned)(lo - loops), true);
	return 0;
}

/* LOOP_CLR_FD: with other openers the device goes at the last close. */
static long
loop_clear(struct loop_dev *lo)
{
	if (!lo->backing)
		return -ENXIO;
	if (lo->openers > 1) {
		lo->flags |= LO_FLAGS_AUTOCLEAR;
		return 0;
	}
	loop_unbind(lo);
	return 0;
}

static long
loop_set_info(struct loop_dev *lo, const struct loop_info64 *in)
{
	if (!lo->backing)
		return -ENXIO;
	if (in->encrypt_type != 0 || in->encrypt_key_size > 32)
		return -EINVAL;	/* no ciphers, as Linux since 5.12 */
	unsigned prev = lo->flags;
	unsigned flags = in->flags & SET_STATUS_SETTABLE;
	flags |= prev & ~SET_STATUS_SETTABLE;
	flags |= prev & ~SET_STATUS_CLEARABLE;
	lo->flags = flags;
	lo->offset = in->offset;
	lo->sizelimit = in->sizelimit;
	memcpy(lo->file_name, in->file_name, LO_NAME_SIZE);
	lo->file_name[LO_NAME_SIZE - 1] = 0;
	memcpy(lo->crypt_name, in->crypt_name, LO_NAME_SIZE);
	lo->crypt_name[LO_NAME_SIZE - 1] = 0;
	lo->size = loop_compute_size(lo);
	return 0;
}

static void
loop_get_info(struct loop_dev *lo, struct loop_info64 *out)
{
	struct inode *ino = lo->backing->inode;
	memset(out, 0, sizeof(*out));
	out->device = ino->sb ? ino->sb->dev : 0;
	out->inode = ino->ino;
	out->rdevice = ino->rdev;
	out->offset = lo->offset;
	out->sizelimit = lo->sizelimit;
	out->number = (uint32_t)(lo - loops);
	out->flags = lo->flags;
	memcpy(out->file_name, lo->file_name, LO_NAME_SIZE);
	memcpy(out->crypt_name, lo->crypt_name, LO_NAME_SIZE);
}

static void
info_from_old(const struct loop_info *old, struct loop_info64 *in)
{
	memset(in, 0, sizeof(*in));
	in->offset = (uint64_t)(int64_t)old->offset;
	in->encrypt_type = (uint32_t)old->encrypt_type;
	in->encrypt_key_size = (uint32_t)old->encrypt_key_size;
	in->flags = (uint32_t)old->flags;
	memcpy(in->file_name, old->name, LO_NAME_SIZE);
}

static void
info_to_old(const struct loop_info64 *in, struct loop_info *old)
{
	memset(old, 0, sizeof(*old));
	old->number = (int32_t)in->number;
	old->device = in->device;
	old->inode = in->inode;
	old->rdevice = in->rdevice;
	old->offset = (int32_t)in->offset;
	old->flags = (int32_t)in->flags;
	memcpy(old->name, in->file_name, LO_NAME_SIZE);
}

static long
loop_status(struct loop_dev *lo, unsigned long cmd, uint64_t arg)
{
	struct loop_info64 info;
	struct loop_info old;
	bool is_old = cmd == LOOP_SET_STATUS || cmd == LOOP_GET_STATUS;
	if (cmd == LOOP_SET_STATUS || cmd == LOOP_SET_STATUS64) {
		if (is_old ? copyin(&old, arg, sizeof(old)) < 0
			   : copyin(&info, arg, sizeof(info)) < 0)
			return -EFAULT;
		if (is_old)
			info_from_old(&old, &info);
		return loop_set_info(lo, &info);
	}
	if (!arg)
		return -EINVAL;
	if (!lo->backing)
		return -ENXIO;
	loop_get_info(lo, &info);
	if (!is_old)
		return copyout(arg, &info, sizeof(info));
	if (info.offset > 0x7fffffff)
		return -EOVERFLOW;
	info_to_old(&info, &old);
	return copyout(arg, &old, sizeof(old));
}

static long
loop_configure(struct file *f, struct loop_dev *lo, uint64_t arg)
{
	struct loop_config c;
	if (copyin(&c, arg, sizeof(c)) < 0)
		return -EFAULT;
	if (lo->backing)
		return -EBUSY;
	if (c.info.encrypt_type != 0)
		return -EINVAL;
	long r = loop_bind(f, lo, (int)c.fd,
			   c.info.flags & CONFIGURE_SETTABLE, c.block_size);
	if (r < 0)
		return r;
	unsigned flags = lo->flags;
	c.info.flags = flags;
	r = loop_set_info(lo, &c.info);
	lo->flags = flags;
	if (r < 0)
		loop_unbind(lo);
	return r;
}

/* LOOP_CHANGE_FD: only a read-only device, for a file of the same size. */
static long
loop_change_fd(struct loop_dev *lo, int fd)
{
	if (!lo->backing)
		return -ENXIO;
	if (!(lo->flags & LO_FLAGS_READ_ONLY))
		return -EINVAL;
	struct file *b = fd_get_open(current()->proc, fd);
	if (!b)
		return -EBADF;
	if (!b->inode || !S_ISREG(b->inode->mode) ||
	    b->inode->size != lo->backing->inode->size)
		return -EINVAL;
	file_get(b);
	file_put(lo->backing);
	lo->backing = b;
	return 0;
}

/* ---- ioctl ------------------------------------------------------------ */

static long
put_u64(uint64_t arg, uint64_t v)
{
	return copyout(arg, &v, sizeof(v));
}

static long
put_int(uint64_t arg, int v)
{
	return copyout(arg, &v, sizeof(v));
}

/* The block device calls every disk answers (Linux's blkdev_ioctl). */
static long
loop_blk_ioctl(struct loop_dev *lo, unsigned long cmd, uint64_t arg)
{
	uint64_t size = lo->backing ? lo->size : 0;
	int ro = (lo->flags & LO_FLAGS_READ_ONLY) != 0;
	switch (cmd) {
	case BLKGETSIZE64: return put_u64(arg, size);
	case BLKGETSIZE: return put_u64(arg, size / SECTOR);
	case BLKSSZGET:
	case BLKPBSZGET:
	case BLKIOMIN: return put_int(arg, (int)(lo->block_size ? lo->block_size : SECTOR));
	case BLKBSZGET: return put_int(arg, size % 4096 ? SECTOR : 4096);
	case BLKIOOPT:
	case BLKALIGNOFF:
	case BLKDISCARDZEROES: return put_int(arg, 0);
	case BLKROGET: return put_int(arg, ro);
	case BLKROSET: {
		int v;
		if (copyin(&v, arg, sizeof(v)) < 0)
			return -EFAULT;
		if (!capable(CAP_SYS_ADMIN))
			return -EACCES;
		if (lo->backing && !v &&
		    (lo->backing->flags & O_ACCMODE) == O_RDONLY)
			return -EACCES;
		lo->flags = v ? lo->flags | LO_FLAGS_READ_ONLY
			      : lo->flags & ~LO_FLAGS_READ_ONLY;
		return 0;
	}
	case BLKFLSBUF:
		return !capable(CAP_SYS_ADMIN) ? -EACCES : 0;
	case BLKRAGET:
	case BLKFRAGET:
		return put_u64(arg, lo->readahead ? lo->readahead - 1
						  : READAHEAD_SECTORS);
	case BLKRASET:
	case BLKFRASET:
		if (!capable(CAP_SYS_ADMIN))
			return -EACCES;
		/* Kept in pages, as Linux's ra_pages; +1 so 0 is a value. */
		lo->readahead = arg / 8 * 8 + 1;
		return 0;
	case BLKSECTGET: {
		uint16_t max = 2560;	/* Linux's max_sectors for a loop */
		return copyout(arg, &max, sizeof(max));
	}
	case BLKBSZSET: {
		int v;
		if (copyin(&v, arg, sizeof(v)) < 0)
			return -EFAULT;
		return check_block_size((unsigned)v);
	}
	case BLKRRPART:
		return -EINVAL;	/* no partition scanning */
	case BLKDISCARD:
	case BLKZEROOUT:
		return -EOPNOTSUPP;	/* as over a file system without holes */
	}
	return -ENOTTY;
}

static long
loop_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	struct loop_dev *lo = loop_of(f);
	if (!lo)
		return -ENXIO;
	switch (cmd) {
	case LOOP_SET_FD:
		return lo->backing ? -EBUSY : loop_bind(f, lo, (int)arg, 0, 0);
	case LOOP_CONFIGURE:
		return loop_configure(f, lo, arg);
	case LOOP_CHANGE_FD:
		return loop_change_fd(lo, (int)arg);
	case LOOP_CLR_FD:
		return loop_clear(lo);
	case LOOP_SET_STATUS:
	case LOOP_GET_STATUS:
	case LOOP_SET_STATUS64:
	case LOOP_GET_STATUS64:
		return loop_status(lo, cmd, arg);
	case LOOP_SET_CAPACITY:
		if (!lo->backing)
			return -ENXIO;
		lo->size = loop_compute_size(lo);
		return 0;
	case LOOP_SET_DIRECT_IO:
		if (!lo->backing)
			return -ENXIO;
		lo->flags = arg ? lo->flags | LO_FLAGS_DIRECT_IO
				: lo->flags & ~LO_FLAGS_DIRECT_IO;
		return 0;
	case LOOP_SET_BLOCK_SIZE:
		if (!lo->backing)
			return -ENXIO;
		if (arg > 4096 || check_block_size((unsigned)arg) < 0)
			return -EINVAL;
		lo->block_size = (unsigned)arg;
		return 0;
	}
	return loop_blk_ioctl(lo, cmd, arg);
}

const struct file_ops loop_fops = {
	.rw_at = loop_rw_at, .ioctl = loop_ioctl, .fsync = loop_fsync,
	.open = loop_open, .close = loop_close, .size = loop_size_of,
	.seekable = true,
};

/* ---- /dev/loop-control ------------------------------------------------- */

static long
control_ioctl(struct file *f, unsigned long cmd, uint64_t arg)
{
	(void)f;
	if (cmd == LOOP_CTL_GET_FREE) {
		for (int i = 0; i < LOOP_MAX; i++)
			if (!loops[i].removed && !loops[i].backing)
				return i;
		return -ENOSPC;	/* Linux would make another one */
	}
	if (cmd != LOOP_CTL_ADD && cmd != LOOP_CTL_REMOVE)
		return -ENOTTY;
	if (arg >= LOOP_MAX)
		return cmd == LOOP_CTL_ADD ? -ENOSPC : -ENODEV;
	struct loop_dev *lo = &loops[arg];
	if (cmd == LOOP_CTL_ADD) {
		if (!lo->removed)
			return -EEXIST;
		lo->removed = false;
		return (long)arg;
	}
	if (lo->removed)
		return -ENODEV;
	if (lo->backing || lo->openers)
		return -EBUSY;
	lo->removed = true;
	return (long)arg;
}

const struct file_ops loop_control_fops = {
	.ioctl = control_ioctl,
};

/* ---- /sys/block/loopN ------------------------------------------------- */

/*
 * Linux's block device statistics, as its 17 numbers: requests and
 * sectors read and written count; times are the requests' number in ms
 * (nothing is timed here, but io_ticks must not be 0 once I/O was done).
 */
static int
stat_text(struct loop_dev *lo, char *text, size_t size)
{
	unsigned long long r = lo->reads, w = lo->writes;
	return snprintk(text, size,
			"%8llu %8u %8llu %8llu %8llu %8u %8llu %8llu %8u "
			"%8llu %8llu %8u %8u %8u %8u %8u %8u\n",
			r, 0, (unsigned long long)lo->sectors_read, r, w, 0,
			(unsigned long long)lo->sectors_written, w, 0,
			r + w, r + w, 0, 0, 0, 0, 0, 0);
}

/* The text of attribute attr of lo, as Linux shows it. */
static int
attr_text(struct loop_dev *lo, unsigned attr, char *text, size_t size)
{
	switch (attr) {
	case LOOP_ATTR_STAT:
		return stat_text(lo, text, size);
	case LOOP_ATTR_SIZE:
		return snprintk(text, size, "%llu\n", (unsigned long long)
				(lo->backing ? lo->size / SECTOR : 0));
	case LOOP_ATTR_RO:
		return snprintk(text, size, "%d\n",
				(lo->flags & LO_FLAGS_READ_ONLY) != 0);
	}
	if (!lo->backing)
		return -ENXIO;	/* cleared while the file was open */
	switch (attr) {
	case LOOP_ATTR_BACKING_FILE: {
		/* As the reader names it (Linux's file_path). */
		long n = vfs_file_path(current()->proc, lo->backing, text,
				       size - 1);
		if (n < 0)
			return (int)n;
		n = (long)strlen(text);
		text[n] = '\n';
		return (int)n + 1;
	}
	case LOOP_ATTR_OFFSET:
		return snprintk(text, size, "%llu\n",
				(unsigned long long)lo->offset);
	case LOOP_ATTR_SIZELIMIT:
		return snprintk(text, size, "%llu\n",
				(unsigned long long)lo->sizelimit);
	case LOOP_ATTR_AUTOCLEAR:
		return snprintk(text, size, "%d\n",
				(lo->flags & LO_FLAGS_AUTOCLEAR) != 0);
	case LOOP_ATTR_PARTSCAN:
		return snprintk(text, size, "%d\n",
				(lo->flags & LO_FLAGS_PARTSCAN) != 0);
	case LOOP_ATTR_DIO:
		return snprintk(text, size, "%d\n",
				(lo->flags & LO_FLAGS_DIRECT_IO) != 0);
	}
	return -ENXIO;
}

/* A read of /sys/block/loopN/ATTR: the node's rdev is N | ATTR << 8. A
 * path wants a buffer of its own (PATH_MAX_K), the rest fit the stack. */
static long
attr_read(struct file *f, void *buf, size_t len, uint64_t *off)
{
	unsigned minor = f->inode->rdev & 0xff, attr = f->inode->rdev >> 8;
	if (minor >= LOOP_MAX)
		return -ENXIO;
	char small[256], *text = small;
	size_t size = sizeof(small);
	if (attr == LOOP_ATTR_BACKING_FILE) {
		size = PATH_MAX_K + 1;
		if (!(text = kmalloc(size)))
			return -ENOMEM;
	}
	long n = attr_text(&loops[minor], attr, text, size);
	if (n >= 0) {
		size_t count = *off < (uint64_t)n ?
			       MIN(len, (size_t)n - *off) : 0;
		memcpy(buf, text + *off, count);
		*off += count;
		n = (long)count;
	}
	if (text != small)
		kfree(text);
	return n;
}

const struct file_ops loop_attr_fops = {
	.read = attr_read, .seekable = true,
};

bool
loop_bound(unsigned minor)
{
	return minor < LOOP_MAX && loops[minor].backing;
}

bool
loop_read_only(struct inode *ino)
{
	unsigned minor = ino->rdev & 0xff;
	return minor < LOOP_MAX && (loops[minor].flags & LO_FLAGS_READ_ONLY);
}

int
loop_check_source(struct inode *ino)
{
	if (!S_ISBLK(ino->mode) || ino->fops != &loop_fops)
		return -ENOTBLK;
	unsigned minor = ino->rdev & 0xff;
	if (minor >= LOOP_MAX || !loops[minor].backing)
		return -ENXIO;
	return 0;
}
