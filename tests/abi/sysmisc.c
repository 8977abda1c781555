/*
 * Smaller system calls with Linux's rules: setfsuid/setfsgid (the old id
 * back, who may change it, access through the fs id), setreuid's saved
 * id, sysfs(2), ustat's and setdomainname's errors, membarrier
 * (registration, EPERM, flags), sched_setattr/sched_getattr (sizes,
 * SCHED_DEADLINE's checks, nice), readv/preadv's iovec checks,
 * wait4's pid INT_MIN, process_vm_readv/writev (a child's memory,
 * scattered iovecs, EFAULT, ESRCH, EPERM as nobody), and prctl's
 * parent-death signal, child subreaper and timer slack; and the errnos of
 * sigaltstack, socketpair on IP, sendfile, utimes, statx and recv's
 * MSG_ERRQUEUE; /proc/PID/stat's state is the main thread's, and
 * /proc/self/task lists the threads with their own states;
 * supplementary groups (setgroups/getgroups, sorted, errors, file access
 * through one, /proc/self/status's Groups line); mknod's node types
 * (devices as root: /dev/null's number works, an unknown one is ENXIO);
 * sync_file_range's checks; renameat2's RENAME_EXCHANGE and flag checks. Runs as root; the unprivileged parts run in
 * children.
 */
#include "abi.h"

#include <limits.h>
#include <sched.h>
#include <pthread.h>
#include <sys/fsuid.h>
#include <grp.h>
#include <dirent.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#define NOBODY 65534

struct sched_attr_abi {
	unsigned size, policy;
	unsigned long long flags;
	int nice;
	unsigned priority;
	unsigned long long runtime, deadline, period;
	unsigned util_min, util_max;
};

/* Runs fn in a child and waits for it; its output is its own. */
static void
in_child(void (*fn)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		fn();
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK_STR("child", status_str(st), "exited 0");
}

static void
fsuid_as_nobody(void)
{
	char path[64];
	abi_tmpname(path, sizeof(path), "fsuid");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	close(fd);
	CHECK_EQ("setfsuid(nobody) gives the old", setfsuid(NOBODY), 0);
	CHECK_EQ("setfsuid(-1) reports it", setfsuid(-1), NOBODY);
	CHECK_EQ("euid stays", geteuid(), 0);
	CHECK_ERR("root's 0600 file as fsuid nobody", open(path, O_RDWR), EACCES);
	CHECK_EQ("back to 0", setfsuid(0), NOBODY);
	fd = open(path, O_RDWR);
	CHECK("open again", fd >= 0);
	close(fd);
	unlink(path);
	CHECK_EQ("setfsgid(nobody)", setfsgid(NOBODY), 0);
	CHECK_EQ("setfsgid(-1)", setfsgid(-1), NOBODY);
	CHECK_OK("seteuid(nobody)", seteuid(NOBODY));
	CHECK_EQ("fsuid follows euid", setfsuid(-1), NOBODY);
	CHECK_EQ("unprivileged: 1 refused", setfsuid(1), NOBODY);
	CHECK_EQ("still nobody", setfsuid(-1), NOBODY);
	CHECK_EQ("the real id allowed", setfsuid(0), NOBODY);
	CHECK_EQ("now 0", setfsuid(-1), 0);
}

static void
setreuid_saved(void)
{
	uid_t r, e, s;
	CHECK_OK("setreuid(-1, nobody)", setreuid(-1, NOBODY));
	getresuid(&r, &e, &s);
	CHECK_EQ("real", r, 0);
	CHECK_EQ("effective", e, NOBODY);
	CHECK_EQ("saved follows a new euid", s, NOBODY);
	CHECK_ERR("nothing to go back to", setreuid(-1, 1), EPERM);
	CHECK_OK("back to the real id", setreuid(-1, 0));
	getresuid(&r, &e, &s);
	CHECK_EQ("euid", e, 0);
	CHECK_EQ("saved stays (euid is the real id)", s, NOBODY);
}

static void
test_ids(void)
{
	in_child(fsuid_as_nobody);
	in_child(setreuid_saved);
}

static void
test_sysfs_ustat(void)
{
	char name[64] = "";
	long n = syscall(SYS_sysfs, 3);
	CHECK("sysfs(3) counts types", n > 0);
	long i = syscall(SYS_sysfs, 1, "proc");
	CHECK("sysfs(1, proc)", i >= 0 && i < n);
	CHECK_OK("sysfs(2, index of proc)", syscall(SYS_sysfs, 2, i, name));
	CHECK_STR("its name", name, "proc");
	CHECK_ERR("sysfs(1, ext0)", syscall(SYS_sysfs, 1, "ext0"), EINVAL);
	CHECK_ERR("sysfs(2, past the end)", syscall(SYS_sysfs, 2, n, name),
	    EINVAL);
	CHECK_ERR("sysfs(4)", syscall(SYS_sysfs, 4), EINVAL);
	CHECK_ERR("sysfs(1, bad pointer)", syscall(SYS_sysfs, 1, (void *)8),
	    EFAULT);
	char ubuf[32];
	CHECK_ERR("ustat(no device)", syscall(SYS_ustat, -1, ubuf), EINVAL);
	CHECK_ERR("setdomainname 65 bytes",
	    setdomainname("x", 65), EINVAL);
}

static void
test_membarrier(void)
{
	long q = syscall(SYS_membarrier, 0, 0, 0);
	CHECK_EQ("QUERY's core commands", q & 0x7f, 0x7f);
	CHECK_ERR("QUERY with a flag", syscall(SYS_membarrier, 0, 1, 0), EINVAL);
	CHECK_ERR("unknown command", syscall(SYS_membarrier, 1 << 20, 0, 0),
	    EINVAL);
	CHECK_OK("GLOBAL", syscall(SYS_membarrier, 1, 0, 0));
	CHECK_ERR("PRIVATE_EXPEDITED unregistered",
	    syscall(SYS_membarrier, 8, 0, 0), EPERM);
	CHECK_OK("REGISTER_PRIVATE_EXPEDITED", syscall(SYS_membarrier, 16, 0, 0));
	CHECK_OK("PRIVATE_EXPEDITED", syscall(SYS_membarrier, 8, 0, 0));
	CHECK_ERR("SYNC_CORE unregistered", syscall(SYS_membarrier, 32, 0, 0),
	    EPERM);
	CHECK_OK("GLOBAL_EXPEDITED", syscall(SYS_membarrier, 2, 0, 0));
}

static void
test_sched_attr(void)
{
	struct sched_attr_abi a, b;
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.policy = SCHED_OTHER;
	a.nice = 3;
	CHECK_OK("setattr OTHER nice 3", syscall(SYS_sched_setattr, 0, &a, 0));
	memset(&b, 0xff, sizeof(b));
	CHECK_OK("getattr", syscall(SYS_sched_getattr, 0, &b, sizeof(b), 0));
	CHECK_EQ("size", b.size, sizeof(b));
	CHECK_EQ("policy", b.policy, SCHED_OTHER);
	CHECK_EQ("nice", b.nice, 3);
	CHECK_EQ("priority", b.priority, 0);
	CHECK_EQ("getpriority agrees", getpriority(PRIO_PROCESS, 0), 3);
	CHECK_ERR("getattr size 47", syscall(SYS_sched_getattr, 0, &b, 47, 0),
	    EINVAL);
	CHECK_ERR("getattr flags", syscall(SYS_sched_getattr, 0, &b, sizeof(b), 1),
	    EINVAL);
	CHECK_ERR("setattr NULL", syscall(SYS_sched_setattr, 0, NULL, 0), EINVAL);
	CHECK_ERR("setattr flags", syscall(SYS_sched_setattr, 0, &a, 1), EINVAL);
	a.size = 40;
	CHECK_ERR("setattr size 40", syscall(SYS_sched_setattr, 0, &a, 0), E2BIG);
	CHECK_EQ("the size we know written back", a.size, 56);
	a.policy = 6;	/* SCHED_DEADLINE */
	a.nice = 0;
	a.runtime = 2000000;
	a.deadline = 1000000;
	a.period = 3000000;
	CHECK_ERR("DEADLINE runtime > deadline",
	    syscall(SYS_sched_setattr, 0, &a, 0), EINVAL);
	a.runtime = 100;
	CHECK_ERR("DEADLINE runtime < 1024 ns",
	    syscall(SYS_sched_setattr, 0, &a, 0), EINVAL);
	a.policy = SCHED_FIFO;
	a.priority = 0;
	CHECK_ERR("FIFO priority 0", syscall(SYS_sched_setattr, 0, &a, 0), EINVAL);
	a.policy = 42;
	CHECK_ERR("unknown policy", syscall(SYS_sched_setattr, 0, &a, 0), EINVAL);
	a.policy = SCHED_OTHER;
	a.nice = 0;
	CHECK_OK("nice back to 0", syscall(SYS_sched_setattr, 0, &a, 0));
}

static void
test_iov(void)
{
	char buf[8], path[64];
	abi_tmpname(path, sizeof(path), "iov");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	struct iovec bad = { buf, (size_t)-1 }, good = { buf, 4 };
	write(fd, "abcdefgh", 8);
	CHECK_ERR("readv, length -1", readv(fd, &bad, 1), EINVAL);
	CHECK_ERR("writev, length -1", writev(fd, &bad, 1), EINVAL);
	CHECK_ERR("preadv, length -1", preadv(fd, &bad, 1, 0), EINVAL);
	CHECK_ERR("pwritev, length -1", pwritev(fd, &bad, 1, 0), EINVAL);
	CHECK_ERR("readv, count -1", readv(fd, &good, -1), EINVAL);
	CHECK_ERR("preadv, offset -1", preadv(fd, &good, 1, -1), EINVAL);
	CHECK_EQ("preadv", preadv(fd, &good, 1, 2), 4);
	CHECK("the bytes", memcmp(buf, "cdef", 4) == 0);
	int ro = open(path, O_RDONLY);
	CHECK_ERR("writev on O_RDONLY, bad length", writev(ro, &bad, 1), EBADF);
	CHECK_ERR("writev on O_RDONLY", writev(ro, &good, 1), EBADF);
	close(ro);
	close(fd);
	unlink(path);
	CHECK_ERR("wait4(INT_MIN)", wait4(INT_MIN, NULL, 0, NULL), ESRCH);
}

static char shared_text[64] = "the child's own words";
static pid_t parent_pid;

static void
vm_as_nobody(void)
{
	char buf[8];
	struct iovec l = { buf, sizeof(buf) }, r = { shared_text, 8 };
	CHECK_OK("setuid(nobody)", setuid(NOBODY));
	CHECK_ERR("nobody reads root's memory",
	    process_vm_readv(parent_pid, &l, 1, &r, 1, 0), EPERM);
}

static void
test_process_vm(void)
{
	int p[2];
	char buf[64] = "";
	CHECK_OK("pipe", pipe(p));
	char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		strcpy(shared_text, "changed in the child");
		close(p[1]);
		read(p[0], &c, 1);
		_exit(strcmp(shared_text, "written by the parent") == 0 ? 0 : 1);
	}
	close(p[0]);
	usleep(100000);	/* let the child change its copy */
	struct iovec l[2] = { { buf, 7 }, { buf + 7, 20 } };
	struct iovec r[1] = { { shared_text, 21 } };
	CHECK_EQ("process_vm_readv", process_vm_readv(pid, l, 2, r, 1, 0), 21);
	CHECK_STR("the child's copy", buf, "changed in the child");
	char text[] = "written by the parent";
	struct iovec w = { text, sizeof(text) }, rw = { shared_text, sizeof(text) };
	CHECK_EQ("process_vm_writev", process_vm_writev(pid, &w, 1, &rw, 1, 0),
	    (long)sizeof(text));
	struct iovec rn = { none, 8 };
	CHECK_ERR("a PROT_NONE page", process_vm_readv(pid, l, 1, &rn, 1, 0),
	    EFAULT);
	CHECK_ERR("flags", process_vm_readv(pid, l, 1, r, 1, 1), EINVAL);
	CHECK_ERR("pid -1", process_vm_readv(-1, l, 1, r, 1, 0), ESRCH);
	write(p[1], "x", 1);
	int st;
	waitpid(pid, &st, 0);
	CHECK_STR("the child saw the write", status_str(st), "exited 0");
	close(p[1]);
	parent_pid = getpid();
	in_child(vm_as_nobody);
}

/* A grandchild orphaned while we are a subreaper becomes our child. */
static void
subreaper(void)
{
	int v = -1;
	CHECK_OK("PR_SET_CHILD_SUBREAPER", prctl(PR_SET_CHILD_SUBREAPER, 1));
	CHECK_OK("PR_GET_CHILD_SUBREAPER", prctl(PR_GET_CHILD_SUBREAPER, &v));
	CHECK_EQ("it is set", v, 1);
	int p[2];
	pipe(p);
	fflush(stdout);
	pid_t mid = fork();
	if (mid == 0) {
		prctl(PR_GET_CHILD_SUBREAPER, &v);
		pid_t g = fork();
		if (g == 0) {
			char c;
			close(p[1]);
			/* Dies with SIGUSR1 when its parent exits. */
			prctl(PR_SET_PDEATHSIG, SIGUSR1);
			read(p[0], &c, 1);
			_exit(v == 0 ? 5 : 6);	/* not inherited */
		}
		usleep(100000);
		_exit(0);
	}
	close(p[0]);
	int st;
	waitpid(mid, &st, 0);
	CHECK_STR("the middle child", status_str(st), "exited 0");
	pid_t g = wait(&st);
	CHECK("the orphan is ours", g > 0 && g != mid);
	CHECK_STR("its parent-death signal", status_str(st), "killed by SIGUSR1");
	close(p[1]);
}

static void
test_prctl(void)
{
	int sig = -1;
	CHECK_OK("PR_SET_PDEATHSIG", prctl(PR_SET_PDEATHSIG, SIGUSR2));
	CHECK_OK("PR_GET_PDEATHSIG", prctl(PR_GET_PDEATHSIG, &sig));
	CHECK_EQ("the signal", sig, SIGUSR2);
	CHECK_ERR("PR_SET_PDEATHSIG 65", prctl(PR_SET_PDEATHSIG, 65), EINVAL);
	prctl(PR_SET_PDEATHSIG, 0);
	in_child(subreaper);
	long slack = prctl(PR_GET_TIMERSLACK);
	CHECK_EQ("default slack", slack, 50000);
	CHECK_OK("PR_SET_TIMERSLACK", prctl(PR_SET_TIMERSLACK, 70000));
	CHECK_EQ("got", prctl(PR_GET_TIMERSLACK), 70000);
	char buf[32] = "";
	int fd = open("/proc/self/timerslack_ns", O_RDONLY);
	read(fd, buf, sizeof(buf) - 1);
	close(fd);
	CHECK_EQ("/proc/self/timerslack_ns", atol(buf), 70000);
	CHECK_OK("PR_SET_TIMERSLACK 0", prctl(PR_SET_TIMERSLACK, 0));
	CHECK_EQ("back to the default", prctl(PR_GET_TIMERSLACK), 50000);
}

static void
test_errnos(void)
{
	stack_t ss = { .ss_sp = malloc(65536), .ss_size = 65536, .ss_flags = 9999 };
	CHECK_ERR("sigaltstack, flags 9999", sigaltstack(&ss, NULL), EINVAL);
	int sv[2];
	CHECK_ERR("socketpair(AF_INET, type 75)", socketpair(AF_INET, 75, 0, sv),
	    EINVAL);
	CHECK_ERR("socketpair(AF_INET, DGRAM, TCP)",
	    socketpair(AF_INET, SOCK_DGRAM, 6, sv), EPROTONOSUPPORT);
	CHECK_ERR("socketpair(AF_INET, STREAM)",
	    socketpair(AF_INET, SOCK_STREAM, 0, sv), EOPNOTSUPP);
	char path[64];
	abi_tmpname(path, sizeof(path), "errnos");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	write(fd, "abcd", 4);
	int ro = open(path, O_RDONLY);
	CHECK_ERR("sendfile to an O_RDONLY fd", sendfile(ro, ro, NULL, 1), EBADF);
	off_t *roff = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	CHECK_ERR("sendfile, read-only offset", sendfile(fd, ro, roff, 1), EFAULT);
	close(ro);
	close(fd);
	unlink(path);
	struct timeval tv[2] = { { 0, 0 }, { 0, 0 } };
	CHECK_ERR("utimes(NULL)", syscall(SYS_utimes, NULL, tv), EFAULT);
	CHECK_ERR("utimes NULL", syscall(SYS_utimes, NULL, NULL), EFAULT);
	static char stx[256];	/* struct statx, which musl lacks */
	CHECK_ERR("statx, reserved mask bit",
	    syscall(SYS_statx, AT_FDCWD, "/", 0, 0x80000000u, stx), EINVAL);
	CHECK_ERR("statx, flags -1",
	    syscall(SYS_statx, AT_FDCWD, "/", -1, 0, stx), EINVAL);
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	char b[4];
	CHECK_ERR("recv MSG_ERRQUEUE", recv(u, b, sizeof(b), MSG_ERRQUEUE),
	    EAGAIN);
	close(u);
}

static int state_pipe[2];

/* The state letter in a stat file, '?' if unreadable. */
static char
stat_state(const char *path)
{
	char buf[512];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	char *p = strrchr(buf, ')');
	return p ? p[2] : '?';
}

/* Reads the states while the main thread sleeps in read(). */
static void *
state_reader(void *arg)
{
	char *state = arg, path[64];
	usleep(200000);
	state[0] = stat_state("/proc/self/stat");
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", getpid());
	state[1] = stat_state(path);
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat",
	    (int)syscall(SYS_gettid));
	state[2] = stat_state(path);
	int tasks = 0;
	DIR *d = opendir("/proc/self/task");
	for (struct dirent *e; d && (e = readdir(d));)
		tasks += e->d_name[0] != '.';
	if (d)
		closedir(d);
	state[3] = (char)tasks;
	write(state_pipe[1], "x", 1);
	return NULL;
}

static void
test_leader_state(void)
{
	pthread_t t;
	char state[4] = { 0 }, c;
	pipe(state_pipe);
	pthread_create(&t, NULL, state_reader, state);
	read(state_pipe[0], &c, 1);
	pthread_join(t, NULL);
	CHECK_EQ("state with the main thread asleep", state[0], 'S');
	CHECK_EQ("task/PID/stat: the main thread", state[1], 'S');
	CHECK_EQ("task/TID/stat: the reader", state[2], 'R');
	CHECK_EQ("threads in /proc/self/task", state[3], 2);
	close(state_pipe[0]);
	close(state_pipe[1]);
}

static char group_file[64];

static void
groups_as_nobody(void)
{
	gid_t g[2] = { 7, 3 };
	CHECK_OK("setgroups(7, 3)", setgroups(2, g));
	CHECK_OK("setuid(nobody)", setuid(NOBODY));
	int fd = open(group_file, O_RDONLY);
	CHECK("read through group 3", fd >= 0);
	close(fd);
	char line[256], *found = NULL;
	FILE *f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "Groups:", 7) == 0) {
			found = line;
			break;
		}
	if (f)
		fclose(f);
	CHECK_STR("status", found ? found : "", "Groups:\t3 7 \n");
	CHECK_ERR("setgroups as nobody", setgroups(1, g), EPERM);
}

static void
groups_none(void)
{
	CHECK_OK("setgroups(0)", setgroups(0, NULL));
	CHECK_OK("setuid(nobody)", setuid(NOBODY));
	CHECK_ERR("no group 3: EACCES", open(group_file, O_RDONLY), EACCES);
}

static void
test_groups(void)
{
	gid_t g[4] = { 9, 2, 5, 0 }, got[4] = { 0 };
	gid_t saved[64];
	int nsaved = getgroups(64, saved);
	CHECK_OK("setgroups(9, 2, 5)", setgroups(3, g));
	CHECK_EQ("getgroups(0)", getgroups(0, NULL), 3);
	CHECK_ERR("getgroups(1)", getgroups(1, got), EINVAL);
	CHECK_EQ("getgroups(4)", getgroups(4, got), 3);
	CHECK("sorted", got[0] == 2 && got[1] == 5 && got[2] == 9);
	CHECK_ERR("setgroups(65537)", setgroups(65537, g), EINVAL);
	CHECK_ERR("setgroups(bad)", setgroups(2, (gid_t *)8), EFAULT);
	abi_tmpname(group_file, sizeof(group_file), "groups");
	int fd = open(group_file, O_RDWR | O_CREAT | O_TRUNC, 0040);
	fchown(fd, 0, 3);
	fchmod(fd, 0040);
	close(fd);
	in_child(groups_as_nobody);
	in_child(groups_none);
	unlink(group_file);
	if (nsaved >= 0)
		setgroups(nsaved, saved);
}

static char node_path[64];

static void
mknod_as_nobody(void)
{
	setuid(NOBODY);
	CHECK_ERR("a device as nobody", mknod(node_path, S_IFCHR | 0600,
	    makedev(1, 3)), EPERM);
}

static void
test_mknod(void)
{
	struct stat st;
	abi_tmpname(node_path, sizeof(node_path), "node");
	CHECK_OK("mknod c 1 3", mknod(node_path, S_IFCHR | 0666, makedev(1, 3)));
	CHECK_OK("stat", stat(node_path, &st));
	CHECK("a character device 1, 3", S_ISCHR(st.st_mode) &&
	    major(st.st_rdev) == 1 && minor(st.st_rdev) == 3);
	int fd = open(node_path, O_WRONLY);
	CHECK_EQ("write to it (null)", write(fd, "abc", 3), 3);
	close(fd);
	unlink(node_path);
	CHECK_OK("mknod c 60 0", mknod(node_path, S_IFCHR | 0600, makedev(60, 0)));
	CHECK_ERR("no such device", open(node_path, O_RDONLY), ENXIO);
	unlink(node_path);
	CHECK_ERR("mknod S_IFMT", mknod(node_path, S_IFMT | 0600, 0), EINVAL);
	CHECK_ERR("mknod S_IFDIR", mknod(node_path, S_IFDIR | 0700, 0), EPERM);
	in_child(mknod_as_nobody);
	int p[2];
	pipe(p);
	fd = open(node_path, O_RDWR | O_CREAT, 0600);
	CHECK_OK("sync_file_range", sync_file_range(fd, 0, 0,
	    SYNC_FILE_RANGE_WRITE));
	CHECK_ERR("sync_file_range flag 8", sync_file_range(fd, 0, 0, 8), EINVAL);
	CHECK_ERR("sync_file_range offset -1", sync_file_range(fd, -1, 0, 0),
	    EINVAL);
	CHECK_ERR("sync_file_range on a pipe", sync_file_range(p[0], 0, 0, 0),
	    ESPIPE);
	close(fd);
	close(p[0]);
	close(p[1]);
	unlink(node_path);
}

#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2

/* musl has no wrapper. */
static long
renameat2(int od, const char *o, int nd, const char *n, unsigned flags)
{
	return syscall(SYS_renameat2, od, o, nd, n, flags);
}

static void
test_exchange(void)
{
	char a[64], b[64], dir[64], got[8] = "";
	abi_tmpname(a, sizeof(a), "xa");
	abi_tmpname(b, sizeof(b), "xb");
	abi_tmpname(dir, sizeof(dir), "xd");
	int fd = open(a, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	write(fd, "A", 1);
	close(fd);
	mkdir(dir, 0700);
	CHECK_OK("RENAME_EXCHANGE file and directory",
	    renameat2(AT_FDCWD, a, AT_FDCWD, dir, RENAME_EXCHANGE));
	struct stat st;
	stat(a, &st);
	CHECK("the old name is the directory", S_ISDIR(st.st_mode));
	fd = open(dir, O_RDONLY);
	read(fd, got, sizeof(got) - 1);
	close(fd);
	CHECK_STR("the new name the file", got, "A");
	CHECK_ERR("RENAME_EXCHANGE with no target",
	    renameat2(AT_FDCWD, dir, AT_FDCWD, b, RENAME_EXCHANGE), ENOENT);
	CHECK_ERR("NOREPLACE | EXCHANGE", renameat2(AT_FDCWD, dir, AT_FDCWD, a,
	    RENAME_NOREPLACE | RENAME_EXCHANGE), EINVAL);
	CHECK_ERR("NOREPLACE onto a name", renameat2(AT_FDCWD, dir, AT_FDCWD, a,
	    RENAME_NOREPLACE), EEXIST);
	CHECK_ERR("flag 8", renameat2(AT_FDCWD, dir, AT_FDCWD, a, 8), EINVAL);
	rmdir(a);
	unlink(dir);
}

int
main(void)
{
	abi_init();
	test_ids();
	test_sysfs_ustat();
	test_membarrier();
	test_sched_attr();
	test_iov();
	test_process_vm();
	test_prctl();
	test_errnos();
	test_leader_state();
	test_groups();
	test_mknod();
	test_exchange();
	return abi_done("sysmisc");
}
