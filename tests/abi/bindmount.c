/*
 * Bind mounts as root (mount(2)'s MS_BIND): a directory shown at a second
 * place holds the same files both ways, from tmpfs and from procfs; a file
 * bound onto a file; a directory bound onto itself (what LTP does to make
 * a mount point) is a mount point, whose propagation can be set; mountinfo
 * shows the bind's root (field 4) and its mount point, statx its own
 * mount id; umount takes the bind off and leaves the source; MNT_DETACH
 * too; open_tree's clone attached by move_mount, and dropped when closed
 * unattached; move_mount and MS_MOVE of a bind move the bind, not the
 * mount it shows; the errors: a missing source (ENOENT), an empty one
 * (EINVAL), a directory onto a file or the reverse (ENOTDIR), unlink of a
 * bound file (EBUSY), umount of what is no longer mounted (EINVAL), not
 * root (EPERM).
 */
#include "abi.h"

#include <sys/mount.h>
#include <sys/syscall.h>

#define OPEN_TREE_CLONE 1
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x4
#endif

struct attr {
	unsigned long long attr_set, attr_clr, propagation, userns_fd;
};

static char top[64], src[96], dst[96], path[160];

static const char *
at(const char *dir, const char *name)
{
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

/* statx's stx_mnt_id (STATX_MNT_ID) of name, or 0. */
static unsigned long long
mnt_id(const char *name)
{
	unsigned char buf[256];
	memset(buf, 0, sizeof(buf));
	if (syscall(SYS_statx, AT_FDCWD, name, 0, 0x1000, buf) < 0)
		return 0;
	unsigned long long id;
	memcpy(&id, buf + 0x90, sizeof(id));	/* stx_mnt_id's offset */
	return id;
}

/* Field 4 of the mountinfo line whose mount point is point, or "". */
static const char *
mountinfo_root(const char *point)
{
	static char root[256];
	char line[1024], p[256];
	FILE *f = fopen("/proc/self/mountinfo", "r");
	root[0] = 0;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*d %*d %*u:%*u %255s %255s", root, p) == 2 &&
		    strcmp(p, point) == 0)
			break;
		else
			root[0] = 0;
	if (f)
		fclose(f);
	return root;
}

static void
test_directory(void)
{
	CHECK_EQ("a file in the source", abi_write_file(at(src, "a"), "one"), 0);
	CHECK_EQ("bind", mount(src, dst, NULL, MS_BIND, NULL), 0);
	CHECK_STR("the file through the bind", abi_content(at(dst, "a")), "one");
	CHECK_EQ("a file made through it", abi_write_file(at(dst, "b"), "two"), 0);
	CHECK_STR("is in the source", abi_content(at(src, "b")), "two");
	struct stat s1, s2;
	stat(src, &s1);
	stat(dst, &s2);
	CHECK("the same directory", s1.st_ino == s2.st_ino &&
	    s1.st_dev == s2.st_dev);
	CHECK("statx: a mount id of its own", mnt_id(dst) != 0 &&
	    mnt_id(dst) != mnt_id(src));
	CHECK("mountinfo's root is the source's path",
	    strstr(src, mountinfo_root(dst)) != NULL &&
	    strcmp(mountinfo_root(dst), "/") != 0);
	CHECK_EQ("umount", umount(dst), 0);
	CHECK_ERR("gone from the target", access(at(dst, "a"), F_OK), ENOENT);
	CHECK_STR("kept in the source", abi_content(at(src, "a")), "one");
	CHECK_ERR("umount again", umount(dst), EINVAL);
	unlink(at(src, "a"));
	unlink(at(src, "b"));
}

static void
test_proc(void)
{
	CHECK_EQ("bind of /proc/sys", mount("/proc/sys", dst,
	    NULL, MS_BIND, NULL), 0);
	CHECK_EQ("shows its files", access(at(dst, "kernel/ostype"), R_OK), 0);
	/* (its root field, "/sys", Petrel's procfs cannot name) */
	CHECK("listed in mountinfo", mountinfo_root(dst)[0] == '/');
	CHECK_EQ("MNT_DETACH", umount2(dst, MNT_DETACH), 0);
	CHECK_ERR("gone", access(at(dst, "kernel"), F_OK), ENOENT);
}

static void
test_file(void)
{
	char f1[128], f2[128];
	snprintf(f1, sizeof(f1), "%s/f1", top);
	snprintf(f2, sizeof(f2), "%s/f2", top);
	abi_write_file(f1, "first");
	abi_write_file(f2, "second");
	CHECK_EQ("bind a file onto a file", mount(f1, f2, NULL, MS_BIND, NULL),
	    0);
	CHECK_STR("reads the source", abi_content(f2), "first");
	CHECK_ERR("a file onto a directory", mount(f1, dst, NULL, MS_BIND,
	    NULL), ENOTDIR);
	CHECK_ERR("a directory onto a file", mount(src, f1, NULL, MS_BIND,
	    NULL), ENOTDIR);
	CHECK_ERR("unlink of the target", unlink(f2), EBUSY);
	CHECK_EQ("umount the file's bind", umount(f2), 0);
	CHECK_STR("the target's own again", abi_content(f2), "second");
	unlink(f1);
	unlink(f2);
}

static void
test_self(void)
{
	char inner[128];
	snprintf(inner, sizeof(inner), "%s/d", src);
	mkdir(inner, 0755);
	CHECK_EQ("a directory bound onto itself", mount(src, src, "none",
	    MS_BIND, NULL), 0);
	CHECK_STR("is a mount point: mountinfo", mountinfo_root(src)[0] == '/' ?
	    "listed" : "not listed", "listed");
	CHECK_EQ("made private", mount("none", src, NULL, MS_PRIVATE, NULL),
	    0);
	CHECK_EQ("a tmpfs inside it", mount("none", inner, "tmpfs", 0, NULL),
	    0);
	CHECK_ERR("umount of the bind with it", umount(src), EBUSY);
	CHECK_EQ("a file in the bound directory", abi_write_file(at(src, "c"),
	    "three"), 0);
	CHECK_EQ("umount of the tmpfs", umount(inner), 0);
	CHECK_EQ("umount of the bind", umount(src), 0);
	CHECK_STR("the file stays", abi_content(at(src, "c")), "three");
	CHECK_ERR("no longer a mount point", umount(src), EINVAL);
	unlink(at(src, "c"));
	rmdir(inner);
}

/* open_tree's clone: a detached bind until move_mount puts it in place;
 * closed before that, it is gone. */
static void
test_clone(void)
{
	abi_write_file(at(src, "a"), "one");
	int fd = syscall(SYS_open_tree, AT_FDCWD, src, OPEN_TREE_CLONE |
	    O_CLOEXEC);
	CHECK("open_tree OPEN_TREE_CLONE", fd >= 0);
	int in = openat(fd, "a", O_RDONLY);
	CHECK("a file opened through the clone", in >= 0);
	close(in);
	CHECK_EQ("move_mount it into place", syscall(SYS_move_mount, fd, "",
	    AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH), 0);
	close(fd);
	CHECK_STR("the file through it", abi_content(at(dst, "a")), "one");
	CHECK("in mountinfo", mountinfo_root(dst)[0] == '/');
	struct attr a = { .propagation = MS_PRIVATE };
	CHECK_EQ("mount_setattr: private", syscall(SYS_mount_setattr,
	    AT_FDCWD, dst, 0, &a, sizeof(a)), 0);
	CHECK_EQ("umount", umount(dst), 0);
	CHECK_ERR("then nothing there", access(at(dst, "a"), F_OK), ENOENT);

	fd = syscall(SYS_open_tree, AT_FDCWD, src, OPEN_TREE_CLONE |
	    AT_RECURSIVE);
	CHECK("open_tree AT_RECURSIVE", fd >= 0);
	close(fd);
	CHECK_ERR("closed unattached: nothing mounted", umount(dst), EINVAL);
	CHECK_ERR("a clone of nothing", syscall(SYS_open_tree, AT_FDCWD,
	    at(top, "none"), OPEN_TREE_CLONE), ENOENT);
	unlink(at(src, "a"));
}

/* move_mount and MS_MOVE of a bind of a mount's root move the bind,
 * not the mount it shows. */
static void
test_move(void)
{
	char other[128];
	snprintf(other, sizeof(other), "%s/other", top);
	mkdir(other, 0755);
	CHECK_EQ("a tmpfs on the source", mount("none", src, "tmpfs", 0, NULL),
	    0);
	abi_write_file(at(src, "m"), "mounted");
	CHECK_EQ("bound elsewhere", mount(src, dst, NULL, MS_BIND, NULL), 0);
	CHECK_EQ("move_mount of the bind", syscall(SYS_move_mount, AT_FDCWD,
	    dst, AT_FDCWD, other, 0), 0);
	CHECK_STR("shown at the new place", abi_content(at(other, "m")),
	    "mounted");
	CHECK_ERR("not at the old", access(at(dst, "m"), F_OK), ENOENT);
	CHECK_STR("the source's tmpfs stays", abi_content(at(src, "m")),
	    "mounted");
	CHECK_EQ("MS_MOVE it back", mount(other, dst, NULL, MS_MOVE, NULL), 0);
	CHECK_STR("shown there again", abi_content(at(dst, "m")), "mounted");
	CHECK_ERR("and gone from the other", access(at(other, "m"), F_OK),
	    ENOENT);
	CHECK_EQ("umount the bind", umount(dst), 0);
	CHECK_EQ("umount the tmpfs", umount(src), 0);
	rmdir(other);
}

static void
test_errors(void)
{
	CHECK_ERR("no source", mount(at(top, "none"), dst, NULL, MS_BIND,
	    NULL), ENOENT);
	CHECK_ERR("an empty source", mount("", dst, NULL, MS_BIND, NULL),
	    EINVAL);
	CHECK_ERR("no target", mount(src, at(top, "none"), NULL, MS_BIND,
	    NULL), ENOENT);
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(2);
		/* /tmp: the 0700 test directory would be EACCES first */
		int r = mount("/tmp", "/tmp", NULL, MS_BIND, NULL);
		_exit(r < 0 && errno == EPERM ? 0 : 1);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK_STR("not root: EPERM", status_str(status), "exited 0");
}

int
main(void)
{
	abi_init();
	strcpy(top, "/tmp/abi-bind.XXXXXX");
	if (!mkdtemp(top))
		return 1;
	snprintf(src, sizeof(src), "%s/src", top);
	snprintf(dst, sizeof(dst), "%s/dst", top);
	mkdir(src, 0755);
	mkdir(dst, 0755);
	test_directory();
	test_proc();
	test_file();
	test_self();
	test_clone();
	test_move();
	test_errors();
	rmdir(src);
	rmdir(dst);
	rmdir(top);
	return abi_done("bindmount");
}
