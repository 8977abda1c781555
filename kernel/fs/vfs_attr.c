/*
 * Attributes and directory entries: setattr and getattr through a file
 * system's operations (with the inotify event the change makes), and the
 * linux_dirent64 records getdents64 returns.
 */
#include <kernel/vfs.h>
#include <kernel/inotify.h>
#include <kernel/errno.h>
#include <kernel/string.h>

static int
setattr_apply(struct inode *ino, const struct iattr_k *a)
{
	if (ino->iops && ino->iops->setattr)
		return ino->iops->setattr(ino, a);
	if (a->mask & IATTR_SIZE) {
		int e = ino->iops && ino->iops->truncate ?
			ino->iops->truncate(ino, a->size) : -EINVAL;
		if (e < 0)
			return e;
	}
	if (a->mask & IATTR_MODE)
		ino->mode = (ino->mode & S_IFMT) | (a->mode & 07777);
	if (a->mask & IATTR_UID)
		ino->uid = a->uid;
	if (a->mask & IATTR_GID)
		ino->gid = a->gid;
	if (a->mask & IATTR_ATIME)
		ino->atime = a->atime;
	if (a->mask & IATTR_MTIME)
		ino->mtime = a->mtime;
	inode_touch(ino, false, false, true);
	return 0;
}

/* The inotify event a change of attributes makes (Linux's fsnotify_change). */
static uint32_t
setattr_event(unsigned mask)
{
	uint32_t ev = 0;
	if (mask & (IATTR_MODE | IATTR_UID | IATTR_GID))
		ev |= IN_ATTRIB;
	if (mask & IATTR_SIZE)
		ev |= IN_MODIFY;
	if ((mask & (IATTR_ATIME | IATTR_MTIME)) == (IATTR_ATIME | IATTR_MTIME))
		ev |= IN_ATTRIB;	/* both times: a utime call */
	else if (mask & IATTR_ATIME)
		ev |= IN_ACCESS;
	else if (mask & IATTR_MTIME)
		ev |= IN_MODIFY;
	return ev;
}

int
vfs_setattr(struct inode *ino, const struct iattr_k *a)
{
	int e = setattr_apply(ino, a);
	if (e == 0 && inotify_active())
		inotify_inode_event(ino, setattr_event(a->mask));
	return e;
}

int
vfs_getattr(struct inode *ino)
{
	return ino->iops && ino->iops->getattr ? ino->iops->getattr(ino) : 0;
}

const char *
dir_name_of(struct inode *dir, struct inode *child)
{
	return dir->iops && dir->iops->name_of ? dir->iops->name_of(dir, child) : NULL;
}

unsigned
dirent_type(unsigned mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR: return DT_DIR;
	case S_IFREG: return DT_REG;
	case S_IFLNK: return DT_LNK;
	case S_IFCHR: return DT_CHR;
	case S_IFIFO: return DT_FIFO;
	case S_IFSOCK: return DT_SOCK;
	case S_IFBLK: return DT_BLK;
	}
	return DT_UNKNOWN;
}

size_t
dirent_emit(void *buf, size_t room, uint64_t ino, uint64_t next_pos,
	    unsigned type, const char *name, size_t len)
{
	size_t reclen = ALIGN_UP(19 + len + 1, 8);
	if (reclen > room)
		return 0;
	uint8_t *d = buf;
	memset(d, 0, reclen);
	memcpy(d, &ino, 8);
	memcpy(d + 8, &next_pos, 8);
	uint16_t rl = (uint16_t)reclen;
	memcpy(d + 16, &rl, 2);
	d[18] = (uint8_t)type;
	memcpy(d + 19, name, len);
	return reclen;
}
