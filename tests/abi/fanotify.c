/*
 * fanotify as root: fanotify_init's and fanotify_mark's errors (a user
 * may only have a FID group, without mount marks), the events an inode
 * mark and a directory watching its children hear with a descriptor open
 * on the file (an event whose file cannot be opened goes), ignore masks
 * (cleared by a modification unless they survive it), fdinfo, FAN_MARK_FLUSH,
 * FIONREAD and poll, permission events (a denied and an allowed open, a
 * response for an unknown fd, the group's close allowing a waiting opener,
 * a denied and an allowed execve) and /proc/sys/fs/fanotify.
 */
#include "abi.h"

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/fanotify.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

static char dir[64], file[128], sub[128];

/* One event, its descriptor checked and closed; 0 if none could be read. */
static uint64_t
one_event(int fan, const char *what)
{
	struct fanotify_event_metadata md;
	ssize_t n = read(fan, &md, sizeof(md));
	if (n != (ssize_t)sizeof(md)) {
		printf("%s: read %zd %s\n", what, n, n < 0 ? errno_name(errno) : "");
		return 0;
	}
	struct stat a, b;
	bool same = md.fd >= 0 && fstat(md.fd, &a) == 0 &&
		    stat(S_ISDIR(a.st_mode) ? sub : file, &b) == 0 &&
		    a.st_ino == b.st_ino;
	printf("%s: mask 0x%llx vers %d len %u/%u fd %s pid %s\n", what,
	       (unsigned long long)md.mask, md.vers, md.event_len,
	       md.metadata_len, md.fd < 0 ? "none" : same ? "the file" : "other",
	       md.pid == getpid() ? "mine" : "other");
	if (md.fd >= 0)
		close(md.fd);
	return md.mask;
}

static void
no_event(int fan, const char *what)
{
	char buf[256];
	ssize_t n = read(fan, buf, sizeof(buf));
	printf("%s: %s\n", what, n < 0 ? errno_name(errno) : "an event");
}

/* The group's marks as /proc/self/fdinfo shows them, less the numbers
   that differ between systems. */
static void
show_fdinfo(int fan)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fan);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *mask = strstr(line, "mflags:");
		char *fh = strstr(line, " fhandle-bytes:");
		if (strncmp(line, "fanotify ino:", 13) != 0 || !mask)
			continue;
		if (fh)
			*fh = 0;
		printf("fdinfo: inode mark %s%s", mask, fh ? " with handle\n" :
		       "");
	}
	if (f)
		fclose(f);
}

static void
test_errors(void)
{
	CHECK_ERR("init: unknown flag", fanotify_init(0x80000000, O_RDONLY),
		  EINVAL);
	CHECK_ERR("init: two classes", fanotify_init(FAN_CLASS_CONTENT |
		  FAN_CLASS_PRE_CONTENT, O_RDONLY), EINVAL);
	CHECK_ERR("init: bad access mode", fanotify_init(0, O_ACCMODE), EINVAL);
	int fan = fanotify_init(FAN_CLASS_NOTIF | FAN_NONBLOCK, O_RDONLY);
	CHECK("init", fan >= 0);
	CHECK_ERR("mark: bad fd", fanotify_mark(99, FAN_MARK_ADD, FAN_OPEN,
		  AT_FDCWD, file), EBADF);
	CHECK_ERR("mark: not a group", fanotify_mark(0, FAN_MARK_ADD, FAN_OPEN,
		  AT_FDCWD, file), EINVAL);
	CHECK_ERR("mark: no command", fanotify_mark(fan, 0, FAN_OPEN,
		  AT_FDCWD, file), EINVAL);
	CHECK_ERR("mark: two commands", fanotify_mark(fan, FAN_MARK_ADD |
		  FAN_MARK_REMOVE, FAN_OPEN, AT_FDCWD, file), EINVAL);
	CHECK_ERR("mark: empty mask", fanotify_mark(fan, FAN_MARK_ADD, 0,
		  AT_FDCWD, file), EINVAL);
	CHECK_ERR("mark: permission in a notification group",
		  fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN_PERM, AT_FDCWD,
		  file), EINVAL);
	CHECK_ERR("mark: FAN_CREATE without FID", fanotify_mark(fan,
		  FAN_MARK_ADD, FAN_CREATE, AT_FDCWD, dir), EINVAL);
	CHECK_ERR("mark: onlydir on a file", fanotify_mark(fan, FAN_MARK_ADD |
		  FAN_MARK_ONLYDIR, FAN_OPEN, AT_FDCWD, file), ENOTDIR);
	CHECK_ERR("mark: missing file", fanotify_mark(fan, FAN_MARK_ADD,
		  FAN_OPEN, AT_FDCWD, "/nonexistent"), ENOENT);
	CHECK_ERR("mark: remove what is not there", fanotify_mark(fan,
		  FAN_MARK_REMOVE, FAN_OPEN, AT_FDCWD, file), ENOENT);
	CHECK_EQ("read: nothing queued", read(fan, &(char[64]){0}, 64) < 0 &&
		 errno == EAGAIN, 1);
	close(fan);

	/* A user may have a notification group that reports FIDs, with no
	   mount or file-system mark. */
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(2);
		if (fanotify_init(0, O_RDONLY) >= 0 || errno != EPERM)
			_exit(3);
		if (fanotify_init(FAN_REPORT_FID | FAN_UNLIMITED_QUEUE,
				  O_RDONLY) >= 0 || errno != EPERM)
			_exit(4);
		int fan = fanotify_init(FAN_REPORT_FID, O_RDONLY);
		if (fan < 0)
			_exit(5);
		if (fanotify_mark(fan, FAN_MARK_ADD | FAN_MARK_MOUNT, FAN_OPEN,
				  AT_FDCWD, "/") == 0 || errno != EPERM)
			_exit(6);
		_exit(0);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK_STR("not root: a FID group only", status_str(status), "exited 0");
}

static void
test_inode_mark(void)
{
	int fan = fanotify_init(FAN_CLASS_NOTIF | FAN_NONBLOCK | FAN_CLOEXEC,
				O_RDONLY);
	CHECK_EQ("FAN_CLOEXEC", fcntl(fan, F_GETFD), FD_CLOEXEC);
	CHECK_OK("mark a file", fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN |
		 FAN_ACCESS | FAN_MODIFY | FAN_CLOSE, AT_FDCWD, file));
	int fd = open(file, O_RDONLY);
	one_event(fan, "open");
	char buf[16];
	CHECK_EQ("read", read(fd, buf, sizeof(buf)), 5);
	int n = -1;
	ioctl(fan, FIONREAD, &n);
	CHECK_EQ("FIONREAD", n, (int)sizeof(struct fanotify_event_metadata));
	struct pollfd pfd = { fan, POLLIN, 0 };
	CHECK_EQ("poll", poll(&pfd, 1, 0), 1);
	one_event(fan, "access");
	close(fd);
	one_event(fan, "close");

	/* The event's descriptor reads the file from its start. */
	fd = open(file, O_WRONLY | O_APPEND);
	struct fanotify_event_metadata md;
	CHECK_EQ("open for writing", read(fan, &md, sizeof(md)),
		 (ssize_t)sizeof(md));
	CHECK_EQ("its fd reads the data", read(md.fd, buf, sizeof(buf)), 5);
	close(md.fd);
	CHECK_EQ("write", write(fd, "!", 1), 1);
	one_event(fan, "modify");
	close(fd);
	one_event(fan, "close write");
	no_event(fan, "reading the event's fd made no event");

	/* An ignore mask, cleared by a modification... */
	CHECK_OK("ignore access", fanotify_mark(fan, FAN_MARK_ADD |
		 FAN_MARK_IGNORED_MASK, FAN_ACCESS, AT_FDCWD, file));
	fd = open(file, O_RDWR);
	one_event(fan, "open");
	read(fd, buf, 1);
	no_event(fan, "access ignored");
	write(fd, "?", 1);
	one_event(fan, "modify");
	read(fd, buf, 1);
	one_event(fan, "access heard again");
	/* ...unless it survives one. */
	CHECK_OK("ignore access, surviving", fanotify_mark(fan, FAN_MARK_ADD |
		 FAN_MARK_IGNORED_MASK | FAN_MARK_IGNORED_SURV_MODIFY,
		 FAN_ACCESS, AT_FDCWD, file));
	write(fd, "?", 1);
	one_event(fan, "modify");
	read(fd, buf, 1);
	no_event(fan, "access still ignored");
	close(fd);
	one_event(fan, "close");

	show_fdinfo(fan);
	CHECK_OK("remove open", fanotify_mark(fan, FAN_MARK_REMOVE, FAN_OPEN |
		 FAN_CLOSE, AT_FDCWD, file));
	close(open(file, O_RDONLY));
	no_event(fan, "open and close not heard");
	/* An event whose file cannot be opened for the reader goes. */
	CHECK_OK("mark open", fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN,
		 AT_FDCWD, file));
	close(open(file, O_RDONLY));
	struct rlimit old, none = { 0, 0 };
	getrlimit(RLIMIT_NOFILE, &old);
	none.rlim_max = old.rlim_max;
	setrlimit(RLIMIT_NOFILE, &none);
	CHECK_ERR("no descriptor free", read(fan, &md, sizeof(md)), EMFILE);
	setrlimit(RLIMIT_NOFILE, &old);
	no_event(fan, "the event went");
	CHECK_OK("flush", fanotify_mark(fan, FAN_MARK_FLUSH, 0, AT_FDCWD, dir));
	CHECK_ERR("no mark left", fanotify_mark(fan, FAN_MARK_REMOVE,
		  FAN_ACCESS, AT_FDCWD, file), ENOENT);
	close(fan);
}

static void
test_dir_marks(void)
{
	int fan = fanotify_init(FAN_CLASS_NOTIF | FAN_NONBLOCK, O_RDONLY);
	CHECK_OK("mark a directory for its children", fanotify_mark(fan,
		 FAN_MARK_ADD, FAN_OPEN | FAN_EVENT_ON_CHILD, AT_FDCWD, dir));
	close(open(file, O_RDONLY));
	one_event(fan, "a child opened");
	close(open(dir, O_RDONLY));
	no_event(fan, "the directory itself, without FAN_ONDIR");
	CHECK_OK("add FAN_ONDIR", fanotify_mark(fan, FAN_MARK_ADD, FAN_ONDIR,
		 AT_FDCWD, dir));
	close(open(dir, O_RDONLY));
	one_event(fan, "the directory itself");
	CHECK_OK("stop watching children", fanotify_mark(fan, FAN_MARK_REMOVE,
		 FAN_EVENT_ON_CHILD, AT_FDCWD, dir));
	close(open(file, O_RDONLY));
	no_event(fan, "a child, not watched");
	close(fan);
}

/* Opens file in a child, which exits 1 if open fails with want_errno, or
   0 if it opens it as it should without one. */
static pid_t
child_open(int fan, int want_errno)
{
	pid_t pid = fork();
	if (pid == 0) {
		close(fan);	/* else the group outlives the listener's close */
		int fd = open(file, O_RDONLY);
		_exit(want_errno ? fd < 0 && errno == want_errno : fd >= 0 ?
		      0 : 1);
	}
	return pid;
}

static void
respond(int fan, uint32_t response, const char *what)
{
	struct fanotify_event_metadata md;
	ssize_t n = read(fan, &md, sizeof(md));
	CHECK_EQ(what, n == (ssize_t)sizeof(md) ? md.mask : 0,
		 (uint64_t)FAN_OPEN_PERM);
	struct fanotify_response r = { md.fd, response };
	CHECK_EQ("respond", write(fan, &r, sizeof(r)), (ssize_t)sizeof(r));
	r.response = FAN_ALLOW;
	CHECK_ERR("respond twice", write(fan, &r, sizeof(r)), ENOENT);
	close(md.fd);
}

static void
test_permission(void)
{
	int fan = fanotify_init(FAN_CLASS_CONTENT, O_RDONLY);
	CHECK_OK("mark for permission", fanotify_mark(fan, FAN_MARK_ADD,
		 FAN_OPEN_PERM, AT_FDCWD, file));
	struct fanotify_response bad = { 0, 7 };
	CHECK_ERR("a response that is not one", write(fan, &bad, sizeof(bad)),
		  EINVAL);
	bad.response = FAN_ALLOW;
	CHECK_ERR("a response for no event", write(fan, &bad, sizeof(bad)),
		  ENOENT);
	int status;
	pid_t pid = child_open(fan, 0);
	respond(fan, FAN_ALLOW, "allowed open asked");
	waitpid(pid, &status, 0);
	CHECK_STR("allowed open", status_str(status), "exited 0");
	pid = child_open(fan, EPERM);
	respond(fan, FAN_DENY, "denied open asked");
	waitpid(pid, &status, 0);
	CHECK_STR("denied open", status_str(status), "exited 1");

	/* The group's close lets a waiting opener go on. */
	pid = child_open(fan, 0);
	struct pollfd pfd = { fan, POLLIN, 0 };
	CHECK_EQ("the opener is waiting", poll(&pfd, 1, 5000), 1);
	close(fan);
	waitpid(pid, &status, 0);
	CHECK_STR("allowed by the close", status_str(status), "exited 0");
}

/* An execve the listener denies fails with EPERM; one it allows runs. */
static void
test_exec(const char *self)
{
	int fan = fanotify_init(FAN_CLASS_CONTENT, O_RDONLY);
	CHECK_OK("mark the program for execution", fanotify_mark(fan,
		 FAN_MARK_ADD, FAN_OPEN_EXEC_PERM, AT_FDCWD, self));
	for (int i = 0; i < 2; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			close(fan);
			execl(self, self, "--exit", NULL);
			_exit(errno == EPERM ? 7 : 8);
		}
		struct fanotify_event_metadata md;
		CHECK_EQ("asked", read(fan, &md, sizeof(md)) == sizeof(md) ?
			 md.mask : 0, (uint64_t)FAN_OPEN_EXEC_PERM);
		struct fanotify_response r = { md.fd, i ? FAN_ALLOW : FAN_DENY };
		write(fan, &r, sizeof(r));
		close(md.fd);
		int status;
		waitpid(pid, &status, 0);
		CHECK_STR(i ? "allowed execve" : "denied execve",
			  status_str(status), i ? "exited 0" : "exited 7");
	}
	close(fan);
}

static void
test_proc(void)
{
	char buf[32] = "";
	FILE *f = fopen("/proc/sys/fs/fanotify/max_queued_events", "r");
	CHECK("max_queued_events", f && fgets(buf, sizeof(buf), f));
	printf("max_queued_events: %s", buf);
	if (f)
		fclose(f);
	f = fopen("/proc/sys/fs/fanotify/max_user_groups", "r");
	CHECK("max_user_groups", f && fgets(buf, sizeof(buf), f));
	printf("max_user_groups: %s", buf);
	if (f)
		fclose(f);
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--exit") == 0)
		return 0;	/* test_exec's program */
	abi_init();
	strcpy(dir, "/tmp/abi-fanotify.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	snprintf(file, sizeof(file), "%s/file", dir);
	strcpy(sub, dir);
	int fd = open(file, O_CREAT | O_WRONLY, 0644);
	write(fd, "hello", 5);
	close(fd);
	test_errors();
	test_inode_mark();
	test_dir_marks();
	test_permission();
	test_exec(argv[0]);
	test_proc();
	unlink(file);
	rmdir(dir);
	return abi_done("fanotify");
}
