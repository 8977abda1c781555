/*
 * Extended attributes and inode flags on a tmpfs mounted for the test
 * (the host's /tmp may be another file system): set, get, list and
 * remove by path, link and descriptor with Linux's limits and errors
 * (ERANGE, E2BIG, EEXIST, ENODATA, EINVAL, EOPNOTSUPP), user.* only on
 * files and directories, trusted.* for root alone, a sticky directory's
 * rule, read and write permission for a user. FS_IOC_GETFLAGS and
 * FS_IOC_SETFLAGS: immutable and append-only files refuse writes, links,
 * unlinks, chmod and attribute changes. statx's attribute bits, mount
 * root and mount id; fchmodat2 and file_getattr/file_setattr.
 */
#include "abi.h"

#include <grp.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/xattr.h>

#define FS_IOC_GETFLAGS 0x80086601u
#define FS_IOC_SETFLAGS 0x40086602u
#define FS_COMPR_FL 0x4
#define FS_IMMUTABLE_FL 0x10
#define FS_APPEND_FL 0x20
#define FS_NODUMP_FL 0x40

#define NR_FCHMODAT2 452
#define NR_FILE_GETATTR 468
#define NR_FILE_SETATTR 469

#ifndef STATX_BTIME	/* glibc's <sys/stat.h> has these, musl's not */
#define STATX_BTIME 0x800u
#define STATX_MNT_ID 0x1000u
#define STATX_ATTR_IMMUTABLE 0x10
#define STATX_ATTR_APPEND 0x20
#define STATX_ATTR_NODUMP 0x40
#define STATX_ATTR_MOUNT_ROOT 0x2000
#endif

/* struct statx, which musl does not declare. */
struct statx_ts {
	long long tv_sec;
	unsigned tv_nsec;
	int pad;
};
struct statx_k {
	unsigned stx_mask, stx_blksize;
	unsigned long long stx_attributes;
	unsigned stx_nlink, stx_uid, stx_gid;
	unsigned short stx_mode, pad0;
	unsigned long long stx_ino, stx_size, stx_blocks, stx_attributes_mask;
	struct statx_ts stx_atime, stx_btime, stx_ctime, stx_mtime;
	unsigned rdev_major, rdev_minor, dev_major, dev_minor;
	unsigned long long stx_mnt_id;
	unsigned long long spare[13];
};

static int
statx_(int dirfd, const char *path, int flags, unsigned mask,
    struct statx_k *sx)
{
	return (int)syscall(SYS_statx, dirfd, path, flags, mask, sx);
}

struct file_attr_k {
	unsigned long long xflags;
	unsigned extsize, nextents, projid, cowextsize;
};
#define FS_XFLAG_IMMUTABLE 0x8
#define FS_XFLAG_NODUMP 0x80
#define FS_XFLAG_EXTSIZE 0x800

static char dir[64], file[96], sub[96], link_[96], fifo[96], sticky[96];

static void
path_in(char *buf, const char *name)
{
	snprintf(buf, 96, "%s/%s", dir, name);
}

static void
test_basic(void)
{
	char buf[128];
	CHECK_EQ("setxattr user.a", setxattr(file, "user.a", "v1", 2, 0), 0);
	CHECK_EQ("its length (size 0)", getxattr(file, "user.a", NULL, 0), 2);
	CHECK_ERR("a buffer too small", getxattr(file, "user.a", buf, 1),
	    ERANGE);
	memset(buf, 0, sizeof(buf));
	CHECK_EQ("getxattr", getxattr(file, "user.a", buf, sizeof(buf)), 2);
	CHECK_STR("its value", buf, "v1");
	CHECK_ERR("XATTR_CREATE on one there",
	    setxattr(file, "user.a", "x", 1, XATTR_CREATE), EEXIST);
	CHECK_ERR("XATTR_REPLACE on none",
	    setxattr(file, "user.b", "x", 1, XATTR_REPLACE), ENODATA);
	CHECK_EQ("XATTR_REPLACE", setxattr(file, "user.a", "v22", 3,
	    XATTR_REPLACE), 0);
	CHECK_EQ("replaced", getxattr(file, "user.a", buf, sizeof(buf)), 3);
	CHECK_ERR("both flags' neighbours", setxattr(file, "user.a", "x", 1,
	    4), EINVAL);
	CHECK_EQ("an empty value", setxattr(file, "user.b", "", 0, 0), 0);
	CHECK_EQ("has length 0", getxattr(file, "user.b", buf, sizeof(buf)),
	    0);
	CHECK_ERR("a missing name", getxattr(file, "user.none", buf,
	    sizeof(buf)), ENODATA);

	CHECK_EQ("the list's length", listxattr(file, NULL, 0), 14);
	CHECK_ERR("a list buffer too small", listxattr(file, buf, 10),
	    ERANGE);
	CHECK_EQ("listxattr", listxattr(file, buf, sizeof(buf)), 14);
	/* Linux 6.1 lists them in the order made, 6.6 and later by name. */
	CHECK("both names", memcmp(buf, "user.a\0user.b\0", 14) == 0 ||
	    memcmp(buf, "user.b\0user.a\0", 14) == 0);

	CHECK_EQ("removexattr", removexattr(file, "user.b"), 0);
	CHECK_ERR("removexattr again", removexattr(file, "user.b"), ENODATA);
	CHECK_EQ("one name left", listxattr(file, buf, sizeof(buf)), 7);
}

static void
test_limits(void)
{
	char name[300], *value = malloc(65537);
	memset(value, 'v', 65537);
	memcpy(name, "user.", 5);
	memset(name + 5, 'n', 250);
	name[255] = '\0';
	CHECK_EQ("a name of 255 bytes", setxattr(file, name, "x", 1, 0), 0);
	CHECK_EQ("removed", removexattr(file, name), 0);
	name[255] = 'n';
	name[256] = '\0';
	CHECK_ERR("a name of 256 bytes", setxattr(file, name, "x", 1, 0),
	    ERANGE);
	CHECK_ERR("an empty name", setxattr(file, "", "x", 1, 0), ERANGE);
	CHECK_ERR("a name outside memory", setxattr(file, (char *)8, "x", 1,
	    0), EFAULT);
	CHECK_ERR("a value of 64 KiB + 1", setxattr(file, "user.big", value,
	    65537, 0), E2BIG);
	CHECK_EQ("a value of 64 KiB", setxattr(file, "user.big", value,
	    65536, 0), 0);
	CHECK_EQ("read back", getxattr(file, "user.big", value, 65537),
	    65536);
	CHECK_EQ("removed", removexattr(file, "user.big"), 0);
	CHECK_ERR("a value outside memory", setxattr(file, "user.c",
	    (void *)8, 4, 0), EFAULT);
	CHECK_ERR("a bare prefix", setxattr(file, "user.", "x", 1, 0),
	    EINVAL);
	CHECK_ERR("an unknown namespace", setxattr(file, "other.x", "x", 1,
	    0), EOPNOTSUPP);
	CHECK_ERR("no namespace", getxattr(file, "plain", NULL, 0),
	    EOPNOTSUPP);
	CHECK_ERR("a missing file", setxattr("/nonexistent", "user.a", "x",
	    1, 0), ENOENT);
	free(value);
}

static void
test_kinds(void)
{
	char buf[32];
	CHECK_EQ("user.* on a directory", setxattr(sub, "user.d", "d", 1, 0),
	    0);
	CHECK_ERR("user.* on a symlink (lsetxattr)",
	    lsetxattr(link_, "user.l", "l", 1, 0), EPERM);
	CHECK_ERR("lgetxattr of user.* there", lgetxattr(link_, "user.l",
	    buf, sizeof(buf)), ENODATA);
	CHECK_EQ("setxattr follows the link", setxattr(link_, "user.f", "f",
	    1, 0), 0);
	CHECK_EQ("so the file has it", getxattr(file, "user.f", buf,
	    sizeof(buf)), 1);
	CHECK_EQ("trusted.* on the symlink itself", lsetxattr(link_,
	    "trusted.l", "l", 1, 0), 0);
	CHECK_EQ("llistxattr", llistxattr(link_, buf, sizeof(buf)), 10);
	CHECK_ERR("user.* on a FIFO", setxattr(fifo, "user.p", "p", 1, 0),
	    EPERM);
	CHECK_ERR("getxattr of user.* there", getxattr(fifo, "user.p", buf,
	    sizeof(buf)), ENODATA);
	CHECK_EQ("trusted.* on a FIFO", setxattr(fifo, "trusted.p", "p", 1,
	    0), 0);
	CHECK_ERR("system.* (no such handler)", setxattr(file,
	    "system.nothing", "x", 1, 0), EOPNOTSUPP);
}

static void
test_fd(void)
{
	char buf[32];
	int fd = open(file, O_RDONLY);
	CHECK_EQ("fsetxattr", fsetxattr(fd, "user.fd", "12", 2, 0), 0);
	CHECK_EQ("fgetxattr", fgetxattr(fd, "user.fd", buf, sizeof(buf)), 2);
	CHECK("flistxattr", flistxattr(fd, buf, sizeof(buf)) > 0);
	CHECK_EQ("fremovexattr", fremovexattr(fd, "user.fd"), 0);
	close(fd);
	CHECK_ERR("a closed descriptor", fgetxattr(fd, "user.fd", buf,
	    sizeof(buf)), EBADF);
	fd = open(file, O_PATH);
	CHECK_ERR("an O_PATH descriptor", fsetxattr(fd, "user.fd", "1", 1,
	    0), EBADF);
	close(fd);
}

/* Runs fn in a child as user 65534; returns its exit status text. */
static const char *
as_user(int (*fn)(void))
{
	pid_t pid = fork();
	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 ||
		    setuid(65534) < 0)
			_exit(100);
		_exit(fn());
	}
	int status;
	waitpid(pid, &status, 0);
	return status_str(status);
}

/* Each check a bit of the exit status: 0 is all as Linux. */
static int
user_rules(void)
{
	char buf[64];
	int bad = 0;
	if (getxattr(file, "user.a", buf, sizeof(buf)) != 3)
		bad |= 1;	/* readable file: readable attribute */
	if (setxattr(file, "user.u", "u", 1, 0) != -1 || errno != EACCES)
		bad |= 2;	/* not writable by the user */
	if (getxattr(file, "trusted.t", buf, sizeof(buf)) != -1 ||
	    errno != ENODATA)
		bad |= 4;	/* trusted.* is root's */
	if (setxattr(file, "trusted.t", "t", 1, 0) != -1 || errno != EPERM)
		bad |= 8;
	if (listxattr(file, buf, sizeof(buf)) != 14)
		bad |= 16;	/* trusted.t is left out */
	if (setxattr(sticky, "user.s", "s", 1, 0) != -1 || errno != EPERM)
		bad |= 32;	/* a sticky directory: its owner's */
	if (setxattr(file, "security.s", "s", 1, 0) != -1 || errno != EPERM)
		bad |= 64;
	return bad;
}

static void
test_users(void)
{
	CHECK_EQ("trusted.* for root", setxattr(file, "trusted.t", "t", 1, 0),
	    0);
	char buf[64];
	CHECK_EQ("root lists it", listxattr(file, buf, sizeof(buf)), 24);
	CHECK_STR("a user's rules", as_user(user_rules), "exited 0");
	CHECK_EQ("security.* for root", setxattr(file, "security.s", "s", 1,
	    0), 0);
	CHECK_EQ("removed", removexattr(file, "security.s"), 0);
	CHECK_ERR("a bad security.capability", setxattr(file,
	    "security.capability", "1234", 4, 0), EINVAL);
}

static int
set_flags(const char *path, int flags)
{
	int fd = open(path, O_RDONLY);
	int r = ioctl(fd, FS_IOC_SETFLAGS, &flags);
	int e = errno;
	close(fd);
	errno = e;
	return r;
}

static int
get_flags(const char *path)
{
	int fd = open(path, O_RDONLY), flags = -1;
	ioctl(fd, FS_IOC_GETFLAGS, &flags);
	close(fd);
	return flags;
}

static unsigned long long
statx_attrs(const char *path, unsigned long long *mask)
{
	struct statx_k sx;
	memset(&sx, 0, sizeof(sx));
	statx_(AT_FDCWD, path, 0, 0, &sx);
	if (mask)
		*mask = sx.stx_attributes_mask;
	return sx.stx_attributes;
}

static int
user_sets_flags(void)
{
	return set_flags(file, FS_IMMUTABLE_FL) == -1 && errno == EPERM ? 0
									: 1;
}

static void
test_immutable(void)
{
	char other[96];
	path_in(other, "other");
	CHECK_EQ("FS_IOC_GETFLAGS", get_flags(file), 0);
	CHECK_ERR("FS_COMPR_FL", set_flags(file, FS_COMPR_FL), EOPNOTSUPP);
	CHECK_EQ("FS_IMMUTABLE_FL", set_flags(file, FS_IMMUTABLE_FL), 0);
	CHECK_EQ("read back", get_flags(file), FS_IMMUTABLE_FL);
	CHECK_EQ("statx says so", statx_attrs(file, NULL) &
	    (STATX_ATTR_IMMUTABLE | STATX_ATTR_APPEND), STATX_ATTR_IMMUTABLE);
	CHECK_ERR("open for writing", open(file, O_WRONLY), EPERM);
	CHECK_OK("open for reading", close(open(file, O_RDONLY)));
	CHECK_ERR("unlink", unlink(file), EPERM);
	CHECK_ERR("rename", rename(file, other), EPERM);
	CHECK_ERR("link", link(file, other), EPERM);
	CHECK_ERR("chmod", chmod(file, 0600), EPERM);
	CHECK_ERR("chown", chown(file, 1, 1), EPERM);
	CHECK_ERR("utimes now", utimes(file, NULL), EPERM);
	CHECK_ERR("truncate", truncate(file, 0), EPERM);
	CHECK_ERR("setxattr", setxattr(file, "user.i", "i", 1, 0), EPERM);
	CHECK_ERR("removexattr", removexattr(file, "user.a"), EPERM);
	CHECK_EQ("getxattr still", getxattr(file, "user.a", NULL, 0), 3);
	CHECK_STR("a user sets no such flag", as_user(user_sets_flags),
	    "exited 0");
	CHECK_EQ("cleared", set_flags(file, 0), 0);
	CHECK_OK("writable again", close(open(file, O_WRONLY)));

	CHECK_EQ("FS_IMMUTABLE_FL on a directory", set_flags(sub,
	    FS_IMMUTABLE_FL), 0);
	path_in(other, "sub/new");
	CHECK_ERR("no file made in it", open(other, O_CREAT | O_WRONLY,
	    0600), EPERM);
	CHECK_EQ("cleared", set_flags(sub, 0), 0);
}

static void
test_append(void)
{
	CHECK_EQ("FS_APPEND_FL", set_flags(file, FS_APPEND_FL), 0);
	CHECK_ERR("open O_WRONLY", open(file, O_WRONLY), EPERM);
	CHECK_ERR("open O_APPEND|O_TRUNC", open(file, O_WRONLY | O_APPEND |
	    O_TRUNC), EPERM);
	int fd = open(file, O_WRONLY | O_APPEND);
	CHECK("open O_APPEND", fd >= 0);
	CHECK_EQ("which writes", write(fd, "ab", 2), 2);
	CHECK_ERR("ftruncate", ftruncate(fd, 0), EPERM);
	close(fd);
	CHECK_ERR("truncate", truncate(file, 0), EPERM);
	CHECK_ERR("unlink", unlink(file), EPERM);
	struct timespec ts[2] = { { 1, 0 }, { 1, 0 } };
	CHECK_ERR("utimensat with times", utimensat(AT_FDCWD, file, ts, 0),
	    EPERM);
	CHECK_EQ("utimensat now", utimensat(AT_FDCWD, file, NULL, 0), 0);
	CHECK_EQ("cleared", set_flags(file, 0), 0);
	CHECK_EQ("FS_NODUMP_FL", set_flags(file, FS_NODUMP_FL), 0);
	unsigned long long mask;
	CHECK_EQ("statx's nodump", statx_attrs(file, &mask), STATX_ATTR_NODUMP);
	CHECK_EQ("and its attribute mask", mask & (STATX_ATTR_IMMUTABLE |
	    STATX_ATTR_APPEND | STATX_ATTR_NODUMP), STATX_ATTR_IMMUTABLE |
	    STATX_ATTR_APPEND | STATX_ATTR_NODUMP);
	CHECK_EQ("cleared", set_flags(file, 0), 0);
	fd = open(fifo, O_RDONLY | O_NONBLOCK);
	int flags;
	CHECK_ERR("FS_IOC_GETFLAGS on a FIFO", ioctl(fd, FS_IOC_GETFLAGS,
	    &flags), ENOTTY);
	close(fd);
}

/* The id mountinfo gives the test's tmpfs. */
static unsigned long long
mountinfo_id(void)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[512], path[256];
	unsigned long long id, found = 0;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%llu %*d %*d:%*d %*s %255s", &id, path) == 2 &&
		    strcmp(path, dir) == 0)
			found = id;
	if (f)
		fclose(f);
	return found;
}

static void
test_statx(void)
{
	struct statx_k sx;
	CHECK_ERR("statx mask -1", statx_(AT_FDCWD, file, 0, ~0u, &sx),
	    EINVAL);
	CHECK_ERR("both sync flags", statx_(AT_FDCWD, file, 0x6000, 0, &sx),
	    EINVAL);
	CHECK_ERR("an unknown flag", statx_(AT_FDCWD, file, 0x10000, 0, &sx),
	    EINVAL);
	CHECK_EQ("the mount's root", statx_attrs(dir, NULL) &
	    STATX_ATTR_MOUNT_ROOT, STATX_ATTR_MOUNT_ROOT);
	unsigned long long mask;
	CHECK_EQ("a file in it", statx_attrs(file, &mask) &
	    STATX_ATTR_MOUNT_ROOT, 0);
	CHECK_EQ("which the mask covers", mask & STATX_ATTR_MOUNT_ROOT,
	    STATX_ATTR_MOUNT_ROOT);
	memset(&sx, 0, sizeof(sx));
	statx_(AT_FDCWD, file, 0, 0x7ff | STATX_BTIME, &sx);
	CHECK_EQ("STATX_MNT_ID and STATX_BTIME", sx.stx_mask &
	    (STATX_MNT_ID | STATX_BTIME), STATX_MNT_ID | STATX_BTIME);
	CHECK("the mount id is mountinfo's", sx.stx_mnt_id == mountinfo_id());
	CHECK("birth no later than change", sx.stx_btime.tv_sec <=
	    sx.stx_ctime.tv_sec);
}

static void
test_fchmodat2(void)
{
	CHECK_EQ("fchmodat2", syscall(NR_FCHMODAT2, AT_FDCWD, file, 0640, 0),
	    0);
	struct stat st;
	stat(file, &st);
	CHECK_EQ("the mode", st.st_mode & 07777, 0640);
	CHECK_EQ("AT_SYMLINK_NOFOLLOW on a file", syscall(NR_FCHMODAT2,
	    AT_FDCWD, file, 0644, AT_SYMLINK_NOFOLLOW), 0);
	CHECK_ERR("AT_SYMLINK_NOFOLLOW on a symlink", syscall(NR_FCHMODAT2,
	    AT_FDCWD, link_, 0644, AT_SYMLINK_NOFOLLOW), EOPNOTSUPP);
	CHECK_ERR("unknown flags", syscall(NR_FCHMODAT2, AT_FDCWD, file,
	    0644, -1), EINVAL);
	int fd = open(sub, O_PATH | O_DIRECTORY);
	CHECK_EQ("AT_EMPTY_PATH", syscall(NR_FCHMODAT2, fd, "", 0711,
	    AT_EMPTY_PATH), 0);
	stat(sub, &st);
	CHECK_EQ("its mode", st.st_mode & 07777, 0711);
	close(fd);
}

static void
test_file_attr(void)
{
	struct file_attr_k fa;
	memset(&fa, 0, sizeof(fa));
	set_flags(file, FS_IMMUTABLE_FL);
	CHECK_EQ("file_getattr", syscall(NR_FILE_GETATTR, AT_FDCWD, file,
	    &fa, sizeof(fa), 0), 0);
	CHECK_EQ("FS_XFLAG_IMMUTABLE", fa.xflags, FS_XFLAG_IMMUTABLE);
	set_flags(file, 0);
	CHECK_ERR("a size too small", syscall(NR_FILE_GETATTR, AT_FDCWD,
	    file, &fa, sizeof(fa) - 1, 0), EINVAL);
	CHECK_ERR("a size past a page", syscall(NR_FILE_GETATTR, AT_FDCWD,
	    file, &fa, 4097, 0), E2BIG);
	CHECK_ERR("bad AT flags", syscall(NR_FILE_GETATTR, AT_FDCWD, file,
	    &fa, sizeof(fa), -1), EINVAL);
	CHECK_ERR("no buffer", syscall(NR_FILE_GETATTR, AT_FDCWD, file,
	    NULL, sizeof(fa), 0), EFAULT);
	memset(&fa, 0, sizeof(fa));
	fa.xflags = FS_XFLAG_NODUMP;
	CHECK_EQ("file_setattr", syscall(NR_FILE_SETATTR, AT_FDCWD, file,
	    &fa, sizeof(fa), 0), 0);
	CHECK_EQ("FS_NODUMP_FL", get_flags(file), FS_NODUMP_FL);
	fa.xflags = FS_XFLAG_EXTSIZE;
	fa.extsize = 4096 * 16;
	CHECK_ERR("an extent size", syscall(NR_FILE_SETATTR, AT_FDCWD, file,
	    &fa, sizeof(fa), 0), EOPNOTSUPP);
	fa.xflags = 1ull << 40;
	CHECK_ERR("unknown xflags", syscall(NR_FILE_SETATTR, AT_FDCWD, file,
	    &fa, sizeof(fa), 0), EINVAL);
	fa.xflags = 0;
	fa.extsize = 0;
	CHECK_EQ("cleared", syscall(NR_FILE_SETATTR, AT_FDCWD, file, &fa,
	    sizeof(fa), 0), 0);
	CHECK_ERR("a FIFO", syscall(NR_FILE_GETATTR, AT_FDCWD, fifo, &fa,
	    sizeof(fa), 0), EOPNOTSUPP);
}

int
main(void)
{
	abi_init();
	strcpy(dir, "/tmp/abi-xattr.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	if (mount("none", dir, "tmpfs", 0, "size=4m") < 0)
		return 1;
	path_in(file, "file");
	path_in(sub, "sub");
	path_in(link_, "link");
	path_in(fifo, "fifo");
	path_in(sticky, "sticky");
	close(open(file, O_CREAT | O_WRONLY, 0644));
	mkdir(sub, 0755);
	symlink("file", link_);
	mkfifo(fifo, 0644);
	mkdir(sticky, 0777);
	chmod(sticky, 01777);
	chmod(dir, 0755);
	test_basic();
	test_limits();
	test_kinds();
	test_fd();
	test_users();
	test_immutable();
	test_append();
	test_statx();
	test_fchmodat2();
	test_file_attr();
	umount(dir);
	rmdir(dir);
	return abi_done("xattr");
}
