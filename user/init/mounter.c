/*
 * The mounter: mount(2) of a disk file system (ext2 on a loop device)
 * needs a file server, and only init may start servers and mount their
 * trees. So init forks this helper at boot; it keeps init's system handle,
 * takes the kernel's PT_ROUTE_MOUNT calls (struct pt_mount_req) one at a
 * time, starts `fsd --file DEVICE` with the server end of a new channel
 * and mounts the tree with pt_mount, which returns once fsd has answered
 * the kernel's HELLO: its status (a refused disk's -EINVAL) is mount(2)'s.
 * umount(2) ends that fsd after it has written everything back.
 */
#include "init.h"

#include <petrel/fs.h>
#include <petrel/native.h>
#include <petrel/sock.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#define SYSTEM_HANDLE 1
#define FSD_PATH "/sbin/fsd"
#define MOUNTER_LOG LOG_DIR "/fsd-mount.log"

/* In the server's child: stdio to the log, the channel, then fsd. */
static void
fsd_exec(const struct pt_mount_req *req, int server)
{
	int fd = open("/dev/null", O_RDONLY);
	if (fd > STDIN_FILENO) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	mkdir("/var", 0755);
	mkdir(LOG_DIR, 0755);
	fd = open(MOUNTER_LOG, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	if (route_pass(server) < 0)
		_exit(126);
	char *argv[] = { "fsd", "--file", (char *)req->source, "--source",
			 (char *)req->source, NULL, NULL };
	if (req->flags & PT_MOUNT_RDONLY)
		argv[5] = "--read-only";
	execv(FSD_PATH, argv);
	_exit(127);
}

static bool
terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* Serves one mount(2): 0 or -errno. */
static long
mount_one(const struct pt_mount_req *req)
{
	if (!terminated(req->type, sizeof(req->type)) ||
	    !terminated(req->source, sizeof(req->source)) ||
	    !terminated(req->target, sizeof(req->target)))
		return -EINVAL;
	if (strcmp(req->type, "ext2") != 0)
		return -ENODEV;
	pt_handle_t ends[2];
	long e = pt_channel_create(ends);
	if (e < 0)
		return e;
	pid_t pid = fork();
	if (pid == 0) {
		pt_handle_close(ends[0]);
		fsd_exec(req, ends[1]);
	}
	pt_handle_close(ends[1]);
	if (pid < 0) {
		pt_handle_close(ends[0]);
		return -errno;
	}
	/* fsd answers the HELLO: with the root, or why it refused the disk
	   (then it ends). A fsd that could not start resets the channel. */
	e = pt_mount(SYSTEM_HANDLE, req->target, ends[0], 0);
	pt_handle_close(ends[0]);
	if (e == -ECONNRESET)
		e = -ENODEV;
	if (e < 0)
		kill(pid, SIGKILL);
	return e;
}

static void
mounter_loop(pt_handle_t server)
{
	struct pt_mount_req req;
	struct pt_recv r = { .msg = (uint64_t)(uintptr_t)&req,
			     .msg_cap = sizeof(req) };
	for (;;) {
		long e = pt_channel_recv(server, &r, -1);
		if (e == -EINTR || (e < 0 && r.reply_token)) {
			r.reply_token = 0;
			continue;
		}
		if (e < 0)
			_exit(1);	/* the kernel let go of the route */
		long status = -EINVAL;
		if ((r.flags & PT_RECV_KERNEL) && r.msg_len == sizeof(req))
			status = mount_one(&req);
		r.reply_token = r.token;
		r.reply_status = status;
	}
}

void
mounter_start(void)
{
	pt_handle_t ends[2];
	if (init_test_mode || pt_channel_create(ends) < 0)
		return;
	long e = pt_route_set(SYSTEM_HANDLE, PT_ROUTE_MOUNT, ends[0]);
	pt_handle_close(ends[0]);	/* the kernel holds the route */
	if (e < 0) {
		say("mounter: %s", strerror((int)-e));
		pt_handle_close(ends[1]);
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGCHLD, SIG_IGN);	/* fsd's ends reap themselves */
		prctl(PR_SET_NAME, "mounter");
		mounter_loop(ends[1]);
	}
	if (pid < 0)
		say("mounter: fork: %s", strerror(errno));
	pt_handle_close(ends[1]);
}

/*
 * At shutdown: unmounts what mount(2) put on loop devices, last first,
 * so each fsd writes its disk back before the processes are killed.
 */
void
mounter_unmount_all(void)
{
	char targets[16][128];
	int n = 0;
	FILE *f = fopen("/proc/mounts", "r");
	if (!f)
		return;
	char source[128], target[128];
	while (n < 16 && fscanf(f, "%127s %127s %*[^\n]", source, target) == 2)
		if (strncmp(source, "/dev/loop", 9) == 0)
			memcpy(targets[n++], target, sizeof(target));
	fclose(f);
	while (n-- > 0)
		if (umount2(targets[n], MNT_DETACH) < 0)
			say("umount %s: %s", targets[n], strerror(errno));
}
