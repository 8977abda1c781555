/*
 * Mount flags and the new mount API, as root. mount(2): nosuid, nodev,
 * noexec, noatime, nosymfollow as /proc/mounts and statfs show them and
 * as open, execve and mmap obey them; atime as relatime, strictatime
 * and noatime move it on a read; mount ids in statx (STATX_MNT_ID and
 * _UNIQUE) and fdinfo; a remount's flags; MNT_EXPIRE; MS_MOVE;
 * propagation flags in mountinfo. The new API: fsopen, fsconfig,
 * fsmount, move_mount, fspick, open_tree and mount_setattr on tmpfs, with
 * their errors. Only the per-mount options are compared (tmpfs's own,
 * size= and inode64, differ between kernels).
 */
#include "abi.h"

#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#define FSCONFIG_SET_FLAG 0
#define FSCONFIG_SET_STRING 1
#define FSCONFIG_SET_PATH 3
#define FSCONFIG_SET_FD 5
#define FSCONFIG_CMD_CREATE 6
#define FSCONFIG_CMD_RECONFIGURE 7
#ifndef MOUNT_ATTR_RDONLY	/* glibc's <sys/mount.h> has these, musl's not */
#define MOUNT_ATTR_RDONLY 0x1
#define MOUNT_ATTR_NOSUID 0x2
#define MOUNT_ATTR_NODEV 0x4
#define MOUNT_ATTR_NOEXEC 0x8
#define MOUNT_ATTR__ATIME 0x70
#define MOUNT_ATTR_NOATIME 0x10
#define MOUNT_ATTR_STRICTATIME 0x20
#define MOVE_MOUNT_F_EMPTY_PATH 0x4
#endif
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

struct attr {
	unsigned long long attr_set, attr_clr, propagation, userns_fd;
};

static char dir[64], dir2[80], dir3[80];

static long
sys_fsopen(const char *name, unsigned flags)
{
	return syscall(430, name, flags);
}

static long
sys_fsconfig(int fd, unsigned cmd, const char *key, const void *value, int aux)
{
	return syscall(431, fd, cmd, key, value, aux);
}

static long
sys_fsmount(int fd, unsigned flags, unsigned attr)
{
	return syscall(432, fd, flags, attr);
}

static long
sys_move_mount(int fd, const char *from, int tfd, const char *to, unsigned flags)
{
	return syscall(429, fd, from, tfd, to, flags);
}

static long
sys_fspick(int dfd, const char *path, unsigned flags)
{
	return syscall(433, dfd, path, flags);
}

static long
sys_open_tree(int dfd, const char *path, unsigned flags)
{
	return syscall(428, dfd, path, flags);
}

static long
sys_mount_setattr(int dfd, const char *path, unsigned flags, struct attr *a,
	      size_t size)
{
	return syscall(442, dfd, path, flags, a, size);
}

/* The per-mount options /proc/mounts shows for path, or "none". */
static const char *
options_of(const char *path)
{
	static const char *const known[] = {
		"ro", "rw", "nosuid", "nodev", "noexec", "noatime",
		"nodiratime", "relatime", "nosymfollow",
	};
	static char out[128];
	char line[512], mp[256], opts[256];
	FILE *f = fopen("/proc/mounts", "r");
	strcpy(out, "none");
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %255s %*s %255s", mp, opts) != 2 ||
		    strcmp(mp, path) != 0)
			continue;
		out[0] = 0;
		for (char *o = strtok(opts, ","); o; o = strtok(NULL, ","))
			for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++)
				if (strcmp(o, known[i]) == 0)
					snprintf(out + strlen(out),
						 sizeof(out) - strlen(out),
						 "%s%s", out[0] ? "," : "", o);
	}
	if (f)
		fclose(f);
	return out;
}

/* The optional fields of path's mountinfo line, ids left out. */
static const char *
propagation_of(const char *path)
{
	static char out[64];
	char line[512], mp[256];
	FILE *f = fopen("/proc/self/mountinfo", "r");
	strcpy(out, "none");
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*d %*d %*s %*s %255s", mp) != 1 ||
		    strcmp(mp, path) != 0)
			continue;
		strcpy(out, "private");
		if (strstr(line, " shared:"))
			strcpy(out, "shared");
		if (strstr(line, " unbindable"))
			strcpy(out, "unbindable");
	}
	if (f)
		fclose(f);
	return out;
}

static long
statfs_flags(const char *path)
{
	struct statfs s;
	return statfs(path, &s) < 0 ? -1 : (long)s.f_flags;
}

static void
in_dir(char *buf, const char *name)
{
	snprintf(buf, 128, "%s/%s", dir, name);
}

static void
test_flags(void)
{
	char path[128];
	CHECK_EQ("mount nosuid,nodev,noexec,noatime",
		 mount("none", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC |
		       MS_NOATIME, NULL), 0);
	CHECK_STR("/proc/mounts", options_of(dir),
		  "rw,nosuid,nodev,noexec,noatime");
	CHECK_EQ("statfs f_flags", statfs_flags(dir), 0x20 | 2 | 4 | 8 | 1024);
	in_dir(path, "blk");
	CHECK_EQ("mknod", mknod(path, S_IFBLK | 0600, makedev(7, 0)), 0);
	CHECK_ERR("nodev: open a device", open(path, O_RDONLY), EACCES);
	in_dir(path, "prog");
	int fd = open(path, O_CREAT | O_RDWR, 0755);
	CHECK_EQ("write a script", write(fd, "#!/bin/sh\n", 10), 10);
	close(fd);
	char *argv[] = { path, NULL };
	CHECK_ERR("noexec: execve", execve(path, argv, argv + 1), EACCES);
	fd = open(path, O_RDONLY);
	CHECK("noexec: mmap PROT_EXEC is EPERM",
	      mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0) ==
	      MAP_FAILED && errno == EPERM);
	void *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK("noexec: mmap PROT_READ", m != MAP_FAILED);
	CHECK_ERR("and mprotect cannot add PROT_EXEC",
		  mprotect(m, 4096, PROT_READ | PROT_EXEC), EACCES);
	munmap(m, 4096);
	close(fd);

	CHECK_EQ("remount ro keeps the atime rule",
		 mount("none", dir, "tmpfs", MS_REMOUNT | MS_RDONLY, NULL), 0);
	CHECK_STR("/proc/mounts", options_of(dir), "ro,noatime");
	CHECK_EQ("remount strictatime",
		 mount("none", dir, "tmpfs", MS_REMOUNT | MS_STRICTATIME, NULL),
		 0);
	CHECK_STR("/proc/mounts", options_of(dir), "rw");
	CHECK_EQ("statfs f_flags", statfs_flags(dir), 0x20);
	CHECK_EQ("remount,bind nodev",
		 mount("none", dir, NULL, MS_REMOUNT | MS_BIND | MS_NODEV,
		       NULL), 0);
	CHECK_STR("/proc/mounts", options_of(dir), "rw,nodev");
	CHECK_EQ("umount", umount(dir), 0);

	CHECK_EQ("mount nosymfollow",
		 mount("none", dir, "tmpfs", MS_NOSYMFOLLOW, NULL), 0);
	CHECK_STR("/proc/mounts", options_of(dir), "rw,relatime,nosymfollow");
	in_dir(path, "link");
	CHECK_EQ("symlink", symlink("/", path), 0);
	CHECK_ERR("a walk through it", open(path, O_RDONLY), ELOOP);
	char target[8];
	CHECK_EQ("readlink still reads it", readlink(path, target, 8), 1);
	CHECK_EQ("umount", umount(dir), 0);
}

/* Reads path after setting its atime to at (mtime 2000); its atime then. */
static time_t
atime_after_read(const char *path, time_t at)
{
	struct timespec ts[2] = { { at, 0 }, { 2000, 0 } };
	char c;
	struct stat st;
	utimensat(AT_FDCWD, path, ts, 0);
	int fd = open(path, O_RDONLY);
	if (read(fd, &c, 1) != 1)
		return -1;
	close(fd);
	stat(path, &st);
	return st.st_atime;
}

/* LTP mount08: a magic link to an O_PATH symlink is no place to mount. */
static void
test_magic_link(void)
{
	char path[128], link[64];
	in_dir(path, "f");
	int fd = open(path, O_CREAT | O_RDONLY, 0600);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	int pfd = open(link, O_PATH | O_NOFOLLOW);
	snprintf(link, sizeof(link), "/proc/self/fd/%d", pfd);
	CHECK_ERR("mount on a magic link's symlink", mount(path, link, "",
		  MS_BIND, NULL), ENOENT);
	close(pfd);
	close(fd);
	unlink(path);
}

static void
test_atime(void)
{
	char path[128];
	time_t later = time(NULL) + 100000;
	CHECK_EQ("mount", mount("none", dir, "tmpfs", 0, NULL), 0);
	in_dir(path, "a");
	int fd = open(path, O_CREAT | O_WRONLY, 0600);
	CHECK_EQ("write", write(fd, "x", 1), 1);
	close(fd);
	CHECK("relatime: an atime before the mtime moves",
	      atime_after_read(path, 1000) > 1000);
	CHECK("relatime: a later one stays",
	      atime_after_read(path, later) == later);
	CHECK_EQ("remount strictatime", mount("none", dir, "tmpfs",
		 MS_REMOUNT | MS_STRICTATIME, NULL), 0);
	CHECK("strictatime: it moves", atime_after_read(path, later) != later);
	CHECK_EQ("remount noatime", mount("none", dir, "tmpfs",
		 MS_REMOUNT | MS_NOATIME, NULL), 0);
	CHECK("noatime: it stays", atime_after_read(path, 1000) == 1000);
	CHECK_EQ("umount", umount(dir), 0);
}

/* The mount id mountinfo gives path, or -1. */
static long long
mountinfo_id(const char *path)
{
	char line[512], mp[256];
	long long id = -1, found = -1;
	FILE *f = fopen("/proc/self/mountinfo", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lld %*d %*s %*s %255s", &id, mp) == 2 &&
		    strcmp(mp, path) == 0)
			found = id;
	if (f)
		fclose(f);
	return found;
}

/* statx's stx_mnt_id of path with mask asked, or -1 if not in the mask. */
static long long
statx_mnt_id(const char *path, unsigned mask)
{
	unsigned long long sx[32];	/* struct statx: stx_mask first,
					   stx_mnt_id at byte 0x90 */
	if (syscall(SYS_statx, AT_FDCWD, path, 0, mask, sx) < 0 ||
	    !((unsigned)sx[0] & mask))
		return -1;
	return (long long)sx[0x90 / 8];
}

/* fdinfo's mnt_id of fd. */
static long long
fdinfo_mnt_id(int fd)
{
	char path[64], line[128];
	long long id = -1;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		sscanf(line, "mnt_id: %lld", &id);
	if (f)
		fclose(f);
	return id;
}

static void
test_mount_ids(void)
{
	char path[128];
	CHECK_EQ("mount", mount("none", dir, "tmpfs", 0, NULL), 0);
	in_dir(path, "f");
	int fd = open(path, O_CREAT | O_RDWR, 0600);
	long long id = mountinfo_id(dir);
	CHECK("statx's STATX_MNT_ID is mountinfo's",
	      id > 0 && statx_mnt_id(path, 0x1000) == id);
	CHECK("so is fdinfo's mnt_id", fdinfo_mnt_id(fd) == id);
	close(fd);
	long long unique = statx_mnt_id(path, 0x4000);
	CHECK("STATX_MNT_ID_UNIQUE is past 2^31", unique >= 1ll << 31);
	CHECK_EQ("umount", umount(dir), 0);
	CHECK_EQ("mount again", mount("none", dir, "tmpfs", 0, NULL), 0);
	CHECK("a new unique id", statx_mnt_id(dir, 0x4000) > unique);
	CHECK_EQ("umount", umount(dir), 0);
}

static void
test_expire(void)
{
	CHECK_EQ("mount", mount("none", dir, "tmpfs", 0, NULL), 0);
	CHECK_ERR("MNT_EXPIRE|MNT_DETACH", umount2(dir, MNT_EXPIRE | MNT_DETACH),
		  EINVAL);
	CHECK_ERR("MNT_EXPIRE marks it", umount2(dir, MNT_EXPIRE), EAGAIN);
	CHECK_EQ("a use", access(dir, F_OK), 0);
	CHECK_ERR("which clears the mark", umount2(dir, MNT_EXPIRE), EAGAIN);
	CHECK_EQ("unused since: unmounted", umount2(dir, MNT_EXPIRE), 0);
	CHECK_STR("/proc/mounts", options_of(dir), "none");
}

static void
test_move_and_propagation(void)
{
	char path[128];
	CHECK_EQ("mount", mount("none", dir, "tmpfs", 0, NULL), 0);
	in_dir(path, "f");
	close(open(path, O_CREAT | O_WRONLY, 0600));
	CHECK_EQ("make it private", mount("none", dir, NULL, MS_PRIVATE, NULL),
		 0);
	CHECK_STR("mountinfo", propagation_of(dir), "private");
	CHECK_EQ("make it shared", mount("none", dir, NULL, MS_SHARED, NULL), 0);
	CHECK_STR("mountinfo", propagation_of(dir), "shared");
	CHECK_ERR("two kinds at once", mount("none", dir, NULL,
		  MS_SHARED | MS_SLAVE, NULL), EINVAL);
	CHECK_EQ("back to private", mount("none", dir, NULL,
		 MS_PRIVATE | MS_REC, NULL), 0);
	CHECK_ERR("a directory that is no mount", mount("none", dir2, NULL,
		  MS_PRIVATE, NULL), EINVAL);

	CHECK_EQ("MS_MOVE", mount(dir, dir2, NULL, MS_MOVE, NULL), 0);
	CHECK_ERR("the file left", access(path, F_OK), ENOENT);
	snprintf(path, sizeof(path), "%s/f", dir2);
	CHECK_EQ("and is there", access(path, F_OK), 0);
	CHECK_STR("/proc/mounts: old place", options_of(dir), "none");
	CHECK_STR("/proc/mounts: new place", options_of(dir2), "rw,relatime");
	CHECK_ERR("MS_MOVE without a source", mount(NULL, "/tmp", NULL, MS_MOVE,
		  NULL), EINVAL);
	CHECK_ERR("MS_MOVE of no mount", mount(dir, "/tmp", NULL, MS_MOVE, NULL),
		  EINVAL);
	CHECK_EQ("umount", umount(dir2), 0);
}

static void
test_fsconfig_errors(int fd)
{
	int tmp = open(dir2, O_RDONLY);
	CHECK_ERR("fsconfig fd -1", sys_fsconfig(-1, FSCONFIG_SET_FLAG, "ro", NULL,
		  0), EINVAL);
	CHECK_ERR("fsconfig bad fd", sys_fsconfig(999, FSCONFIG_SET_FLAG, "ro",
		  NULL, 0), EBADF);
	CHECK_ERR("fsconfig not a context", sys_fsconfig(tmp, FSCONFIG_SET_FLAG,
		  "ro", NULL, 0), EINVAL);
	CHECK_ERR("unknown command", sys_fsconfig(fd, 100, "rw", NULL, 0),
		  EOPNOTSUPP);
	CHECK_ERR("flag with a value", sys_fsconfig(fd, FSCONFIG_SET_FLAG, "rw",
		  "x", 0), EINVAL);
	CHECK_ERR("string without one", sys_fsconfig(fd, FSCONFIG_SET_STRING,
		  "source", NULL, 0), EINVAL);
	CHECK_ERR("create with a key", sys_fsconfig(fd, FSCONFIG_CMD_CREATE, "x",
		  NULL, 0), EINVAL);
	CHECK_ERR("unknown parameter", sys_fsconfig(fd, FSCONFIG_SET_STRING,
		  "nosuchkey", "1", 0), EINVAL);
	CHECK_ERR("empty key", sys_fsconfig(fd, FSCONFIG_SET_STRING, "", "1", 0),
		  EINVAL);
	CHECK_EQ("sync as a path", sys_fsconfig(fd, FSCONFIG_SET_PATH, "sync",
		 "/", AT_FDCWD), 0);
	CHECK_EQ("sync as an fd", sys_fsconfig(fd, FSCONFIG_SET_FD, "sync", NULL,
		 tmp), 0);
	CHECK_ERR("reconfigure before create", sys_fsconfig(fd,
		  FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0), EBUSY);
	close(tmp);
}

static void
test_new_api(void)
{
	CHECK_ERR("fsopen unknown", sys_fsopen("nosuchfs", 0), ENODEV);
	CHECK_ERR("fsopen bad flags", sys_fsopen("tmpfs", 0x10), EINVAL);
	int fd = sys_fsopen("tmpfs", 1);
	CHECK("fsopen tmpfs", fd >= 0);
	CHECK_EQ("it is close-on-exec", fcntl(fd, F_GETFD), FD_CLOEXEC);
	test_fsconfig_errors(fd);
	CHECK_EQ("size=1m", sys_fsconfig(fd, FSCONFIG_SET_STRING, "size", "1m", 0),
		 0);
	CHECK_ERR("fsmount before create", sys_fsmount(fd, 0, 0), EINVAL);
	CHECK_EQ("create", sys_fsconfig(fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0), 0);
	CHECK_ERR("create twice", sys_fsconfig(fd, FSCONFIG_CMD_CREATE, NULL, NULL,
		  0), EBUSY);
	CHECK_ERR("a parameter after", sys_fsconfig(fd, FSCONFIG_SET_FLAG, "ro",
		  NULL, 0), EBUSY);
	CHECK_ERR("fsmount bad flags", sys_fsmount(fd, 0x80000000, 0), EINVAL);
	CHECK_ERR("fsmount bad attrs", sys_fsmount(fd, 0, 0x100), EINVAL);
	CHECK_ERR("fsmount two atime rules", sys_fsmount(fd, 0, 0x30), EINVAL);
	CHECK_ERR("fsmount bad fd", sys_fsmount(-1, 0, 0), EBADF);
	int mfd = sys_fsmount(fd, 0, MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NOATIME);
	CHECK("fsmount", mfd >= 0);
	CHECK_ERR("fsmount again", sys_fsmount(fd, 0, 0), EBUSY);
	close(fd);
	int inside = openat(mfd, "made-detached", O_CREAT | O_WRONLY, 0600);
	CHECK("a file in the detached tree", inside >= 0);
	close(inside);
	CHECK_ERR("move_mount bad flags", sys_move_mount(mfd, "", AT_FDCWD, dir,
		  0x08), EINVAL);
	CHECK_ERR("move_mount from nothing", sys_move_mount(mfd, "nosuch",
		  AT_FDCWD, dir, MOVE_MOUNT_F_EMPTY_PATH), ENOENT);
	CHECK_ERR("move_mount to nothing", sys_move_mount(mfd, "", AT_FDCWD,
		  "/nonexistent", MOVE_MOUNT_F_EMPTY_PATH), ENOENT);
	CHECK_ERR("move_mount bad to fd", sys_move_mount(mfd, "", -1, "x",
		  MOVE_MOUNT_F_EMPTY_PATH), EBADF);
	mkdirat(mfd, "sub", 0755);
	CHECK_ERR("move_mount into itself", sys_move_mount(mfd, "", mfd, "sub",
		  MOVE_MOUNT_F_EMPTY_PATH), EINVAL);
	CHECK_ERR("move_mount onto a file", sys_move_mount(mfd, "", AT_FDCWD,
		  "/proc/self/status", MOVE_MOUNT_F_EMPTY_PATH), EINVAL);
	CHECK_EQ("move_mount", sys_move_mount(mfd, "", AT_FDCWD, dir,
		 MOVE_MOUNT_F_EMPTY_PATH), 0);
	close(mfd);
	CHECK_STR("/proc/mounts", options_of(dir), "rw,noexec,noatime");
	char path[128];
	in_dir(path, "made-detached");
	CHECK_EQ("the file is there", access(path, F_OK), 0);

	CHECK_ERR("fspick bad flags", sys_fspick(AT_FDCWD, dir, 0x10), EINVAL);
	CHECK_ERR("fspick bad fd", sys_fspick(-1, "x", 0), EBADF);
	CHECK_ERR("fspick nothing", sys_fspick(AT_FDCWD, "/nonexistent", 0),
		  ENOENT);
	CHECK_ERR("fspick not a mount", sys_fspick(AT_FDCWD, "/proc/self", 0),
		  EINVAL);
	int pfd = sys_fspick(AT_FDCWD, dir, 0);
	CHECK("fspick", pfd >= 0);
	CHECK_ERR("create on a picked one", sys_fsconfig(pfd, FSCONFIG_CMD_CREATE,
		  NULL, NULL, 0), EBUSY);
	CHECK_EQ("sync=false", sys_fsconfig(pfd, FSCONFIG_SET_STRING, "sync",
		 "false", 0), 0);
	CHECK_EQ("ro", sys_fsconfig(pfd, FSCONFIG_SET_FLAG, "ro", NULL, 0), 0);
	CHECK_EQ("reconfigure", sys_fsconfig(pfd, FSCONFIG_CMD_RECONFIGURE, NULL,
		 NULL, 0), 0);
	CHECK_STR("/proc/mounts", options_of(dir), "ro,noexec,noatime");
	CHECK_EQ("rw", sys_fsconfig(pfd, FSCONFIG_SET_FLAG, "rw", NULL, 0), 0);
	CHECK_EQ("reconfigure", sys_fsconfig(pfd, FSCONFIG_CMD_RECONFIGURE, NULL,
		 NULL, 0), 0);
	CHECK_STR("/proc/mounts", options_of(dir), "rw,noexec,noatime");
	close(pfd);

	mkdir(dir3, 0755);
	CHECK_ERR("move_mount into itself", sys_move_mount(AT_FDCWD, dir,
		  AT_FDCWD, dir3, 0), ELOOP);
	rmdir(dir3);
	CHECK_EQ("move_mount of an attached mount", sys_move_mount(AT_FDCWD, dir,
		 AT_FDCWD, dir2, 0), 0);
	CHECK_STR("/proc/mounts: old place", options_of(dir), "none");
	CHECK_STR("/proc/mounts: new place", options_of(dir2),
		  "rw,noexec,noatime");
	CHECK_EQ("umount", umount(dir2), 0);
}

static void
test_open_tree_setattr(void)
{
	CHECK_ERR("open_tree bad flags", sys_open_tree(AT_FDCWD, dir, 0xffffffff),
		  EINVAL);
	CHECK_ERR("open_tree AT_RECURSIVE alone", sys_open_tree(AT_FDCWD, dir,
		  AT_RECURSIVE), EINVAL);
	CHECK_ERR("open_tree bad fd", sys_open_tree(-1, "x", 0), EBADF);
	CHECK_ERR("open_tree nothing", sys_open_tree(AT_FDCWD, "/nonexistent", 0),
		  ENOENT);
	int fd = sys_open_tree(AT_FDCWD, dir, OPEN_TREE_CLOEXEC);
	CHECK("open_tree", fd >= 0);
	CHECK_EQ("an O_PATH fd", fcntl(fd, F_GETFL) & O_PATH, O_PATH);
	char buf[1];
	CHECK_ERR("read from it", read(fd, buf, 1), EBADF);
	close(fd);

	struct attr a = { .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
	CHECK_EQ("mount", mount("none", dir, "tmpfs", 0, NULL), 0);
	mkdir(dir3, 0755);
	CHECK_EQ("and one inside", mount("none", dir3, "tmpfs", 0, NULL), 0);
	CHECK_ERR("mount_setattr small", sys_mount_setattr(AT_FDCWD, dir, 0, &a,
		  16), EINVAL);
	CHECK_ERR("mount_setattr huge", sys_mount_setattr(AT_FDCWD, dir, 0, &a,
		  8192), E2BIG);
	CHECK_ERR("mount_setattr bad flags", sys_mount_setattr(AT_FDCWD, dir, 1,
		  &a, sizeof(a)), EINVAL);
	struct attr bad = { .attr_set = 0x40000000 };
	CHECK_ERR("mount_setattr bad attr", sys_mount_setattr(AT_FDCWD, dir, 0,
		  &bad, sizeof(bad)), EINVAL);
	struct attr atime = { .attr_set = MOUNT_ATTR_NOATIME };
	CHECK_ERR("an atime rule without clearing", sys_mount_setattr(AT_FDCWD,
		  dir, 0, &atime, sizeof(atime)), EINVAL);
	CHECK_ERR("not a mount", sys_mount_setattr(AT_FDCWD, "/proc/self", 0, &a,
		  sizeof(a)), EINVAL);
	CHECK_EQ("nothing asked", sys_mount_setattr(AT_FDCWD, "/proc/self", 0,
		 &(struct attr){ 0 }, sizeof(a)), 0);
	CHECK_EQ("mount_setattr recursive", sys_mount_setattr(AT_FDCWD, dir,
		 AT_RECURSIVE, &a, sizeof(a)), 0);
	CHECK_STR("/proc/mounts", options_of(dir), "rw,nosuid,nodev,relatime");
	CHECK_STR("the one inside too", options_of(dir3),
		  "rw,nosuid,nodev,relatime");
	struct attr b = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOATIME,
			  .attr_clr = MOUNT_ATTR_NODEV | MOUNT_ATTR__ATIME };
	CHECK_EQ("mount_setattr", sys_mount_setattr(AT_FDCWD, dir, 0, &b,
		 sizeof(b)), 0);
	CHECK_STR("/proc/mounts", options_of(dir), "ro,nosuid,noatime");
	CHECK_STR("not the one inside", options_of(dir3),
		  "rw,nosuid,nodev,relatime");
	struct attr p = { .propagation = MS_SHARED };
	CHECK_EQ("propagation", sys_mount_setattr(AT_FDCWD, dir, 0, &p, sizeof(p)),
		 0);
	CHECK_STR("mountinfo", propagation_of(dir), "shared");
	CHECK_EQ("umount inside", umount(dir3), 0);
	CHECK_EQ("umount", umount(dir), 0);
}

int
main(void)
{
	abi_init();
	strcpy(dir, "/tmp/abi-mountapi.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	snprintf(dir2, sizeof(dir2), "%s.to", dir);
	snprintf(dir3, sizeof(dir3), "%s/in", dir);
	mkdir(dir2, 0755);
	test_flags();
	test_magic_link();
	test_atime();
	test_mount_ids();
	test_expire();
	test_move_and_propagation();
	test_new_api();
	test_open_tree_setattr();
	rmdir(dir2);
	rmdir(dir);
	return abi_done("mountapi");
}
