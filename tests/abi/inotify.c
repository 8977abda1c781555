/*
 * inotify: flags and errors of the three calls, the events a directory
 * watch hears (create, open, modify, close, attrib, moves with one
 * cookie, a subdirectory made and removed, delete) and a file watch
 * hears (access, modify, unlink: attrib, delete_self, ignored), repeated
 * events merged, IN_ONESHOT, IN_MASK_ADD and IN_MASK_CREATE, FIONREAD,
 * poll and epoll readiness, a read buffer too small, rm_watch's
 * IN_IGNORED, IN_UNMOUNT at a umount, and the /proc/sys/fs/inotify files.
 */
#include "abi.h"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>

static char dir[64], path[128], path2[128], sub[128];

/* Reads what is queued and prints one line per event. */
static void
show_events(int fd, const char *what)
{
	char buf[4096] __attribute__((aligned(8)));
	uint32_t cookie = 0;
	ssize_t n = read(fd, buf, sizeof(buf));
	if (n < 0) {
		printf("%s: read %s\n", what, errno_name(errno));
		return;
	}
	for (char *p = buf; p < buf + n;) {
		struct inotify_event *e = (struct inotify_event *)p;
		const char *tie = "";
		if (e->mask & IN_MOVED_FROM) {
			cookie = e->cookie;
			tie = e->cookie ? " cookie set" : " cookie 0";
		} else if (e->mask & IN_MOVED_TO) {
			tie = e->cookie == cookie ? " same cookie" : " other cookie";
		} else if (e->cookie) {
			tie = " cookie!";
		}
		printf("%s: wd %d mask 0x%x len %s name \"%s\"%s\n", what, e->wd,
		    e->mask, e->len % 16 ? "unaligned" : "aligned",
		    e->len ? e->name : "", tie);
		p += sizeof(*e) + e->len;
	}
}

static void
test_errors(void)
{
	CHECK_ERR("init1 bad flag", inotify_init1(1), EINVAL);
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	CHECK("init1 made", fd >= 0);
	CHECK_EQ("O_NONBLOCK", !!(fcntl(fd, F_GETFL) & O_NONBLOCK), 1);
	CHECK_EQ("FD_CLOEXEC", fcntl(fd, F_GETFD), FD_CLOEXEC);
	CHECK_ERR("add bad fd", inotify_add_watch(-1, dir, IN_ALL_EVENTS), EBADF);
	CHECK_ERR("add not inotify", inotify_add_watch(0, dir, IN_ALL_EVENTS), EINVAL);
	CHECK_ERR("add mask 0", inotify_add_watch(fd, dir, 0), EINVAL);
	CHECK_ERR("add missing", inotify_add_watch(fd, "/nonexistent", IN_OPEN), ENOENT);
	CHECK_ERR("add onlydir file", inotify_add_watch(fd, path, IN_OPEN | IN_ONLYDIR), ENOTDIR);
	CHECK_ERR("add create+add", inotify_add_watch(fd, dir,
	    IN_OPEN | IN_MASK_ADD | IN_MASK_CREATE), EINVAL);
	int wd = inotify_add_watch(fd, dir, IN_OPEN);
	CHECK_EQ("first wd", wd, 1);
	CHECK_EQ("same inode, same wd", inotify_add_watch(fd, dir, IN_CREATE), wd);
	CHECK_ERR("mask create again", inotify_add_watch(fd, dir,
	    IN_CREATE | IN_MASK_CREATE), EEXIST);
	CHECK_EQ("second wd", inotify_add_watch(fd, path, IN_OPEN), 2);
	CHECK_ERR("rm bad wd", inotify_rm_watch(fd, 99), EINVAL);
	CHECK_ERR("rm bad fd", inotify_rm_watch(-1, 1), EBADF);
	CHECK_ERR("rm not inotify", inotify_rm_watch(0, 1), EINVAL);
	CHECK_ERR("empty read", read(fd, path2, 100), EAGAIN);
	CHECK_OK("rm watch", inotify_rm_watch(fd, wd));
	show_events(fd, "rm");
	CHECK_ERR("rm twice", inotify_rm_watch(fd, wd), EINVAL);
	close(fd);
}

static void
test_dir_events(void)
{
	int fd = inotify_init();
	int wd = inotify_add_watch(fd, dir, IN_ALL_EVENTS);
	CHECK("dir watch", wd > 0);
	int f = open(path2, O_CREAT | O_RDWR, 0600);
	CHECK_EQ("write", write(f, "abc", 3), 3);
	CHECK_EQ("write again (merged)", write(f, "abc", 3), 3);
	close(f);
	chmod(path2, 0644);
	rename(path2, path);
	mkdir(sub, 0700);
	rmdir(sub);
	f = open(path, O_RDONLY);
	char c;
	CHECK_EQ("read", read(f, &c, 1), 1);
	close(f);
	int n = -1;
	CHECK_OK("FIONREAD", ioctl(fd, FIONREAD, &n));
	CHECK("FIONREAD counts", n > 0 && n % 16 == 0);
	show_events(fd, "dir");
	close(fd);
}

static void
test_file_events(void)
{
	int fd = inotify_init1(IN_NONBLOCK);
	int wd = inotify_add_watch(fd, path, IN_ALL_EVENTS);
	int one = inotify_add_watch(fd, dir, IN_DELETE | IN_ONESHOT);
	CHECK("file and oneshot watches", wd > 0 && one > 0);
	struct pollfd p = { fd, POLLIN, 0 };
	CHECK_EQ("poll empty", poll(&p, 1, 0), 0);
	int f = open(path, O_WRONLY | O_TRUNC);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN }, out;
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
	CHECK_EQ("poll ready", poll(&p, 1, 0), 1);
	CHECK_EQ("epoll ready", epoll_wait(ep, &out, 1, 0), 1);
	close(ep);
	close(f);
	char small[8];
	CHECK_ERR("read too small", read(fd, small, sizeof(small)), EINVAL);
	show_events(fd, "file");
	unlink(path);
	show_events(fd, "unlink");
	CHECK_ERR("rm ended watch", inotify_rm_watch(fd, wd), EINVAL);
	close(fd);
}

/* A watch on a file system that is unmounted hears IN_UNMOUNT, then
   IN_IGNORED, and is gone. */
static void
test_unmount(void)
{
	char file[160];
	snprintf(file, sizeof(file), "%s/file", sub);
	mkdir(sub, 0700);
	if (mount("none", sub, "tmpfs", 0, NULL) < 0) {
		printf("mount tmpfs: %s\n", errno_name(errno));
		rmdir(sub);
		return;
	}
	close(open(file, O_CREAT | O_WRONLY, 0600));
	int fd = inotify_init1(IN_NONBLOCK);
	int wd = inotify_add_watch(fd, file, IN_CLOSE_WRITE);
	CHECK_OK("umount under a watch", umount(sub));
	show_events(fd, "unmount");
	CHECK_ERR("the watch ended", inotify_rm_watch(fd, wd), EINVAL);
	close(fd);
	rmdir(sub);
}

static void
test_proc(void)
{
	const char *names[] = { "max_queued_events", "max_user_instances",
				"max_user_watches" };
	for (int i = 0; i < 3; i++) {
		char p[96];
		snprintf(p, sizeof(p), "/proc/sys/fs/inotify/%s", names[i]);
		FILE *f = fopen(p, "r");
		long v = -1;
		if (f) {
			if (fscanf(f, "%ld", &v) != 1)
				v = -1;
			fclose(f);
		}
		CHECK(names[i], v > 0);
	}
}

int
main(void)
{
	abi_init();
	abi_tmpname(dir, sizeof(dir), "inotify");
	snprintf(path, sizeof(path), "%s/file", dir);
	snprintf(path2, sizeof(path2), "%s/new", dir);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	mkdir(dir, 0700);
	close(open(path, O_CREAT | O_WRONLY, 0600));
	test_errors();
	test_dir_events();
	test_file_events();
	test_unmount();
	test_proc();
	rmdir(dir);
	return abi_done("inotify");
}
