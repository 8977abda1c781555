/*
 * Landlock: landlock_create_ruleset (the ABI version query, attribute
 * size and content checks), landlock_add_rule (path-beneath and TCP
 * port rules), landlock_restrict_self (privilege, 16 layers), and what a
 * domain enforces: reading, writing, listing, making and removing files
 * and directories beneath the directories a rule names, moves between
 * directories (REFER), truncation, device ioctls, exec, TCP bind and
 * connect ports, the signal and abstract UNIX socket scopes, and ptrace
 * kept inside a domain; kept over fork and exec, layered. Each case runs in a child: a domain
 * cannot be left.
 */
#include "abi.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

/* <linux/landlock.h>, which musl does not ship. */
struct ruleset_attr {
	uint64_t handled_access_fs, handled_access_net, scoped;
};
struct path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));
struct net_port_attr {
	uint64_t allowed_access, port;
};
#define RULE_PATH_BENEATH 1
#define RULE_NET_PORT 2
#define CREATE_RULESET_VERSION 1u
#define FS_EXECUTE (1ull << 0)
#define FS_WRITE_FILE (1ull << 1)
#define FS_READ_FILE (1ull << 2)
#define FS_READ_DIR (1ull << 3)
#define FS_REMOVE_DIR (1ull << 4)
#define FS_REMOVE_FILE (1ull << 5)
#define FS_MAKE_DIR (1ull << 7)
#define FS_MAKE_REG (1ull << 8)
#define FS_MAKE_SOCK (1ull << 9)
#define FS_REFER (1ull << 13)
#define FS_TRUNCATE (1ull << 14)
#define FS_IOCTL_DEV (1ull << 15)
#define NET_BIND_TCP 1ull
#define NET_CONNECT_TCP 2ull
#define SCOPE_ABSTRACT_UNIX_SOCKET 1ull
#define SCOPE_SIGNAL 2ull
#define NOBODY 65534
#define SELF "/proc/self/exe"

static char top[128];

static long
create_ruleset(const void *attr, size_t size, unsigned flags)
{
	return syscall(__NR_landlock_create_ruleset, attr, size, flags);
}

static long
add_rule(int fd, int type, const void *attr, unsigned flags)
{
	return syscall(__NR_landlock_add_rule, fd, type, attr, flags);
}

static long
restrict_self(int fd, unsigned flags)
{
	return syscall(__NR_landlock_restrict_self, fd, flags);
}

static const char *
at(const char *name)
{
	static char path[4][256];
	static int next;
	next = (next + 1) % 4;
	snprintf(path[next], sizeof(path[next]), "%s/%s", top, name);
	return path[next];
}

static int
ruleset(uint64_t fs, uint64_t net, uint64_t scoped)
{
	struct ruleset_attr a = { fs, net, scoped };
	return (int)create_ruleset(&a, sizeof(a), 0);
}

static long
allow_path(int rs, const char *path, uint64_t access)
{
	struct path_beneath_attr a = { access, open(path, O_PATH | O_CLOEXEC) };
	long r = add_rule(rs, RULE_PATH_BENEATH, &a, 0);
	int e = errno;
	close(a.parent_fd);
	errno = e;
	return r;
}

static void
enforce(int rs)
{
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (restrict_self(rs, 0) < 0)
		printf("restrict_self: %s\n", errno_name(errno));
	close(rs);
}

static void
in_child(const char *what, void (*fn)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		fn();
		fflush(stdout);
		_exit(abi_failures ? 1 : 0);
	}
	printf("%s: %s\n", what, status_str(abi_wait(pid)));
}

static long
open_close(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	return fd < 0 ? -1 : 0;
}

static void
create_checks(void)
{
	struct ruleset_attr a = { FS_READ_FILE, 0, 0 };
	char big[4200] = { 0 };
	long v = create_ruleset(NULL, 0, CREATE_RULESET_VERSION);
	CHECK("ABI version 6 or later", v >= 6);
	CHECK_ERR("version with attr", create_ruleset(&a, sizeof(a), CREATE_RULESET_VERSION), EINVAL);
	CHECK_ERR("unknown flag", create_ruleset(&a, sizeof(a), 1u << 20), EINVAL);
	CHECK_ERR("size 7", create_ruleset(&a, 7, 0), EINVAL);
	CHECK_ERR("size past a page", create_ruleset(big, 4097, 0), E2BIG);
	CHECK_ERR("NULL attr", create_ruleset(NULL, 8, 0), EFAULT);
	memcpy(big, &a, sizeof(a));
	big[100] = 1;
	CHECK_ERR("non-zero tail", create_ruleset(big, 200, 0), E2BIG);
	big[100] = 0;
	int fd = (int)create_ruleset(big, 200, 0);
	CHECK("zero tail", fd >= 0);
	close(fd);
	struct ruleset_attr bad = { 1ull << 40, 0, 0 };
	CHECK_ERR("unknown fs right", create_ruleset(&bad, sizeof(bad), 0), EINVAL);
	bad = (struct ruleset_attr){ 0, 1ull << 10, 0 };
	CHECK_ERR("unknown net right", create_ruleset(&bad, sizeof(bad), 0), EINVAL);
	bad = (struct ruleset_attr){ 0, 0, 1ull << 10 };
	CHECK_ERR("unknown scope", create_ruleset(&bad, sizeof(bad), 0), EINVAL);
	bad = (struct ruleset_attr){ 0, 0, 0 };
	CHECK_ERR("nothing handled", create_ruleset(&bad, sizeof(bad), 0), ENOMSG);
	fd = (int)create_ruleset(&a, 8, 0);
	CHECK("ABI 1 size", fd >= 0);
	CHECK_EQ("close-on-exec", fcntl(fd, F_GETFD), FD_CLOEXEC);
	char link[64], want[] = "anon_inode:[landlock-ruleset]";
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, big, sizeof(big) - 1);
	big[n > 0 ? n : 0] = 0;
	CHECK_STR("fd link", big, want);
	close(fd);
}

static void
add_rule_checks(void)
{
	int rs = ruleset(FS_READ_FILE | FS_READ_DIR, NET_BIND_TCP, 0);
	int dir = open(top, O_PATH | O_CLOEXEC);
	int file = open(at("file"), O_RDONLY | O_CLOEXEC);
	int fds[2];
	pipe(fds);
	struct path_beneath_attr pb = { FS_READ_FILE, dir };
	struct net_port_attr np = { NET_BIND_TCP, 80 };
	CHECK_ERR("flags", add_rule(rs, RULE_PATH_BENEATH, &pb, 1), EINVAL);
	CHECK_ERR("bad ruleset fd", add_rule(-1, RULE_PATH_BENEATH, &pb, 0), EBADF);
	CHECK_ERR("not a ruleset", add_rule(file, RULE_PATH_BENEATH, &pb, 0), EBADFD);
	CHECK_ERR("rule type 0", add_rule(rs, 0, &pb, 0), EINVAL);
	CHECK_ERR("NULL attr", add_rule(rs, RULE_PATH_BENEATH, NULL, 0), EFAULT);
	pb.allowed_access = 0;
	CHECK_ERR("no rights", add_rule(rs, RULE_PATH_BENEATH, &pb, 0), ENOMSG);
	pb.allowed_access = FS_EXECUTE;
	CHECK_ERR("right not handled", add_rule(rs, RULE_PATH_BENEATH, &pb, 0), EINVAL);
	pb.allowed_access = FS_READ_FILE;
	pb.parent_fd = -1;
	CHECK_ERR("bad parent fd", add_rule(rs, RULE_PATH_BENEATH, &pb, 0), EBADF);
	pb.parent_fd = fds[0];
	CHECK_ERR("pipe parent", add_rule(rs, RULE_PATH_BENEATH, &pb, 0), EBADFD);
	pb.parent_fd = file;
	pb.allowed_access = FS_READ_DIR;
	CHECK_ERR("directory right on a file", add_rule(rs, RULE_PATH_BENEATH, &pb, 0), EINVAL);
	pb.allowed_access = FS_READ_FILE;
	CHECK_OK("file rule", add_rule(rs, RULE_PATH_BENEATH, &pb, 0));
	pb.parent_fd = dir;
	CHECK_OK("directory rule", add_rule(rs, RULE_PATH_BENEATH, &pb, 0));
	CHECK_OK("port rule", add_rule(rs, RULE_NET_PORT, &np, 0));
	np.port = 65536;
	CHECK_ERR("port 65536", add_rule(rs, RULE_NET_PORT, &np, 0), EINVAL);
	np.port = 80;
	np.allowed_access = NET_CONNECT_TCP;
	CHECK_ERR("net right not handled", add_rule(rs, RULE_NET_PORT, &np, 0), EINVAL);
	close(rs);
	close(dir);
	close(file);
}

static void
restrict_checks(void)
{
	int rs = ruleset(FS_EXECUTE, 0, 0);
	int file = open(at("file"), O_RDONLY | O_CLOEXEC);
	CHECK_ERR("flags", restrict_self(rs, 1u << 20), EINVAL);
	if (geteuid() == 0) {
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			setresuid(NOBODY, NOBODY, NOBODY);
			_exit(restrict_self(rs, 0) < 0 && errno == EPERM ? 0 : 1);
		}
		CHECK_STR("no privilege, no no_new_privs",
			  status_str(abi_wait(pid)), "exited 0");
	}
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	CHECK_ERR("bad fd", restrict_self(-1, 0), EBADF);
	CHECK_ERR("not a ruleset", restrict_self(file, 0), EBADFD);
	int layers = 0;
	while (layers < 20 && restrict_self(rs, 0) == 0)
		layers++;
	CHECK_EQ("layers", layers, 16);
	CHECK_ERR("17th layer", restrict_self(rs, 0), E2BIG);
}

/* The tree: top/{file, allowed/{f, sub/}, denied/{f, sub/}, ro/f}. */
static void
make_tree(void)
{
	mkdir(top, 0755);
	abi_touch(at("file"), "top");
	mkdir(at("allowed"), 0755);
	mkdir(at("allowed/sub"), 0755);
	abi_touch(at("allowed/f"), "a");
	mkdir(at("denied"), 0755);
	mkdir(at("denied/sub"), 0755);
	abi_touch(at("denied/f"), "d");
	mkdir(at("ro"), 0755);
	abi_touch(at("ro/f"), "r");
	abi_touch(at("ro/g"), "r");
	symlink("../denied/f", at("allowed/to-denied"));
	symlink(at("allowed/f"), at("denied/to-allowed"));
	symlink("to-denied", at("allowed/to-to-denied"));
}

#define ALL_FS (FS_READ_FILE | FS_WRITE_FILE | FS_READ_DIR | FS_REMOVE_DIR | \
		FS_REMOVE_FILE | FS_MAKE_DIR | FS_MAKE_REG | FS_MAKE_SOCK | \
		FS_TRUNCATE | FS_REFER)

static int
sandbox_tree(void)
{
	int rs = ruleset(ALL_FS, 0, 0);
	allow_path(rs, at("allowed"), ALL_FS);
	allow_path(rs, at("ro"), FS_READ_FILE | FS_READ_DIR | FS_WRITE_FILE);
	/* The program stays readable (for exec): a rule on a file. */
	char exe[256];
	ssize_t n = readlink(SELF, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	allow_path(rs, exe, FS_READ_FILE);
	return rs;
}

static int
mode_exec(void)
{
	printf("after exec: denied read %s, allowed read %s\n",
	       open_close(at("denied/f"), O_RDONLY) ? errno_name(errno) : "ok",
	       open_close(at("allowed/f"), O_RDONLY) ? errno_name(errno) : "ok");
	return 0;
}

static long
bind_unix(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	long r = bind(s, (struct sockaddr *)&a, sizeof(a));
	int e = errno;
	close(s);
	errno = e;
	return r;
}

static void
fs_checks(void)
{
	enforce(sandbox_tree());
	CHECK_OK("read allowed/f", open_close(at("allowed/f"), O_RDONLY));
	CHECK_OK("write allowed/f", open_close(at("allowed/f"), O_WRONLY));
	CHECK_ERR("read denied/f", open_close(at("denied/f"), O_RDONLY), EACCES);
	CHECK_ERR("write denied/f", open_close(at("denied/f"), O_WRONLY), EACCES);
	CHECK_ERR("read top file", open_close(at("file"), O_RDONLY), EACCES);
	CHECK_OK("O_PATH denied/f", open_close(at("denied/f"), O_PATH));
	/* A file is judged where it lies, not where a link to it does. */
	CHECK_ERR("read allowed/to-denied", open_close(at("allowed/to-denied"), O_RDONLY), EACCES);
	CHECK_OK("read denied/to-allowed", open_close(at("denied/to-allowed"), O_RDONLY));
	CHECK_ERR("read allowed/to-to-denied", open_close(at("allowed/to-to-denied"), O_RDONLY), EACCES);
	CHECK_OK("stat denied/f", access(at("denied/f"), F_OK));
	CHECK_OK("list allowed/sub", open_close(at("allowed/sub"), O_RDONLY | O_DIRECTORY));
	CHECK_ERR("list denied", open_close(at("denied"), O_RDONLY | O_DIRECTORY), EACCES);
	CHECK_OK("create allowed/new", open_close(at("allowed/new"), O_WRONLY | O_CREAT));
	CHECK_ERR("create denied/new", open_close(at("denied/new"), O_WRONLY | O_CREAT), EACCES);
	CHECK_ERR("create ro/new", open_close(at("ro/new"), O_WRONLY | O_CREAT), EACCES);
	CHECK_OK("O_CREAT of an existing ro/f", open_close(at("ro/f"), O_WRONLY | O_CREAT));
	CHECK_OK("mkdir allowed/d", mkdir(at("allowed/d"), 0755));
	CHECK_ERR("mkdir denied/d", mkdir(at("denied/d"), 0755), EACCES);
	CHECK_ERR("mkdir denied/sub (exists)", mkdir(at("denied/sub"), 0755), EEXIST);
	CHECK_OK("rmdir allowed/d", rmdir(at("allowed/d")));
	CHECK_OK("bind a socket in allowed", bind_unix(at("allowed/sock")));
	CHECK_ERR("bind a socket in denied", bind_unix(at("denied/sock")), EACCES);
	CHECK_ERR("bind over denied/f", bind_unix(at("denied/f")), EADDRINUSE);
	CHECK_ERR("rmdir denied/sub", rmdir(at("denied/sub")), EACCES);
	CHECK_ERR("unlink denied/f", unlink(at("denied/f")), EACCES);
	CHECK_ERR("unlink denied/none", unlink(at("denied/none")), ENOENT);
	CHECK_ERR("unlink ro/f", unlink(at("ro/f")), EACCES);
	CHECK_OK("unlink allowed/new", unlink(at("allowed/new")));
	CHECK_ERR("rename within ro", rename(at("ro/f"), at("ro/h")), EACCES);
	abi_touch(at("allowed/m"), "m");
	CHECK_OK("rename within allowed", rename(at("allowed/m"), at("allowed/sub/m")));
	CHECK_ERR("rename allowed to ro", rename(at("allowed/sub/m"), at("ro/m")), EACCES);
	CHECK_ERR("link ro/f into allowed", link(at("ro/f"), at("allowed/l")), EXDEV);
	CHECK_OK("link within allowed", link(at("allowed/f"), at("allowed/sub/l")));
	/* Truncation: allowed grants it, ro does not. */
	CHECK_ERR("O_TRUNC ro/f", open_close(at("ro/f"), O_WRONLY | O_TRUNC), EACCES);
	CHECK_ERR("truncate ro/f", truncate(at("ro/f"), 0), EACCES);
	int fd = open(at("ro/f"), O_RDWR | O_CLOEXEC);
	CHECK_ERR("ftruncate ro/f", ftruncate(fd, 0), EACCES);
	close(fd);
	fd = open(at("allowed/f"), O_RDWR | O_CLOEXEC);
	CHECK_OK("ftruncate allowed/f", ftruncate(fd, 0));
	close(fd);
	CHECK_OK("truncate allowed/f", truncate(at("allowed/f"), 0));
	/* Kept over fork and exec. */
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int denied = open_close(at("denied/f"), O_RDONLY) < 0 && errno == EACCES;
		printf("forked child: denied read %s\n", denied ? "EACCES" : "allowed");
		fflush(stdout);
		execl(SELF, SELF, "exec", top, (char *)NULL);
		_exit(99);
	}
	CHECK_STR("exec child", status_str(abi_wait(pid)), "exited 0");
}

/* A second layer narrows the first: both must grant. */
static void
layer_checks(void)
{
	enforce(sandbox_tree());
	int rs = ruleset(FS_READ_FILE, 0, 0);
	allow_path(rs, at("ro"), FS_READ_FILE);
	enforce(rs);
	CHECK_OK("read ro/f", open_close(at("ro/f"), O_RDONLY));
	CHECK_ERR("read allowed/f", open_close(at("allowed/f"), O_RDONLY), EACCES);
	CHECK_OK("write allowed/f (second layer handles no writes)",
		 open_close(at("allowed/f"), O_WRONLY));
	CHECK_ERR("read denied/f", open_close(at("denied/f"), O_RDONLY), EACCES);
}

/* REFER: moves between directories only where both grant it, and only
 * to where the file gains no rights; a layer that does not handle REFER
 * refuses every such move. */
static void
refer_checks(void)
{
	mkdir(at("r1"), 0755);
	mkdir(at("r2"), 0755);
	mkdir(at("r3"), 0755);
	abi_touch(at("r1/f"), "x");
	int rs = ruleset(FS_READ_FILE | FS_WRITE_FILE | FS_REFER, 0, 0);
	allow_path(rs, at("r1"), FS_REFER);
	allow_path(rs, at("r2"), FS_REFER);
	enforce(rs);
	CHECK_OK("r1 to r2", rename(at("r1/f"), at("r2/f")));
	CHECK_ERR("r2 to r3", rename(at("r2/f"), at("r3/f")), EXDEV);
	CHECK_OK("r2 to r1", rename(at("r2/f"), at("r1/f")));
	rs = ruleset(FS_EXECUTE, 0, 0);
	enforce(rs);
	CHECK_ERR("ABI 1 layer: r1 to r2", rename(at("r1/f"), at("r2/f")), EXDEV);
	CHECK_OK("same directory", rename(at("r1/f"), at("r1/g")));
}

static void
ioctl_checks(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int n = 0;
	int rs = ruleset(FS_IOCTL_DEV, 0, 0);
	enforce(rs);
	int fd2 = open("/dev/null", O_RDONLY | O_CLOEXEC);
	CHECK_ERR("TCGETS on a device opened inside", ioctl(fd2, TCGETS, &n), EACCES);
	CHECK_ERR("FIONREAD on a device opened inside", ioctl(fd2, FIONREAD, &n), EACCES);
	CHECK_OK("FIOCLEX", ioctl(fd2, FIOCLEX));
	CHECK_OK("FIONBIO", ioctl(fd2, FIONBIO, &n));
	CHECK_ERR("TCGETS on one opened before", ioctl(fd, TCGETS, &n), ENOTTY);
	close(fd);
	/* A regular file is no device: FIONREAD tells the bytes left. */
	char c;
	fd = open(at("file"), O_RDONLY | O_CLOEXEC);
	read(fd, &c, 1);
	CHECK_OK("FIONREAD on a regular file", ioctl(fd, FIONREAD, &n));
	CHECK_EQ("bytes left", n, 2);
	n = 0;
	CHECK_OK("FIOASYNC 0", ioctl(fd, FIOASYNC, &n));
	close(fd2);
}

static void
exec_checks(void)
{
	int rs = ruleset(FS_EXECUTE, 0, 0);
	allow_path(rs, "/proc", FS_EXECUTE);
	enforce(rs);
	CHECK_ERR("exec /bin/sh", execl("/bin/sh", "sh", "-c", "true", (char *)NULL), EACCES);
}

static struct sockaddr_in
loopback(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	return a;
}

static long
bind_port(int port)
{
	struct sockaddr_in a = loopback(port);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	long r = bind(s, (struct sockaddr *)&a, sizeof(a));
	int e = errno;
	close(s);
	errno = e;
	return r;
}

static long
connect_port(int port)
{
	struct sockaddr_in a = loopback(port);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	long r = connect(s, (struct sockaddr *)&a, sizeof(a));
	int e = errno;
	close(s);
	errno = e;
	return r;
}

/* Four ports from the pid: two native runs at once (make test runs the
 * x86_64 and the aarch64 comparison side by side on the host) must not
 * meet on the host's loopback. */
static void
net_checks(void)
{
	int port = 30000 + (int)(getpid() % 5000) * 4;
	int rs = ruleset(0, NET_BIND_TCP | NET_CONNECT_TCP, 0);
	struct net_port_attr np = { NET_BIND_TCP, (uint64_t)port };
	add_rule(rs, RULE_NET_PORT, &np, 0);
	np = (struct net_port_attr){ NET_CONNECT_TCP, (uint64_t)port + 1 };
	add_rule(rs, RULE_NET_PORT, &np, 0);
	enforce(rs);
	CHECK_OK("bind the bind port", bind_port(port));
	CHECK_ERR("bind the connect port", bind_port(port + 1), EACCES);
	CHECK_ERR("connect the connect port (nobody listens)",
		  connect_port(port + 1), ECONNREFUSED);
	CHECK_ERR("connect another port", connect_port(port + 2), EACCES);
	int u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = loopback(port + 3);
	CHECK_OK("UDP bind is not handled", bind(u, (struct sockaddr *)&a, sizeof(a)));
	close(u);
}

static void
signal_scoped(pid_t outside)
{
	enforce(ruleset(0, 0, SCOPE_SIGNAL));
	CHECK_ERR("signal the parent", kill(getppid(), 0), EPERM);
	CHECK_ERR("signal a process outside", kill(outside, 0), EPERM);
	CHECK_OK("signal itself", kill(getpid(), 0));
	/* Any domain keeps ptrace inside it. */
	CHECK_ERR("ptrace a process outside", ptrace(PTRACE_ATTACH, outside, 0, 0), EPERM);
	fflush(stdout);
	pid_t inner = fork();
	if (inner == 0) {
		pause();
		_exit(0);
	}
	CHECK_OK("signal a child in the domain", kill(inner, SIGKILL));
	/* A zombie of the domain may still be named. */
	siginfo_t si;
	waitid(P_PID, inner, &si, WEXITED | WNOWAIT);
	CHECK_OK("signal the zombie", kill(inner, SIGKILL));
	CHECK_STR("its status", status_str(abi_wait(inner)), "killed by SIGKILL");
}

static void
signal_checks(void)
{
	pid_t outside = fork();
	if (outside == 0) {
		pause();
		_exit(0);
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		signal_scoped(outside);
		fflush(stdout);
		_exit(abi_failures ? 1 : 0);
	}
	CHECK_STR("scoped child", status_str(abi_wait(pid)), "exited 0");
	kill(outside, SIGKILL);
	abi_wait(outside);
}

static void
unix_checks(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1, "abi-landlock-%d", (int)getpid());
	socklen_t len = offsetof(struct sockaddr_un, sun_path) + 1 + strlen(a.sun_path + 1);
	int srv = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bind(srv, (struct sockaddr *)&a, len);
	listen(srv, 4);
	enforce(ruleset(0, 0, SCOPE_ABSTRACT_UNIX_SOCKET));
	int c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK_ERR("connect outside the domain", connect(c, (struct sockaddr *)&a, len), EPERM);
	close(c);
	int srv2 = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	a.sun_path[1] = 'B';
	bind(srv2, (struct sockaddr *)&a, len);
	listen(srv2, 4);
	c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK_OK("connect inside the domain", connect(c, (struct sockaddr *)&a, len));
	close(c);
	close(srv);
	close(srv2);
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "exec") == 0) {
		setvbuf(stdout, NULL, _IOLBF, 0);
		snprintf(top, sizeof(top), "%s", argv[2]);
		return mode_exec();
	}
	abi_init();
	abi_tmpname(top, sizeof(top), "landlock");
	make_tree();
	in_child("create_ruleset", create_checks);
	in_child("add_rule", add_rule_checks);
	in_child("restrict_self", restrict_checks);
	in_child("file system", fs_checks);
	in_child("layers", layer_checks);
	in_child("refer", refer_checks);
	in_child("device ioctls", ioctl_checks);
	in_child("exec", exec_checks);
	in_child("tcp ports", net_checks);
	in_child("signal scope", signal_checks);
	in_child("abstract unix scope", unix_checks);
	char cmd[200];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	system(cmd);
	return abi_done("landlock");
}
