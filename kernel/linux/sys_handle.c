/*
 * File handles: name_to_handle_at gives a file's handle, the same bytes
 * fanotify's FID reports carry (kernel/linux/sys_fanotify.c), so that a
 * listener can tell which file an event is about. open_by_handle_at is not
 * there: no file system here can find an inode by its number alone.
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/vm.h>
#include <kernel/kmalloc.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/fanotify.h>
#include "path.h"

#define AT_HANDLE_FID 0x200		/* AT_REMOVEDIR's value */
#define MAX_HANDLE_SZ 128
#define FILEID_INO32_GEN 1

/* Linux's FILEID_INO32_GEN: the inode number's low 32 bits, then what
   would be the generation (here its high bits). */
int
file_handle_encode(struct inode *ino, uint8_t *out)
{
	uint32_t words[2] = { (uint32_t)ino->ino, (uint32_t)(ino->ino >> 32) };
	memcpy(out, words, FILE_HANDLE_BYTES);
	return FILEID_INO32_GEN;
}

int
file_mount_id(struct inode *ino)
{
	for (int i = 0; i < MOUNT_MAX; i++)
		if (mounts[i].root && mounts[i].root->sb == ino->sb)
			return i + 1;
	return 0;
}

static struct inode *
handle_target(int dirfd, uaddr_t upath, int flags)
{
	struct proc *p = current()->proc;
	long err = 0;
	char *path = getpath(upath, &err);
	if (!path)
		return ERR_PTR(err);
	struct inode *ino;
	if (path[0] == 0 && (flags & AT_EMPTY_PATH)) {
		struct file *f = dirfd == AT_FDCWD ? NULL : fd_hold_path(dirfd);
		if (dirfd != AT_FDCWD && (!f || !f->inode)) {
			kfree(path);
			return ERR_PTR(-EBADF);
		}
		ino = f ? f->inode : p->cwd;
		inode_get(ino);
	} else {
		ino = vfs_lookup(p, dirfd, path, flags & AT_SYMLINK_FOLLOW);
	}
	kfree(path);
	return ino;
}

long
sys_name_to_handle_at(int dirfd, uaddr_t upath, uaddr_t uhandle,
		      uaddr_t umount_id, int flags)
{
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH | AT_HANDLE_FID))
		return -EINVAL;
	struct inode *ino = handle_target(dirfd, upath, flags);
	if (IS_ERR(ino))
		return PTR_ERR(ino);
	struct {
		uint32_t handle_bytes;
		int32_t handle_type;
		uint8_t handle[FILE_HANDLE_BYTES];
	} h;
	h.handle_type = file_handle_encode(ino, h.handle);
	int mount_id = file_mount_id(ino);
	inode_put(ino);
	uint32_t room;
	if (copyin(&room, uhandle, sizeof(room)) < 0)
		return -EFAULT;
	if (room > MAX_HANDLE_SZ)
		return -EINVAL;
	/* Too small: the header alone says how much it takes (EOVERFLOW),
	   and the mount id is given all the same, as Linux does. */
	long r = room < FILE_HANDLE_BYTES ? -EOVERFLOW : 0;
	h.handle_bytes = FILE_HANDLE_BYTES;
	size_t size = r ? offsetof(typeof(h), handle) : sizeof(h);
	if (copyout(umount_id, &mount_id, sizeof(mount_id)) < 0 ||
	    copyout(uhandle, &h, size) < 0)
		return -EFAULT;
	return r;
}
