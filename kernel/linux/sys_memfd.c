/*
 * memfd_create and file seals (fcntl F_ADD_SEALS, F_GET_SEALS): a memfd is
 * a tmpfs file in no directory (kernel/fs/tmpfs.c), mapped and read like
 * any other, which its maker may seal against changes before handing it
 * on. tmpfs itself refuses what the seals forbid.
 */
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/vm.h>
#include <kernel/tmpfs.h>
#include <kernel/syscall.h>
#include <kernel/errno.h>
#include <syscall_table.h>

#define MFD_CLOEXEC 0x0001
#define MFD_ALLOW_SEALING 0x0002
/* Linux's NAME_MAX less "memfd:": the name's longest, its NUL not counted. */
#define MEMFD_NAME_MAX 249
/* The seals Linux 6.1 knows; F_SEAL_EXEC (6.3) is not one of them. */
#define SEALS_ALL (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | \
		   F_SEAL_FUTURE_WRITE)

long
sys_memfd_create(uaddr_t uname, unsigned flags)
{
	char name[MEMFD_NAME_MAX + 1];
	/* MFD_HUGETLB: no huge pages here, as Linux without hugetlbfs. */
	if (flags & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING))
		return -EINVAL;
	long len = copyinstr(name, uname, sizeof(name));
	if (len == -ENAMETOOLONG)
		return -EINVAL;
	if (len < 0)
		return len;
	struct inode *ino = tmpfs_memfd_new(name, flags & MFD_ALLOW_SEALING);
	if (!ino)
		return -ENOMEM;
	struct file *f = vfs_open_inode(ino, O_RDWR);
	inode_put(ino);
	if (IS_ERR(f))
		return PTR_ERR(f);
	int fd = fd_install(current()->proc, f, 0, flags & MFD_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

/* Linux's memfd_add_seals, in its order of checks. */
static long
add_seals(struct file *f, unsigned seals)
{
	if ((f->flags & O_ACCMODE) == O_RDONLY)
		return -EPERM;
	if (seals & ~SEALS_ALL)
		return -EINVAL;
	int now = f->inode ? tmpfs_seals(f->inode) : -EINVAL;
	if (now < 0)
		return now;
	if (now & F_SEAL_SEAL)
		return -EPERM;
	/* A writable shared mapping would write on behind the seal. */
	if ((seals & F_SEAL_WRITE) && !(now & F_SEAL_WRITE) &&
	    vm_file_mapped_writable(f->inode))
		return -EBUSY;
	return tmpfs_set_seals(f->inode, (unsigned)now | seals);
}

long
memfd_fcntl(struct file *f, int cmd, unsigned arg)
{
	if (cmd == F_ADD_SEALS)
		return add_seals(f, arg);
	return f->inode ? tmpfs_seals(f->inode) : -EINVAL;
}
