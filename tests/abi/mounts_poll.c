/*
 * Watching the mount table (LTP's epoll_wait10; libmount's monitor): an
 * open /proc/mounts or /proc/self/mountinfo polls POLLPRI | POLLERR once
 * after each mount and unmount, through epoll and poll, and a read from
 * its start after a seek back shows the table as it is now. Done in a
 * mount namespace of its own.
 */
#include "abi.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/stat.h>

static char dir[64];

/* How many lines of the file at fd, read again from its start, name dir. */
static int
lines_naming_dir(int fd)
{
	static char buf[65536];
	lseek(fd, 0, SEEK_SET);
	ssize_t n, len = 0;
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	buf[len] = 0;
	int count = 0;
	for (char *p = buf; (p = strstr(p, dir)) != NULL; p++)
		count++;
	return count;
}

/* What one epoll_wait of timeout ms reports: "none", or its events. */
static const char *
epoll_once(int ep, int timeout)
{
	static char text[64];
	struct epoll_event ev;
	int n = epoll_wait(ep, &ev, 1, timeout);
	if (n <= 0)
		snprintf(text, sizeof(text), n == 0 ? "none" : "error %s",
			 errno_name(errno));
	else
		snprintf(text, sizeof(text), "%s%s%s",
			 ev.events & EPOLLPRI ? "PRI " : "",
			 ev.events & EPOLLERR ? "ERR " : "",
			 ev.events & EPOLLIN ? "IN" : "");
	return text;
}

static const char *
poll_once(int fd)
{
	static char text[64];
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLPRI };
	int n = poll(&p, 1, 0);
	snprintf(text, sizeof(text), "%d %s%s%s", n,
		 p.revents & POLLPRI ? "PRI " : "",
		 p.revents & POLLERR ? "ERR " : "",
		 p.revents & POLLIN ? "IN" : "");
	return text;
}

int
main(void)
{
	abi_init();
	CHECK_OK("unshare(CLONE_NEWNS)", unshare(CLONE_NEWNS));
	CHECK_OK("make it private",
		 mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	abi_tmpname(dir, sizeof(dir), "mountspoll");
	CHECK_OK("mkdir", mkdir(dir, 0755));

	int fd = open("/proc/mounts", O_RDONLY);
	int info = open("/proc/self/mountinfo", O_RDONLY);
	CHECK("open /proc/mounts and mountinfo", fd >= 0 && info >= 0);
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLPRI, .data.fd = fd };
	CHECK_OK("epoll_ctl ADD /proc/mounts",
		 epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	CHECK_STR("no change yet", epoll_once(ep, 0), "none");
	CHECK_STR("mountinfo: no change yet", poll_once(info), "1 IN");

	CHECK_OK("mount a tmpfs", mount("none", dir, "tmpfs", 0, NULL));
	CHECK_STR("after the mount", epoll_once(ep, 1000), "PRI ERR ");
	CHECK_STR("told once", epoll_once(ep, 0), "none");
	CHECK_STR("mountinfo after the mount", poll_once(info),
		  "1 PRI ERR IN");
	CHECK_STR("mountinfo told once", poll_once(info), "1 IN");
	CHECK_EQ("/proc/mounts read again shows it", lines_naming_dir(fd), 1);
	CHECK_EQ("mountinfo read again shows it", lines_naming_dir(info), 1);

	CHECK_OK("umount", umount(dir));
	CHECK_STR("after the umount", epoll_once(ep, 1000), "PRI ERR ");
	CHECK_EQ("/proc/mounts read again: gone", lines_naming_dir(fd), 0);
	CHECK_STR("mountinfo after the umount", poll_once(info),
		  "1 PRI ERR IN");
	close(ep);
	close(fd);
	close(info);
	rmdir(dir);
	return abi_done("mounts_poll");
}
