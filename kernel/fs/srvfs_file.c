/*
 * Open files of server-backed file systems (kernel/fs/srvfs.c): reads and
 * writes move straight between the caller's buffers and the server (the
 * call's segments), and directories come back as linux_dirent64 records
 * the kernel checks before anyone parses them. The pages kept for
 * mappings (kernel/fs/srvfs_pages.c) follow every write, and their
 * stores reach the server before a read or an fsync.
 */
#include <kernel/srvfs.h>
#include <kernel/ipc.h>
#include <kernel/proc.h>
#include <kernel/page.h>
#include <kernel/kmalloc.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include <kernel/vm.h>
#include <kernel/mount.h>
#include <arch/mmu.h>

#define RW_MAX 0x7ffff000ul		/* Linux's MAX_RW_COUNT */
/* ---- Data ------------------------------------------------------------------- */

static int
srv_open(struct file *f)
{
	struct srv_node *n = srv_node(f->inode);
	if (n->epoch != n->fs->epoch || !n->fs->chan)
		return -EIO;
	n->fs->open_files++;
	return 0;
}

/* The last file open on a lazily unmounted file system (srv_detach): its
 * server unmounts it now, writing everything back. May sleep. */
static void
srv_close(struct file *f)
{
	struct srvfs *fs = srv_node(f->inode)->fs;
	if (--fs->open_files == 0 && fs->detached) {
		fs->detached = false;
		if (fs->chan)
			fs->sb.ops->unmount(&fs->sb);
		inode_put(fs->root);	/* srv_detach's */
	}
}

/*
 * A read of f's data or entries moves its atime as the mount's rule says
 * (Linux's file_accessed; relatime: only past the last change): the
 * server keeps the times, so it is told. Not on a read-only mount.
 */
static void
srv_accessed(struct file *f)
{
	if (f->inode->sb->read_only || !mount_atime_due(f))
		return;
	struct iattr_k a = { .mask = IATTR_ATIME | IATTR_ACCESSED };
	vfs_now(&a.atime);
	f->inode->iops->setattr(f->inode, &a);	/* a failure changes nothing */
}

/* One READ or WRITE call of up to PT_SEG_MAX segments at *off. */
static long
rw_call(struct file *f, const struct chan_seg *segs, unsigned nseg,
	bool write, uint64_t *off)
{
	struct inode *ino = f->inode;
	struct srv_node *n = srv_node(ino);
	bool append = write && (f->flags & O_APPEND);
	struct pt_fs_msg m = {
		.op = write ? PT_FS_WRITE : PT_FS_READ, .ino = ino->ino,
		.off = *off, .flags = append ? PT_FS_APPEND : 0,
	};
	struct pt_fs_reply rep;
	size_t want = 0;
	for (unsigned i = 0; i < nseg; i++)
		want += segs[i].len;
	/* What a mapping stored must be read, or kept from being undone. */
	if (!write && n->dirty_pages) {
		int e = srv_writeback(ino, *off, want, false);
		if (e < 0)
			return e;
	}
	long r = srv_call(n, &m, &rep, segs, nseg);
	if (r < 0)
		return r;
	if ((size_t)r > want)
		return -EIO;	/* a server that claims more than it was given */
	if (write) {
		uint64_t old_size = ino->size;
		srv_attr_apply(ino, &rep.attr);
		uint64_t start = append ? ino->size - MIN(ino->size, (uint64_t)r) : *off;
		srv_pages_grown(n, old_size, ino->size);
		srv_pages_written(n, start, segs, nseg, (uint64_t)r);
		*off = start + (uint64_t)r;
	} else {
		*off += (uint64_t)r;
		srv_accessed(f);
	}
	return r;
}

static long
srv_read(struct file *f, void *buf, size_t len, uint64_t *off)
{
	struct chan_seg seg = srv_kseg(buf, len, PT_SEG_OUT);
	return rw_call(f, &seg, 1, false, off);
}

static long
srv_write(struct file *f, const void *buf, size_t len, uint64_t *off)
{
	struct chan_seg seg = srv_kseg((void *)buf, len, PT_SEG_IN);
	return rw_call(f, &seg, 1, true, off);
}

/* The caller's iovecs, PT_SEG_MAX at a time, until one call comes up short. */
static long
srv_rw_at(struct file *f, const struct uiovec *iov, int n, bool write,
	  uint64_t *off)
{
	uint32_t flags = write ? PT_SEG_IN : PT_SEG_OUT;
	size_t total = 0;
	int i = 0;
	while (i < n && total < RW_MAX) {
		struct chan_seg segs[PT_SEG_MAX];
		unsigned nseg = 0;
		size_t want = 0;
		for (; i < n && nseg < PT_SEG_MAX && total + want < RW_MAX; i++) {
			if (iov[i].len == 0)
				continue;
			size_t len = MIN(iov[i].len, RW_MAX - total - want);
			if (!user_range_ok(iov[i].base, len))
				return total ? (long)total : -EFAULT;
			segs[nseg++] = (struct chan_seg){ .addr = iov[i].base,
							 .len = len,
							 .flags = flags };
			want += len;
		}
		if (nseg == 0)
			break;
		long r = rw_call(f, segs, nseg, write, off);
		if (r < 0)
			return total ? (long)total : r;
		total += (size_t)r;
		if ((size_t)r < want)
			break;
	}
	return (long)total;
}

static int
srv_fsync(struct file *f, bool datasync)
{
	int e = srv_writeback(f->inode, 0, UINT64_MAX, false);
	if (e < 0)
		return e;
	struct pt_fs_msg m = { .op = PT_FS_FSYNC, .ino = f->inode->ino,
			       .flags = datasync ? PT_FS_DATASYNC : 0 };
	long r = srv_call(srv_node(f->inode), &m, NULL, NULL, 0);
	return r < 0 ? (int)r : 0;
}

/* ---- Directories ------------------------------------------------------------- */

/* True if buf holds len bytes of well-formed linux_dirent64 records. */
static bool
dirents_ok(const uint8_t *buf, size_t len)
{
	size_t at = 0;
	while (at < len) {
		uint16_t reclen;
		if (len - at < 24)
			return false;
		memcpy(&reclen, buf + at + 16, 2);
		if (reclen < 24 || reclen % 8 || reclen > len - at)
			return false;
		if (strnlen((const char *)buf + at + 19, reclen - 19u) ==
		    reclen - 19u || buf[at + 19] == 0)
			return false;	/* no terminator, or no name */
		at += reclen;
	}
	return true;
}

static long
srv_getdents(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	struct pt_fs_msg m = { .op = PT_FS_READDIR, .ino = f->inode->ino,
			       .off = *pos };
	struct pt_fs_reply rep;
	struct chan_seg seg = srv_kseg(buf, len, PT_SEG_OUT);
	long r = srv_call(srv_node(f->inode), &m, &rep, &seg, 1);
	if (r < 0)
		return r;
	if ((size_t)r > len || !dirents_ok(buf, (size_t)r))
		return -EIO;
	if (r > 0)
		*pos = rep.pos;	/* 0 bytes: the end, and the position stays */
	srv_accessed(f);
	return r;
}

const struct file_ops srv_file_fops = {
	.open = srv_open,
	.close = srv_close,
	.read = srv_read,
	.write = srv_write,
	.rw_at = srv_rw_at,
	.fsync = srv_fsync,
	.seekable = true,
};

const struct file_ops srv_dir_fops = {
	.open = srv_open,
	.close = srv_close,
	.getdents = srv_getdents,
	.fsync = srv_fsync,
	.seekable = true,
};
