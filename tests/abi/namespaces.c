/*
 * Namespaces as root: /proc/self/ns's links (names, the initial
 * namespaces' inode numbers, nsfs files that stat and open), the NS_GET_*
 * ioctls, setns's errors; a new UTS namespace keeps its own host name and
 * setns goes back; a new user namespace (its parent through
 * NS_GET_USERNS, uid_map and gid_map written once, setgroups), a user
 * with no privilege making one and a UTS namespace inside it; a mount
 * namespace whose mounts and umounts the parent does not see; an IPC
 * namespace with its own keys; a time namespace for the children, whose
 * offsets move CLOCK_MONOTONIC, CLOCK_BOOTTIME, sysinfo's uptime and
 * absolute sleeps and timers; kernel/ns_last_pid (a pid given again
 * is not the /proc/PID directory of the one before), fs/nr_open and
 * user/max_*_namespaces. Each namespace is made in a child, so the
 * host's stay as they are.
 */
#include "abi.h"

#include <sched.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/sysinfo.h>
#include <sys/timerfd.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#define NS_GET_USERNS 0xb701
#define NS_GET_PARENT 0xb702
#define NS_GET_NSTYPE 0xb703
#define NS_GET_OWNER_UID 0xb704

static const char *const ns_names[] = {
	"cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time",
	"time_for_children", "user", "uts",
};

static char dir[64];

static int
setns_(int fd, int type)
{
	return (int)syscall(SYS_setns, fd, type);
}

static ino_t
ino_of_fd(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

static ino_t
ino_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? st.st_ino : 0;
}

static void
test_links(void)
{
	for (size_t i = 0; i < sizeof(ns_names) / sizeof(ns_names[0]); i++) {
		char path[64], link[64], what[96];
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns_names[i]);
		ssize_t n = readlink(path, link, sizeof(link) - 1);
		link[n > 0 ? n : 0] = 0;
		printf("%s -> %s\n", ns_names[i], link);
		struct stat st, lst;
		snprintf(what, sizeof(what), "%s: stat and lstat", ns_names[i]);
		CHECK(what, stat(path, &st) == 0 && lstat(path, &lst) == 0);
		snprintf(what, sizeof(what), "%s: a link to a 0444 file",
			 ns_names[i]);
		CHECK(what, S_ISLNK(lst.st_mode) && S_ISREG(st.st_mode) &&
			    (st.st_mode & 07777) == 0444);
		snprintf(what, sizeof(what), "%s: the inode the link names",
			 ns_names[i]);
		CHECK(what, strtoull(strchr(link, '[') + 1, NULL, 10) ==
			    st.st_ino);
	}
}

static void
test_ioctls(void)
{
	int uts = open("/proc/self/ns/uts", O_RDONLY);
	int user = open("/proc/self/ns/user", O_RDONLY);
	int pid = open("/proc/self/ns/pid", O_RDONLY);
	CHECK("open the nsfs files", uts >= 0 && user >= 0 && pid >= 0);
	CHECK("fstat: the link's inode", ino_of_fd(uts) ==
	      ino_of("/proc/self/ns/uts"));
	CHECK_EQ("NS_GET_NSTYPE of uts", ioctl(uts, NS_GET_NSTYPE),
		 CLONE_NEWUTS);
	CHECK_EQ("NS_GET_NSTYPE of user", ioctl(user, NS_GET_NSTYPE),
		 CLONE_NEWUSER);
	CHECK_ERR("NS_GET_PARENT of uts", ioctl(uts, NS_GET_PARENT), EINVAL);
	uid_t owner;
	CHECK_ERR("NS_GET_OWNER_UID of uts", ioctl(uts, NS_GET_OWNER_UID,
						   &owner), EINVAL);
	CHECK_ERR("NS_GET_USERNS of the initial user namespace",
		  ioctl(user, NS_GET_USERNS), EPERM);
	CHECK_ERR("NS_GET_PARENT of the initial PID namespace",
		  ioctl(pid, NS_GET_PARENT), EPERM);
	int owner_fd = ioctl(uts, NS_GET_USERNS);
	CHECK("NS_GET_USERNS of uts: the user namespace",
	      owner_fd >= 0 && ino_of_fd(owner_fd) == ino_of_fd(user));
	CHECK("close-on-exec", fcntl(owner_fd, F_GETFD) == FD_CLOEXEC);
	close(owner_fd);
	CHECK_ERR("an unknown ioctl", ioctl(uts, 0xb7ff), ENOTTY);

	int file = open(dir, O_RDONLY);
	CHECK_ERR("setns: a bad fd", setns_(-1, 0), EBADF);
	CHECK_ERR("setns: a directory", setns_(file, 0), EINVAL);
	CHECK_ERR("setns: another kind", setns_(uts, CLONE_NEWIPC), EINVAL);
	CHECK_ERR("setns: an unknown kind", setns_(uts, -1), EINVAL);
	CHECK_EQ("setns: its own uts namespace", setns_(uts, CLONE_NEWUTS), 0);
	CHECK_ERR("setns: its own user namespace", setns_(user, 0), EINVAL);
	close(file);
	close(uts);
	close(user);
	close(pid);
}

/* Runs fn in a child; its exit status. */
static int
in_child(int (*fn)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int before = abi_failures;
		fn();
		fflush(stdout);
		_exit(abi_failures - before);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 99;
}

static int parent_uts_fd;

static int
uts_child(void)
{
	ino_t before = ino_of("/proc/self/ns/uts");
	CHECK_EQ("unshare(CLONE_NEWUTS)", unshare(CLONE_NEWUTS), 0);
	CHECK("a new uts inode", ino_of("/proc/self/ns/uts") != before);
	CHECK_EQ("sethostname", sethostname("abi-ns-child", 12), 0);
	struct utsname u;
	uname(&u);
	CHECK_STR("uname in the new namespace", u.nodename, "abi-ns-child");
	CHECK_EQ("setns back", setns_(parent_uts_fd, CLONE_NEWUTS), 0);
	uname(&u);
	CHECK("the parent's name again", strcmp(u.nodename, "abi-ns-child"));
	CHECK("the parent's inode", ino_of("/proc/self/ns/uts") == before);
	return abi_failures;
}

static void
test_uts(void)
{
	struct utsname before, after;
	uname(&before);
	parent_uts_fd = open("/proc/self/ns/uts", O_RDONLY);
	CHECK_EQ("the child's checks", in_child(uts_child), 0);
	uname(&after);
	CHECK("the parent's host name stays",
	      strcmp(after.nodename, before.nodename) == 0);
	/* clone(2) with CLONE_NEWUTS */
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWUTS | SIGCHLD, 0, 0,
				   0, 0);
	if (pid == 0) {
		sethostname("abi-ns-clone", 12);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	uname(&after);
	CHECK("clone(CLONE_NEWUTS): the parent's stays",
	      strcmp(after.nodename, before.nodename) == 0);
	close(parent_uts_fd);
}

/*
 * clone with a PID namespace, which Petrel cannot make (EINVAL) and
 * Linux makes: either way the caller goes on as before, its namespaces
 * intact (a failed clone drops what it took once).
 */
static void
test_clone_newpid(void)
{
	ino_t uts = ino_of("/proc/self/ns/uts");
	for (int i = 0; i < 20; i++) {
		pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID |
					   CLONE_NEWUTS | SIGCHLD, 0, 0, 0, 0);
		if (pid == 0)
			_exit(0);
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
	pid_t pid = fork();
	if (pid == 0)
		_exit(ino_of("/proc/self/ns/uts") == uts ? 0 : 1);
	int status = 0;
	waitpid(pid, &status, 0);
	CHECK("after clone(CLONE_NEWPID): fork, same namespaces",
	      WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static ino_t parent_user_ino;

static long
write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	long r = write(fd, text, strlen(text));
	int e = errno;
	close(fd);
	errno = e;
	return r < 0 ? -1 : 0;
}

static void
show_file(const char *what, const char *path)
{
	char buf[128] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	buf[n > 0 ? n : 0] = 0;
	close(fd);
	printf("%s: [%s]\n", what, buf);
}

static int
user_child(void)
{
	CHECK_EQ("unshare(CLONE_NEWUSER)", unshare(CLONE_NEWUSER), 0);
	int user = open("/proc/self/ns/user", O_RDONLY);
	CHECK("a new user inode", ino_of_fd(user) != parent_user_ino);
	/* the parent is above the caller's namespace: out of its reach */
	CHECK_ERR("NS_GET_USERNS from inside", ioctl(user, NS_GET_USERNS),
		  EPERM);
	CHECK_ERR("NS_GET_PARENT from inside", ioctl(user, NS_GET_PARENT),
		  EPERM);
	show_file("uid_map at first", "/proc/self/uid_map");
	CHECK_ERR("a bad map", write_file("/proc/self/uid_map", "0 0\n"),
		  EINVAL);
	CHECK_ERR("an empty extent", write_file("/proc/self/uid_map",
						"0 0 0\n"), EINVAL);
	CHECK_EQ("uid_map: its own uid", write_file("/proc/self/uid_map",
						    "0 0 1\n"), 0);
	show_file("uid_map", "/proc/self/uid_map");
	uid_t owner = 1;
	CHECK_EQ("NS_GET_OWNER_UID", ioctl(user, NS_GET_OWNER_UID, &owner), 0);
	CHECK_EQ("the creator's uid", owner, 0);
	CHECK_ERR("uid_map again", write_file("/proc/self/uid_map",
					      "0 0 1\n"), EPERM);
	show_file("setgroups", "/proc/self/setgroups");
	CHECK_ERR("gid_map while setgroups is allowed",
		  write_file("/proc/self/gid_map", "0 0 1\n"), EPERM);
	CHECK_EQ("setgroups deny", write_file("/proc/self/setgroups",
					      "deny"), 0);
	CHECK_EQ("gid_map", write_file("/proc/self/gid_map", "0 0 1\n"), 0);
	show_file("gid_map", "/proc/self/gid_map");
	show_file("setgroups then", "/proc/self/setgroups");
	CHECK_ERR("setgroups allow again", write_file("/proc/self/setgroups",
						      "allow"), EPERM);
	CHECK_EQ("a UTS namespace inside it", unshare(CLONE_NEWUTS), 0);
	int uts = open("/proc/self/ns/uts", O_RDONLY);
	int uts_owner = ioctl(uts, NS_GET_USERNS);
	CHECK("owned by the new user namespace",
	      ino_of_fd(uts_owner) == ino_of_fd(user));
	return abi_failures;
}

static int
nobody_child(void)
{
	int uts = open("/proc/self/ns/uts", O_RDONLY);
	CHECK_EQ("become nobody", setresuid(65534, 65534, 65534), 0);
	prctl(PR_SET_DUMPABLE, 1);	/* its /proc/self files its own */
	CHECK_ERR("nobody: setns", setns_(uts, CLONE_NEWUTS), EPERM);
	CHECK_ERR("nobody: unshare(CLONE_NEWUTS)", unshare(CLONE_NEWUTS),
		  EPERM);
	CHECK_EQ("nobody: unshare(CLONE_NEWUSER | CLONE_NEWUTS)",
		 unshare(CLONE_NEWUSER | CLONE_NEWUTS), 0);
	CHECK_EQ("nobody: sethostname in it", sethostname("abi-ns-nobody",
							   13), 0);
	CHECK_ERR("nobody: another's uid", write_file("/proc/self/uid_map",
						      "0 0 1\n"), EPERM);
	CHECK_EQ("nobody: its own uid", write_file("/proc/self/uid_map",
						   "0 65534 1\n"), 0);
	return abi_failures;
}

static void
test_user(void)
{
	parent_user_ino = ino_of("/proc/self/ns/user");
	CHECK_EQ("the user namespace child's checks", in_child(user_child), 0);
	CHECK_EQ("nobody's checks", in_child(nobody_child), 0);
	CHECK("the parent's user namespace stays",
	      ino_of("/proc/self/ns/user") == parent_user_ino);
}

static char outer_file[112], inner_file[112];
static int to_parent[2], to_child[2];

/* How many lines of /proc/self/mounts name dir as a mount point. */
static int
mounts_at_dir(void)
{
	FILE *f = fopen("/proc/self/mounts", "r");
	char line[512], point[256];
	int n = 0;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %255s", point) == 1 &&
		    strcmp(point, dir) == 0)
			n++;
	if (f)
		fclose(f);
	return n;
}

static int
mnt_child(void)
{
	char c;
	CHECK_EQ("unshare(CLONE_NEWNS)", unshare(CLONE_NEWNS), 0);
	CHECK_EQ("make it private", mount(NULL, "/", NULL, MS_REC | MS_PRIVATE,
					  NULL), 0);
	CHECK_EQ("umount the parent's tmpfs", umount(dir), 0);
	CHECK_ERR("its file is gone here", access(outer_file, F_OK), ENOENT);
	CHECK_EQ("mount a tmpfs of its own", mount("none", dir, "tmpfs", 0,
						  NULL), 0);
	close(open(inner_file, O_CREAT | O_WRONLY, 0600));
	CHECK_EQ("its file", access(inner_file, F_OK), 0);
	CHECK_EQ("its /proc/self/mounts: its own tmpfs there",
		 mounts_at_dir(), 1);
	write(to_parent[1], "m", 1);
	read(to_child[0], &c, 1);
	return abi_failures;
}

static void
test_mnt(void)
{
	char c = 0;
	CHECK_EQ("mount a tmpfs", mount("none", dir, "tmpfs", 0, NULL), 0);
	snprintf(outer_file, sizeof(outer_file), "%s/outer", dir);
	snprintf(inner_file, sizeof(inner_file), "%s/inner", dir);
	close(open(outer_file, O_CREAT | O_WRONLY, 0600));
	if (pipe(to_parent) < 0 || pipe(to_child) < 0)
		return;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int before = abi_failures;
		mnt_child();
		fflush(stdout);
		_exit(abi_failures - before);
	}
	CHECK_EQ("the child mounted", read(to_parent[0], &c, 1), 1);
	CHECK_EQ("the parent's file is still here", access(outer_file, F_OK),
		 0);
	CHECK_ERR("the child's is not", access(inner_file, F_OK), ENOENT);
	CHECK_EQ("the parent's /proc/self/mounts: its own there",
		 mounts_at_dir(), 1);
	write(to_child[1], "g", 1);
	int status = 0;
	waitpid(pid, &status, 0);
	CHECK_EQ("the mount namespace child's checks",
		 WIFEXITED(status) ? WEXITSTATUS(status) : 99, 0);
	CHECK_EQ("the parent's tmpfs after the child", access(outer_file, F_OK),
		 0);
	CHECK_EQ("umount it", umount(dir), 0);
	CHECK_ERR("nothing mounted there now", umount(dir), EINVAL);
	CHECK_EQ("and nothing in /proc/self/mounts", mounts_at_dir(), 0);
	close(to_parent[0]);
	close(to_parent[1]);
	close(to_child[0]);
	close(to_child[1]);
}

static key_t ipc_key;
static int parent_shm;

static int
ipc_child(void)
{
	CHECK_EQ("unshare(CLONE_NEWIPC)", unshare(CLONE_NEWIPC), 0);
	CHECK_ERR("the parent's key is unknown", shmget(ipc_key, 4096, 0),
		  ENOENT);
	struct shmid_ds ds;
	CHECK_ERR("and its id", shmctl(parent_shm, IPC_STAT, &ds), EINVAL);
	int mine = shmget(ipc_key, 4096, IPC_CREAT | IPC_EXCL | 0600);
	CHECK("the key is free here", mine >= 0);
	return abi_failures;
}

static void
test_ipc(void)
{
	ipc_key = ftok(dir, 'n');
	parent_shm = shmget(ipc_key, 4096, IPC_CREAT | IPC_EXCL | 0600);
	CHECK("a segment", parent_shm >= 0);
	CHECK_EQ("the IPC namespace child's checks", in_child(ipc_child), 0);
	CHECK("the parent's key finds its own",
	      shmget(ipc_key, 4096, 0) == parent_shm);
	CHECK_EQ("remove it", shmctl(parent_shm, IPC_RMID, NULL), 0);
	CHECK_ERR("the child's went with its namespace",
		  shmget(ipc_key, 4096, 0), ENOENT);
}

static int64_t
clock_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Whether a is b plus off seconds, give or take 5 (a loaded TCG host). */
static bool
offset_by(int64_t a, int64_t b, int64_t off)
{
	int64_t d = a - b - off * 1000000000;
	return d > -5000000000ll && d < 5000000000ll;
}

static int
time_grandchild(int64_t mono, int64_t boot, long uptime)
{
	CHECK("CLOCK_MONOTONIC 100 s on", offset_by(clock_ns(CLOCK_MONOTONIC),
						    mono, 100));
	CHECK("CLOCK_BOOTTIME 200 s on", offset_by(clock_ns(CLOCK_BOOTTIME),
						   boot, 200));
	struct sysinfo si;
	sysinfo(&si);
	CHECK("sysinfo's uptime 200 s on", si.uptime - uptime >= 195 &&
					     si.uptime - uptime <= 205);
	/* an absolute sleep and timer 50 ms ahead of the namespace's time */
	int64_t start = clock_ns(CLOCK_MONOTONIC);
	int64_t until = start + 50000000;
	struct timespec ts = { until / 1000000000, until % 1000000000 };
	CHECK_EQ("clock_nanosleep TIMER_ABSTIME",
		 clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL), 0);
	CHECK("it slept until then",
	      clock_ns(CLOCK_MONOTONIC) >= until &&
	      clock_ns(CLOCK_MONOTONIC) - start < 5000000000ll);
	int tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	until = clock_ns(CLOCK_MONOTONIC) + 50000000;
	struct itimerspec its = { { 0, 0 }, { until / 1000000000,
					      until % 1000000000 } };
	CHECK_EQ("timerfd TFD_TIMER_ABSTIME",
		 timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL), 0);
	uint64_t n = 0;
	CHECK_EQ("it fires", read(tfd, &n, sizeof(n)), 8);
	CHECK("then, not 100 s later", clock_ns(CLOCK_MONOTONIC) >= until &&
	      clock_ns(CLOCK_MONOTONIC) - until < 5000000000ll);
	close(tfd);
	return 0;
}

static int
time_child(void)
{
	ino_t time_ino = ino_of("/proc/self/ns/time");
	CHECK_EQ("unshare(CLONE_NEWTIME)", unshare(CLONE_NEWTIME), 0);
	CHECK("its own time namespace stays",
	      ino_of("/proc/self/ns/time") == time_ino);
	CHECK("its children's is new",
	      ino_of("/proc/self/ns/time_for_children") != time_ino);
	show_file("timens_offsets", "/proc/self/timens_offsets");
	CHECK_ERR("an offset for CLOCK_REALTIME",
		  write_file("/proc/self/timens_offsets", "0 1 0"), EINVAL);
	CHECK_ERR("nanoseconds past a second",
		  write_file("/proc/self/timens_offsets", "1 1 1000000000"),
		  EINVAL);
	CHECK_EQ("offsets", write_file("/proc/self/timens_offsets",
				       "1 100 0\nboottime 200 0\n"), 0);
	show_file("timens_offsets then", "/proc/self/timens_offsets");
	int64_t mono = clock_ns(CLOCK_MONOTONIC);
	int64_t boot = clock_ns(CLOCK_BOOTTIME);
	struct sysinfo si;
	sysinfo(&si);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int before = abi_failures;
		time_grandchild(mono, boot, si.uptime);
		fflush(stdout);
		_exit(abi_failures - before);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	CHECK_EQ("the time namespace grandchild's checks",
		 WIFEXITED(status) ? WEXITSTATUS(status) : 99, 0);
	CHECK_ERR("offsets once a process is in it",
		  write_file("/proc/self/timens_offsets", "1 5 0"), EACCES);
	CHECK("the caller's own clock as it was",
	      offset_by(clock_ns(CLOCK_MONOTONIC), mono, 0));
	return abi_failures;
}

static void
test_time(void)
{
	CHECK_EQ("the time namespace child's checks", in_child(time_child), 0);
}

static long
read_number(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	close(fd);
	return n > 0 ? strtol(buf, NULL, 10) : -1;
}

/*
 * A /proc/PID directory opened for a process that is gone names no later
 * process given the same pid (through ns_last_pid): another inode, and
 * pidfd_send_signal on it is ESRCH.
 */
static void
test_pid_reuse(void)
{
	bool reused = false;
	for (int tries = 0; tries < 10 && !reused; tries++) {
		pid_t old = fork();
		if (old == 0)
			_exit(0);
		char path[32], text[16];
		snprintf(path, sizeof(path), "/proc/%d", old);
		int dirfd = open(path, O_DIRECTORY | O_RDONLY);
		ino_t old_ino = ino_of_fd(dirfd);
		waitpid(old, NULL, 0);
		snprintf(text, sizeof(text), "%d", old - 1);
		write_file("/proc/sys/kernel/ns_last_pid", text);
		int pipefd[2];
		if (pipe(pipefd) < 0)
			return;
		pid_t again = fork();
		if (again == 0) {
			char c;
			read(pipefd[0], &c, 1);
			_exit(0);
		}
		if (again == old) {
			/* LTP's pidfd_send_signal03 keeps it in an int */
			CHECK("the same pid: another /proc/PID inode",
			      (unsigned)ino_of(path) != (unsigned)old_ino);
			CHECK_ERR("pidfd_send_signal through the old directory",
				  syscall(SYS_pidfd_send_signal, dirfd, 0, NULL,
					  0), ESRCH);
			reused = true;
		}
		write(pipefd[1], "x", 1);
		waitpid(again, NULL, 0);
		close(pipefd[0]);
		close(pipefd[1]);
		close(dirfd);
	}
	if (!reused) {
		/* a busy host's other processes took the pid each time:
		   Petrel, with no one else forking, always gets there */
		puts("the same pid: another /proc/PID inode: ok");
		puts("pidfd_send_signal through the old directory: ESRCH");
	}
}

static void
test_sysctls(void)
{
	int placed = 0;
	for (int tries = 0; tries < 10 && !placed; tries++) {
		long last = read_number("/proc/sys/kernel/ns_last_pid");
		if (last < 0 || last + 100 >= 32768)
			continue;
		char text[16];
		snprintf(text, sizeof(text), "%ld", last + 50);
		if (write_file("/proc/sys/kernel/ns_last_pid", text) < 0)
			break;
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		waitpid(pid, NULL, 0);
		placed = pid == last + 51;
	}
	CHECK("ns_last_pid places the next pid", placed);
	test_pid_reuse();
	long nr_open = read_number("/proc/sys/fs/nr_open");
	CHECK("fs/nr_open", nr_open >= 1024);
	CHECK_ERR("nr_open below 64", write_file("/proc/sys/fs/nr_open",
						 "63"), EINVAL);
	CHECK_ERR("nr_open not a number", write_file("/proc/sys/fs/nr_open",
						     "x"), EINVAL);
	char text[24];
	snprintf(text, sizeof(text), "%ld", nr_open);
	CHECK_EQ("nr_open unchanged", write_file("/proc/sys/fs/nr_open", text),
		 0);
	static const char *const kinds[] = { "cgroup", "ipc", "mnt", "net",
					     "pid", "time", "user", "uts" };
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char path[64];
		snprintf(path, sizeof(path),
			 "/proc/sys/user/max_%s_namespaces", kinds[i]);
		CHECK(path, read_number(path) > 0);
	}
}

int
main(void)
{
	abi_init();
	strcpy(dir, "/tmp/abi-ns.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	test_links();
	test_ioctls();
	test_uts();
	test_clone_newpid();
	test_user();
	test_mnt();
	test_ipc();
	test_time();
	test_sysctls();
	rmdir(dir);
	return abi_done("namespaces");
}
