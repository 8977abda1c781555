/*
 * pivot_root(2) as root, in a child with a mount namespace of its own,
 * chrooted to a fresh tmpfs (Linux refuses to pivot the initial rootfs):
 * the new root's files are at "/" and the old root's under put_old, for
 * the caller and for another process rooted there; mountinfo shows mount
 * points from the new root and none outside it; umount2(put_old,
 * MNT_DETACH) drops the old root; pivot_root(".", ".") then
 * umount2(".", MNT_DETACH), runc's idiom, leaves only the new root; the
 * errors: new_root on the root's mount (EBUSY), put_old not under it
 * (EINVAL), a file for either (ENOTDIR), a missing one (ENOENT), a root
 * that is no mount's root (EINVAL), not root (EPERM).
 */
#include "abi.h"

#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>

static int
pivot_root(const char *new_root, const char *put_old)
{
	return (int)syscall(SYS_pivot_root, new_root, put_old);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The mount points /proc/self/mountinfo shows, sorted, space-separated
 * (the order of its lines is the kernel's own). */
static const char *
mount_points(void)
{
	static char points[512];
	char line[1024], point[16][64];
	int n = 0;
	FILE *f = fopen("/proc/self/mountinfo", "r");
	if (!f)
		return strerror(errno);
	while (n < 16 && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*d %*d %*u:%*u %*s %63s", point[n]) == 1)
			n++;
	fclose(f);
	qsort(point, (size_t)n, sizeof(point[0]), by_name);
	points[0] = 0;
	for (int i = 0; i < n; i++) {
		strcat(points, i ? " " : "");
		strcat(points, point[i]);
	}
	return points;
}

static int
make_tmpfs(const char *dir)
{
	mkdir(dir, 0755);
	return mount("none", dir, "tmpfs", 0, NULL);
}

/* The child's result for the parent: its checks all passed or not. */
static void
finish_child(void)
{
	fflush(stdout);
	_exit(abi_failures ? 1 : 0);
}

static void
test_errors(void)
{
	mkdir("/plain", 0755);
	mkdir("/plain/old", 0755);
	CHECK_ERR("new_root on the root's mount", pivot_root("/plain",
	    "/plain/old"), EBUSY);
	CHECK_EQ("a tmpfs", make_tmpfs("/new"), 0);
	CHECK_EQ("another", make_tmpfs("/other"), 0);
	mkdir("/new/old", 0755);
	CHECK_ERR("put_old not under new_root", pivot_root("/new", "/other"),
	    EINVAL);
	CHECK_ERR("put_old on the root's mount", pivot_root("/new", "/plain"),
	    EBUSY);
	CHECK_EQ("a file", abi_write_file("/new/file", "x"), 0);
	CHECK_ERR("put_old a file", pivot_root("/new", "/new/file"), ENOTDIR);
	CHECK_ERR("new_root a file", pivot_root("/new/file", "/new/old"),
	    ENOTDIR);
	CHECK_ERR("no put_old", pivot_root("/new", "/new/none"), ENOENT);
	CHECK_ERR("no new_root", pivot_root("/none", "/new/old"), ENOENT);
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(2);
		_exit(pivot_root("/new", "/new/old") < 0 && errno == EPERM ?
		    0 : 1);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK_STR("not root: EPERM", status_str(status), "exited 0");
	pid = fork();
	if (pid == 0) {	/* a root inside a tmpfs, not its root */
		if (chroot("/plain") < 0 || chdir("/") < 0)
			_exit(2);
		make_tmpfs("/n");
		int r = pivot_root("/n", "/n");
		_exit(r < 0 && errno == EINVAL ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	CHECK_STR("a root no mount's root: EINVAL", status_str(status),
	    "exited 0");
	umount("/plain/n");
	umount("/other");
}

/* A process rooted at the old root, which pivot_root moves: it says
 * through its exit status what "/" holds once told to look. */
static pid_t
start_bystander(int *go)
{
	int fds[2];
	if (pipe(fds) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1)
			_exit(2);
		_exit(strcmp(abi_content("/marker"), "new") == 0 ? 0 : 1);
	}
	close(fds[0]);
	*go = fds[1];
	return pid;
}

static void
test_pivot(void)
{
	CHECK_EQ("a file in the old root", abi_write_file("/marker", "old"), 0);
	CHECK_EQ("one in the new", abi_write_file("/new/marker", "new"), 0);
	int go = -1;
	pid_t bystander = start_bystander(&go);
	CHECK_EQ("pivot_root", pivot_root("/new", "/new/old"), 0);
	CHECK_STR("/ is the new root", abi_content("/marker"), "new");
	CHECK_STR("the old one under put_old", abi_content("/old/marker"),
	    "old");
	char cwd[64];
	CHECK_STR("the cwd moved with the root",
	    getcwd(cwd, sizeof(cwd)) ? cwd : strerror(errno), "/");
	CHECK_STR("from there too", abi_content("marker"), "new");
	int status = -1;
	if (write(go, "g", 1) == 1)
		waitpid(bystander, &status, 0);
	close(go);
	CHECK_STR("another process moved too", status_str(status),
	    "exited 0");
	CHECK_EQ("mount proc", mkdir("/proc", 0755) == 0 &&
	    mount("proc", "/proc", "proc", 0, NULL) == 0, 1);
	CHECK_STR("mountinfo, from the new root", mount_points(),
	    "/ /old /proc");
	CHECK_EQ("umount the old root", umount2("/old", MNT_DETACH), 0);
	CHECK_ERR("it is gone", access("/old/marker", F_OK), ENOENT);
	CHECK_STR("and from mountinfo", mount_points(), "/ /proc");
	CHECK_EQ("umount proc", umount("/proc"), 0);
	CHECK_ERR("new_root the root itself", pivot_root("/", "/old"),
	    EBUSY);
}

/* runc's idiom: chdir to the new root, pivot_root(".", "."), then the
 * old root, stacked on the new, is detached from ".". */
static void
test_dot(void)
{
	CHECK_EQ("a tmpfs", make_tmpfs("/next"), 0);
	CHECK_EQ("a file in it", abi_write_file("/next/m2", "two"), 0);
	CHECK_EQ("chdir", chdir("/next"), 0);
	CHECK_EQ("pivot_root(., .)", pivot_root(".", "."), 0);
	CHECK_EQ("umount2(., MNT_DETACH)", umount2(".", MNT_DETACH), 0);
	CHECK_EQ("chdir /", chdir("/"), 0);
	CHECK_STR("/ is the new root", abi_content("/m2"), "two");
	CHECK_ERR("the old root is gone", access("/marker", F_OK), ENOENT);
	CHECK_ERR("its mount point too", access("/next", F_OK), ENOENT);
}

static void
run_child(const char *top)
{
	CHECK_EQ("unshare", unshare(CLONE_NEWNS), 0);
	CHECK_EQ("all private", mount("none", "/", NULL, MS_REC | MS_PRIVATE,
	    NULL), 0);
	CHECK_EQ("a tmpfs to be the root", mount("none", top, "tmpfs", 0,
	    NULL), 0);
	CHECK_EQ("chroot", chroot(top), 0);
	CHECK_EQ("chdir", chdir("/"), 0);
	test_errors();
	test_pivot();
	test_dot();
	finish_child();
}

int
main(void)
{
	abi_init();
	char top[64];
	strcpy(top, "/tmp/abi-pivot.XXXXXX");
	if (!mkdtemp(top))
		return 1;
	pid_t pid = fork();
	if (pid == 0)
		run_child(top);
	int status;
	waitpid(pid, &status, 0);
	CHECK_STR("the child's checks", status_str(status), "exited 0");
	rmdir(top);
	return abi_done("pivot_root");
}
