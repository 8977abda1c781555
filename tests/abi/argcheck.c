/*
 * Small rules of Linux's that LTP's tests meet one at a time: unknown
 * AT_* flags refused by fstatat, fchownat and linkat (EINVAL), linkat's
 * AT_EMPTY_PATH on a descriptor, and getcwd for a directory left outside
 * a chroot ("(unreachable)/...", so realpath(".") fails with ENOENT);
 * the old struct termio (TCGETA, TCSETA) on a pseudo-terminal; SIOCATMARK
 * on TCP and UDP, a bad ifreq before a refused SIOCSIFFLAGS, and
 * recvmsg's negative msg_namelen; /proc/sys/kernel/pid_max takes a write
 * of its own value back and refuses one out of Linux's range;
 * RNDGETENTCNT on /dev/urandom agrees with entropy_avail. Runs as root.
 */
#include "abi.h"

#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <termios.h>

/* struct termio, which musl's headers leave out. */
struct old_termio {
	unsigned short c_iflag, c_oflag, c_cflag, c_lflag;
	unsigned char c_line;
	unsigned char c_cc[8];
};

static void
test_at_flags(void)
{
	char path[64], link_name[80];
	struct stat st;
	abi_tmpname(path, sizeof(path), "argcheck");
	snprintf(link_name, sizeof(link_name), "%s-link", path);
	abi_touch(path, "x");
	CHECK_ERR("fstatat unknown flags", fstatat(AT_FDCWD, path, &st, 9999),
		  EINVAL);
	CHECK_OK("fstatat AT_NO_AUTOMOUNT",
		 fstatat(AT_FDCWD, path, &st, AT_NO_AUTOMOUNT));
	CHECK_ERR("fchownat unknown flags",
		  fchownat(AT_FDCWD, path, 0, 0, 9999), EINVAL);
	CHECK_ERR("linkat flags 1", linkat(AT_FDCWD, path, AT_FDCWD, link_name,
					   1), EINVAL);
	int fd = open(path, O_RDONLY);
	CHECK_OK("linkat AT_EMPTY_PATH", linkat(fd, "", AT_FDCWD, link_name,
						AT_EMPTY_PATH));
	CHECK_EQ("two links", abi_nlink(path), 2);
	close(fd);
	unlink(link_name);
	unlink(path);
}

/* In a child: chroot into a directory below the cwd, which stays outside. */
static void
test_cwd_outside_root(void)
{
	char dir[64];
	abi_tmpname(dir, sizeof(dir), "argcheck-root");
	mkdir(dir, 0755);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		char buf[PATH_MAX];
		chdir("/tmp");
		CHECK_OK("chroot", chroot(dir));
		long n = syscall(SYS_getcwd, buf, sizeof(buf));
		CHECK("getcwd answers", n > 0);
		CHECK_EQ("marked unreachable",
			 n > 0 && strcmp(buf, "(unreachable)/tmp") == 0, 1);
		CHECK_EQ("its length", n, (long)strlen("(unreachable)/tmp") + 1);
		CHECK_ERR("too small", syscall(SYS_getcwd, buf, 10), ERANGE);
		errno = 0;
		CHECK_EQ("realpath(\".\") fails", realpath(".", NULL) == NULL, 1);
		CHECK_STR("with ENOENT", errno_name(errno), "ENOENT");
		chdir("/");
		n = syscall(SYS_getcwd, buf, sizeof(buf));
		CHECK_STR("inside the root again", n > 0 ? buf : "?", "/");
		fflush(stdout);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK_STR("child", status_str(st), "exited 0");
	rmdir(dir);
}

static void
test_termio(void)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	struct old_termio tio;
	struct termios tios;
	CHECK("posix_openpt", master >= 0);
	CHECK_OK("TCGETA", ioctl(master, TCGETA, &tio));
	CHECK_OK("TCGETS", ioctl(master, TCGETS, &tios));
	CHECK_EQ("c_lflag's low bits", tio.c_lflag, tios.c_lflag & 0xffff);
	CHECK_EQ("VINTR", tio.c_cc[VINTR], tios.c_cc[VINTR]);
	tio.c_lflag &= ~ECHO;
	tio.c_cc[VINTR] = 5;
	CHECK_OK("TCSETA", ioctl(master, TCSETA, &tio));
	CHECK_OK("TCGETS again", ioctl(master, TCGETS, &tios));
	CHECK_EQ("ECHO off", tios.c_lflag & ECHO, 0);
	CHECK_EQ("VINTR set", tios.c_cc[VINTR], 5);
	CHECK_EQ("VMIN kept", tios.c_cc[VMIN], tio.c_cc[VMIN]);
	CHECK_ERR("TCGETA to NULL", ioctl(master, TCGETA, NULL), EFAULT);
	CHECK_ERR("TCSETAW from NULL", ioctl(master, TCSETAW, NULL), EFAULT);
	int fd = open("/", O_RDONLY);
	CHECK_ERR("TCGETA on a directory", ioctl(fd, TCGETA, &tio), ENOTTY);
	close(fd);
	close(master);
}

static void
test_socket_args(void)
{
	int tcp = socket(AF_INET, SOCK_STREAM, 0);
	int udp = socket(AF_INET, SOCK_DGRAM, 0);
	int at_mark = 7;
	CHECK_OK("SIOCATMARK on TCP", ioctl(tcp, SIOCATMARK, &at_mark));
	CHECK_EQ("not at a mark", at_mark, 0);
	CHECK_ERR("SIOCATMARK to NULL", ioctl(tcp, SIOCATMARK, NULL), EFAULT);
	CHECK_ERR("SIOCATMARK on UDP", ioctl(udp, SIOCATMARK, &at_mark),
		  ENOTTY);
	CHECK_ERR("SIOCSIFFLAGS from NULL", ioctl(udp, SIOCSIFFLAGS, NULL),
		  EFAULT);
	struct sockaddr_in from;
	char buf[8];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr m = { .msg_name = &from, .msg_namelen = (socklen_t)-1,
			    .msg_iov = &iov, .msg_iovlen = 1 };
	CHECK_ERR("recvmsg, msg_namelen -1", recvmsg(udp, &m, MSG_DONTWAIT),
		  EINVAL);
	m.msg_name = NULL;
	CHECK_ERR("no name: its length is not looked at",
		  recvmsg(udp, &m, MSG_DONTWAIT), EAGAIN);
	struct group_req req;
	memset(&req, 0, sizeof(req));
	struct sockaddr_in *group = (struct sockaddr_in *)&req.gr_group;
	group->sin_family = AF_INET;
	group->sin_addr.s_addr = htonl(0xe00000fb);	/* 224.0.0.251 */
	CHECK_OK("MCAST_JOIN_GROUP on TCP", setsockopt(tcp, SOL_IP,
		 MCAST_JOIN_GROUP, &req, sizeof(req)));
	CHECK_ERR("twice", setsockopt(tcp, SOL_IP, MCAST_JOIN_GROUP, &req,
				      sizeof(req)), EADDRINUSE);
	CHECK_OK("MCAST_LEAVE_GROUP", setsockopt(tcp, SOL_IP, MCAST_LEAVE_GROUP,
						 &req, sizeof(req)));
	CHECK_ERR("left already", setsockopt(tcp, SOL_IP, MCAST_LEAVE_GROUP,
					     &req, sizeof(req)), EADDRNOTAVAIL);
	CHECK_ERR("a short group_req", setsockopt(tcp, SOL_IP,
		  MCAST_JOIN_GROUP, &req, 8), EINVAL);
	struct ip_mreq mreq = { group->sin_addr, { htonl(INADDR_ANY) } };
	CHECK_ERR("IP_ADD_MEMBERSHIP on TCP", setsockopt(tcp, SOL_IP,
		  IP_ADD_MEMBERSHIP, &mreq, sizeof(mreq)), EPROTO);
	close(tcp);
	close(udp);
}

/* Writes text to path: "ok" or the errno's name. */
static const char *
write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno_name(errno);
	ssize_t n = write(fd, text, strlen(text));
	int e = errno;
	close(fd);
	return n == (ssize_t)strlen(text) ? "ok" : errno_name(e);
}

static void
test_pid_max(void)
{
	const char *path = "/proc/sys/kernel/pid_max";
	char now[32] = "";
	int fd = open(path, O_RDONLY);
	CHECK("pid_max reads", fd >= 0 && read(fd, now, sizeof(now) - 1) > 0);
	close(fd);
	CHECK_STR("its own value back", write_text(path, now), "ok");
	CHECK_STR("300", write_text(path, "300\n"), "EINVAL");
	CHECK_STR("4194305", write_text(path, "4194305\n"), "EINVAL");
	CHECK_STR("not a number", write_text(path, "many\n"), "EINVAL");
}

static void
test_entropy(void)
{
	int fd = open("/dev/urandom", O_RDONLY);
	int count = -1, avail = -2;
	CHECK_OK("RNDGETENTCNT", ioctl(fd, 0x80045200, &count));
	FILE *f = fopen("/proc/sys/kernel/random/entropy_avail", "r");
	CHECK("entropy_avail reads", f && fscanf(f, "%d", &avail) == 1);
	if (f)
		fclose(f);
	CHECK_EQ("they agree", abs(count - avail) <= 2, 1);
	CHECK_ERR("RNDGETENTCNT to NULL", ioctl(fd, 0x80045200, NULL), EFAULT);
	CHECK_ERR("an unknown request", ioctl(fd, 0x5299, NULL), EINVAL);
	close(fd);
}

int
main(void)
{
	abi_init();
	test_at_flags();
	test_cwd_outside_root();
	test_termio();
	test_socket_args();
	test_pid_max();
	test_entropy();
	return abi_done("argcheck");
}
