/*
 * File handles: name_to_handle_at gives a file's handle, the same bytes
 * fanotify's FID reports carry (kernel/linux/sys_fanotify.c), so that a
 * listener can tell which file an event is about. open_by_handle_at finds
 * the inode again by its number, searching the mount's tree (no file
 * system here keeps an index by number): a file with no name left is
 * ESTALE, and the search costs a walk of the mount's directories.
 */
#include <kernel/proc.h>
#include <kernel/caps.h>
#include <kernel/vfs.h>
#include <kernel/vm.h>
#include <kernel/kmalloc.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/fanotify.h>
#include <kernel/stat.h>
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
		ino = f ? f->inode : p->fs->cwd;
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

/* The head of struct linux_dirent64. */
struct dirent_head {
	uint64_t ino;
	int64_t off;
	uint16_t reclen;
	uint8_t type;
	char name[];
};

#define FIND_DEPTH 64		/* deeper trees are not searched */

static struct inode *find_below(struct inode *dir, uint64_t number, int depth);

/* The child of dir that one directory record names, if it is the inode
 * numbered number or leads to it: a new reference, or NULL. */
static struct inode *
find_through(struct inode *dir, const struct dirent_head *d, uint64_t number,
	     int depth)
{
	size_t len = strlen(d->name);
	if ((len == 1 && d->name[0] == '.') ||
	    (len == 2 && d->name[0] == '.' && d->name[1] == '.'))
		return NULL;
	if (d->ino != number && d->type != DT_DIR)
		return NULL;
	struct inode *child = dir->iops->lookup(dir, d->name, len);
	if (IS_ERR(child))
		return NULL;
	if (child->ino == number && child->sb == dir->sb)
		return child;
	struct inode *found = S_ISDIR(child->mode) && child->sb == dir->sb ?
			      find_below(child, number, depth + 1) : NULL;
	inode_put(child);
	return found;
}

/* Depth first through dir's tree for the inode numbered number. May
 * sleep (a server's directories). */
static struct inode *
find_below(struct inode *dir, uint64_t number, int depth)
{
	if (depth > FIND_DEPTH || !dir->iops->lookup)
		return NULL;
	struct file *f = vfs_open_inode(dir, O_RDONLY | O_DIRECTORY);
	if (IS_ERR(f))
		return NULL;
	char *buf = f->ops && f->ops->getdents ? kmalloc(PAGE_SIZE) : NULL;
	struct inode *found = NULL;
	uint64_t pos = 0;
	long n;
	while (buf && !found &&
	       (n = f->ops->getdents(f, buf, PAGE_SIZE, &pos)) > 0) {
		for (long i = 0; i < n && !found;) {
			const struct dirent_head *d = (void *)(buf + i);
			found = find_through(dir, d, number, depth);
			i += d->reclen;
		}
	}
	kfree(buf);
	file_put(f);
	return found;
}

/* The inode a handle names on the mount that holds mnt: a new reference,
 * or -ESTALE. */
static struct inode *
handle_inode(struct inode *mnt, const uint8_t *handle, uint32_t bytes,
	     int type)
{
	int id = file_mount_id(mnt);
	if (!id || type != FILEID_INO32_GEN || bytes != FILE_HANDLE_BYTES)
		return ERR_PTR(-ESTALE);
	uint32_t words[2];
	memcpy(words, handle, sizeof(words));
	uint64_t number = words[0] | (uint64_t)words[1] << 32;
	struct inode *root = mounts[id - 1].root;
	if (root->ino == number) {
		inode_get(root);
		return root;
	}
	struct inode *found = find_below(root, number, 0);
	return found ? found : ERR_PTR(-ESTALE);
}

/* The directory mount_fd names (a new reference), as Linux's
 * get_path_from_fd. */
static struct inode *
mount_dir(int mount_fd)
{
	struct proc *p = current()->proc;
	if (mount_fd == AT_FDCWD) {
		inode_get(p->fs->cwd);
		return p->fs->cwd;
	}
	struct file *f = fd_hold_path(mount_fd);
	if (!f || !f->inode)
		return ERR_PTR(-EBADF);
	inode_get(f->inode);
	return f->inode;
}

/*
 * open_by_handle_at: Linux's order of checks (the mount's descriptor,
 * CAP_DAC_READ_SEARCH, which is euid 0 here, the handle's size), then
 * the file opened as open(2) would open it: a symlink is ELOOP.
 */
long
sys_open_by_handle_at(int mount_fd, uaddr_t uhandle, int flags)
{
	struct proc *p = current()->proc;
	struct inode *mnt = mount_dir(mount_fd);
	if (IS_ERR(mnt))
		return PTR_ERR(mnt);
	struct {
		uint32_t handle_bytes;
		int32_t handle_type;
		uint8_t handle[MAX_HANDLE_SZ];
	} h;
	long r = !proc_capable(p, CAP_DAC_READ_SEARCH) ? -EPERM :
		 copyin(&h, uhandle, 8) < 0 ? -EFAULT :
		 h.handle_bytes == 0 || h.handle_bytes > MAX_HANDLE_SZ ? -EINVAL :
		 copyin(h.handle, uhandle + 8, h.handle_bytes) < 0 ? -EFAULT : 0;
	struct inode *ino = r ? ERR_PTR(r) :
			    handle_inode(mnt, h.handle, h.handle_bytes,
					 h.handle_type);
	inode_put(mnt);
	if (IS_ERR(ino))
		return PTR_ERR(ino);
	struct file *f = vfs_open_existing(p, ino, (unsigned)flags);
	inode_put(ino);
	if (IS_ERR(f))
		return PTR_ERR(f);
	int fd = fd_install(p, f, 0, flags & O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}
