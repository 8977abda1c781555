/*
 * The first steps of user space: mount /proc, /dev (with a tmpfs of its
 * own on /dev/shm, for shm_open and sem_open, and devpts on /dev/pts) and
 * /sys, make sure init has the console as stdio, set the environment every
 * child inherits, and name the host. Each failure is reported and boot goes on.
 */
#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* What every program init starts sees; init's own environment is dropped. */
static char *init_environment[] = {
	"PATH=/sbin:/usr/sbin:/bin:/usr/bin",
	"HOME=" ROOT_HOME,
	"TERM=linux",
	"SHELL=" SHELL_PATH,
	NULL,
};

/* Mounts a file system of type on dir, with options (or NULL); returns 0
 * or a negative errno. */
static int
mount_at(const char *type, const char *dir, const char *options)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (mount(type, dir, type, 0, options) < 0)
		return -errno;
	return 0;
}

/* Sets the host name from /etc/hostname, if the file says one. */
static void
hostname_set(void)
{
	char name[65];
	ssize_t len;
	int fd;

	fd = open("/etc/hostname", O_RDONLY);
	if (fd < 0)
		return;
	len = read(fd, name, sizeof(name) - 1);
	close(fd);
	if (len <= 0)
		return;
	name[len] = '\0';
	name[strcspn(name, " \t\r\n")] = '\0';
	/* A kernel without sethostname() keeps its own name: no message. */
	if (name[0] != '\0' && sethostname(name, strlen(name)) < 0 &&
	    errno != ENOSYS)
		say("sethostname: %s", strerror(errno));
}

void
boot_system(void)
{
	int proc_err = 0, dev_err = 0, shm_err = 0, sys_err = 0, pts_err = 0;
	int console_err;

	umask(022);
	environ = init_environment;
	if (init_test_mode)
		return;

	if (chdir("/") < 0)
		say("chdir /: %s", strerror(errno));
	/* /dev/console may exist only once devtmpfs is there: mount first,
	 * report once the console is open. */
	proc_err = mount_at("proc", "/proc", NULL);
	dev_err = mount_at("devtmpfs", "/dev", NULL);
	/* As systemd does: POSIX shared memory gets a tmpfs of its own, so
	 * filling it leaves /dev alone. */
	if (dev_err == 0)
		shm_err = mount_at("tmpfs", "/dev/shm", "mode=1777");
	sys_err = mount_at("sysfs", "/sys", NULL);
	/* Slaves are the opener's and group tty's, as Debian mounts it. */
	if (dev_err == 0)
		pts_err = mount_at("devpts", "/dev/pts",
				   "gid=" TTY_GID ",mode=620,ptmxmode=666");
	console_err = console_open_std();
	if (console_err < 0)
		say("%s: %s", CONSOLE_PATH, strerror(-console_err));
	if (proc_err < 0)
		say("mount proc on /proc: %s", strerror(-proc_err));
	if (dev_err < 0)
		say("mount devtmpfs on /dev: %s", strerror(-dev_err));
	if (shm_err < 0)
		say("mount tmpfs on /dev/shm: %s", strerror(-shm_err));
	if (sys_err < 0)
		say("mount sysfs on /sys: %s", strerror(-sys_err));
	if (pts_err < 0)
		say("mount devpts on /dev/pts: %s", strerror(-pts_err));
	hostname_set();
}
