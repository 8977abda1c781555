/*
 * mount and umount2 as root: a tmpfs mounted on a fresh directory holds
 * files, umount takes it off (the directory is empty again, a second
 * umount is EINVAL), but not while a file on it is open or it is the
 * working directory (EBUSY); then MNT_DETACH does; an unknown type is ENODEV; ext2 from a regular file
 * or a character device is ENOTBLK; a mount on a file is ENOTDIR; a
 * mount point cannot be renamed, renamed over or removed (EBUSY).
 * mknod of character and block nodes (0:0, which no driver has: opening
 * them gives ENXIO; 1:5 reaches /dev/zero's driver), EINVAL for an
 * unknown type and EPERM for a directory, and EPERM for a user who is
 * not root.
 */
#include "abi.h"

#include <grp.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>

static char dir[64], file[80];

static void
test_tmpfs(void)
{
	CHECK_EQ("mount tmpfs", mount("none", dir, "tmpfs", 0, "size=1m"), 0);
	char path[128];
	snprintf(path, sizeof(path), "%s/inside", dir);
	int fd = open(path, O_CREAT | O_WRONLY, 0600);
	CHECK("a file on it", fd >= 0);
	CHECK_ERR("umount with the file open", umount(dir), EBUSY);
	close(fd);
	CHECK_EQ("chdir into it", chdir(dir), 0);
	CHECK_ERR("umount of the working directory", umount(dir), EBUSY);
	CHECK_EQ("chdir out", chdir("/"), 0);
	CHECK_EQ("umount", umount(dir), 0);
	CHECK_ERR("the file went with it", access(path, F_OK), ENOENT);
	CHECK_ERR("umount again", umount(dir), EINVAL);
	mount("none", dir, "tmpfs", 0, NULL);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	CHECK_EQ("MNT_DETACH with a file open", umount2(dir, MNT_DETACH), 0);
	CHECK_EQ("which still works", write(fd, "x", 1), 1);
	close(fd);
}

/* A mount point cannot be renamed, renamed over or removed (EBUSY). */
static void
test_mount_point_busy(void)
{
	char moved[80], other[80];
	snprintf(moved, sizeof(moved), "%s.moved", dir);
	snprintf(other, sizeof(other), "%s.other", dir);
	CHECK_EQ("mount tmpfs again", mount("none", dir, "tmpfs", 0, NULL), 0);
	CHECK_ERR("rename of the mount point", rename(dir, moved), EBUSY);
	CHECK_EQ("mkdir another", mkdir(other, 0700), 0);
	CHECK_ERR("rename over the mount point", rename(other, dir), EBUSY);
	CHECK_ERR("rmdir of the mount point", rmdir(dir), EBUSY);
	CHECK_ERR("the name did not move", access(moved, F_OK), ENOENT);
	CHECK_EQ("umount", umount(dir), 0);
	CHECK_EQ("then rename works", rename(other, moved), 0);
	rmdir(moved);
}

static void
test_errors(void)
{
	CHECK_ERR("an unknown type", mount("none", dir, "nosuchfs", 0, NULL),
	    ENODEV);
	CHECK_ERR("ext2 from a regular file", mount(file, dir, "ext2", 0,
	    NULL), ENOTBLK);
	CHECK_ERR("ext2 from /dev/null", mount("/dev/null", dir, "ext2", 0,
	    NULL), ENOTBLK);
	CHECK_ERR("ext2 from nothing there", mount("/nonexistent", dir,
	    "ext2", 0, NULL), ENOENT);
	CHECK_ERR("tmpfs on a file", mount("none", file, "tmpfs", 0, NULL),
	    ENOTDIR);
}

static void
test_mknod(void)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/chr", dir);
	CHECK_EQ("mknod a character node", mknod(path, S_IFCHR | 0600,
	    makedev(0, 0)), 0);
	struct stat st;
	stat(path, &st);
	CHECK("it is one", S_ISCHR(st.st_mode) && st.st_rdev == 0);
	CHECK_ERR("no driver has it", open(path, O_RDONLY), ENXIO);
	unlink(path);
	CHECK_ERR("mknod of type S_IFMT", mknod(path, S_IFMT | 0600, 0),
	    EINVAL);
	CHECK_ERR("mknod of a directory", mknod(path, S_IFDIR | 0600, 0),
	    EPERM);
	CHECK_EQ("mknod 1:5 (zero) elsewhere", mknod(path, S_IFCHR | 0600,
	    makedev(1, 5)), 0);
	int fd = open(path, O_RDWR);
	char byte = 'x';
	CHECK_EQ("reads a zero", read(fd, &byte, 1) == 1 && byte == 0, 1);
	CHECK_EQ("takes a write", write(fd, &byte, 1), 1);
	close(fd);
	unlink(path);
	snprintf(path, sizeof(path), "%s/blk", dir);
	CHECK_EQ("mknod a block node", mknod(path, S_IFBLK | 0600,
	    makedev(0, 0)), 0);
	stat(path, &st);
	CHECK("it is one", S_ISBLK(st.st_mode));
	CHECK_ERR("no driver has it", open(path, O_RDONLY), ENXIO);
	unlink(path);
	snprintf(path, sizeof(path), "%s/sock", dir);
	CHECK_EQ("mknod a socket node", mknod(path, S_IFSOCK | 0600, 0), 0);
	CHECK_ERR("open it", open(path, O_RDONLY), ENXIO);
	unlink(path);

	pid_t pid = fork();
	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 ||
		    setuid(65534) < 0)
			_exit(2);
		snprintf(path, sizeof(path), "/tmp/abi-mknod-%d", getpid());
		int r = mknod(path, S_IFCHR | 0600, makedev(1, 3));
		_exit(r < 0 && errno == EPERM ? 0 : 1);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK_STR("not root: mknod", status_str(status), "exited 0");
}

int
main(void)
{
	abi_init();
	strcpy(dir, "/tmp/abi-mount.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	snprintf(file, sizeof(file), "%s.file", dir);
	close(open(file, O_CREAT | O_WRONLY, 0600));
	test_tmpfs();
	test_mount_point_busy();
	test_errors();
	test_mknod();
	unlink(file);
	rmdir(dir);
	return abi_done("mount");
}
