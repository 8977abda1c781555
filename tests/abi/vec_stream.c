/*
 * Vectored calls on pipes and stream sockets, the forms Petrel runs
 * without the big lock (docs/kernel.md, "Calls without the big lock"):
 * a pipe's writev up to PIPE_BUF goes in whole or not at all (eight
 * pieces or nine, Petrel's locked path), a readv
 * takes what the pipe holds without waiting for more, a readv into a bad
 * piece is EFAULT with the bytes kept; on AF_INET and AF_UNIX stream
 * sockets, writev/readv, sendto with no address, sendmsg/recvmsg with no
 * name or control (msg_flags cleared), MSG_DONTWAIT's EAGAIN, and a send
 * after shutdown: EPIPE with SIGPIPE, without it under MSG_NOSIGNAL.
 */
#include "inet.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>

static volatile int sigpipes;

static void
on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static void
test_pipe(void)
{
	int p[2];
	static char fill[65536 - 150];
	char x[100], a[5], b[5], rest[16];
	CHECK_OK("pipe2", pipe2(p, O_NONBLOCK));
	CHECK_EQ("fill", write(p[1], fill, sizeof(fill)), (long)sizeof(fill));
	struct iovec v[2] = { { x, 100 }, { x, 100 } };
	CHECK_ERR("writev past the room is not split", writev(p[1], v, 2),
		  EAGAIN);
	/* Nine pieces, Petrel's locked path: not split either. */
	struct iovec v9[9];
	for (int i = 0; i < 9; i++)
		v9[i] = (struct iovec){ x, 20 };
	CHECK_ERR("writev of nine pieces past the room is not split",
		  writev(p[1], v9, 9), EAGAIN);
	int held = -1;
	CHECK_OK("FIONREAD", ioctl(p[0], FIONREAD, &held));
	CHECK_EQ("nothing went in", held, (long)sizeof(fill));
	v[0].iov_len = v[1].iov_len = 75;
	CHECK_EQ("writev of the room", writev(p[1], v, 2), 150);
	close(p[0]);
	close(p[1]);

	CHECK_OK("pipe", pipe(p));
	CHECK_EQ("write", write(p[1], "hello", 5), 5);
	struct iovec s[2] = { { a, 5 }, { b, 5 } };
	CHECK_EQ("readv takes what there is", readv(p[0], s, 2), 5);
	CHECK("readv's bytes", memcmp(a, "hello", 5) == 0);
	/* Nine pieces: Petrel's locked path (its nolock one takes eight);
	   one that waited for the second piece dies of the alarm. */
	struct iovec nine[9];
	for (int i = 0; i < 9; i++)
		nine[i] = (struct iovec){ i % 2 ? b : a, 5 };
	CHECK_EQ("write again", write(p[1], "world", 5), 5);
	alarm(10);
	CHECK_EQ("readv of nine pieces takes what there is",
		 readv(p[0], nine, 9), 5);
	alarm(0);

	char *bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	CHECK("mmap", bad != MAP_FAILED);
	CHECK_EQ("write 10", write(p[1], "0123456789", 10), 10);
	s[1].iov_base = bad;
	CHECK_ERR("readv into a bad piece", readv(p[0], s, 2), EFAULT);
	CHECK_EQ("the bytes stay", read(p[0], rest, sizeof(rest)), 10);
	CHECK("in order", memcmp(rest, "0123456789", 10) == 0);
	munmap(bad, 4096);

	CHECK_ERR("readv of 1025", readv(p[0], s, 1025), EINVAL);
	struct iovec neg[1] = { { a, (size_t)-1 } };
	CHECK_ERR("writev of a negative length", writev(p[1], neg, 1), EINVAL);
	CHECK_EQ("writev of none", writev(p[1], s, 0), 0);
	close(p[0]);
	close(p[1]);
}

/* Waits until fd has n bytes to read (a TCP peer's bytes may lag). */
static void
wait_bytes(int fd, int n)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char k[64];
	for (int i = 0; i < 50; i++) {
		if (poll(&p, 1, WAIT_MS / 50) > 0 &&
		    recv(fd, k, sizeof(k), MSG_PEEK | MSG_DONTWAIT) >= n)
			return;
	}
}

static void
test_stream(const char *family, int a, int b)
{
	char in[64], h[8], body[32];
	printf("%s\n", family);

	struct iovec v[3] = { { "GET ", 4 }, { "/ ", 2 }, { "HTTP\r\n", 6 } };
	CHECK_EQ("writev", writev(a, v, 3), 12);
	wait_bytes(b, 12);
	struct iovec r[2] = { { h, 4 }, { body, sizeof(body) } };
	CHECK_EQ("readv", readv(b, r, 2), 12);
	CHECK("readv's pieces", memcmp(h, "GET ", 4) == 0 &&
				       memcmp(body, "/ HTTP\r\n", 8) == 0);

	CHECK_EQ("sendto with no address",
		 sendto(a, "abc", 3, MSG_DONTWAIT | MSG_NOSIGNAL, NULL, 0), 3);
	wait_bytes(b, 3);
	CHECK_EQ("recvfrom", recvfrom(b, in, sizeof(in), 0, NULL, NULL), 3);

	struct msghdr m = { .msg_iov = v, .msg_iovlen = 3 };
	CHECK_EQ("sendmsg", sendmsg(a, &m, MSG_NOSIGNAL), 12);
	wait_bytes(b, 12);
	memset(&m, 0, sizeof(m));
	m.msg_iov = r;
	m.msg_iovlen = 2;
	m.msg_flags = 0x1234;
	CHECK_EQ("recvmsg", recvmsg(b, &m, 0), 12);
	CHECK_EQ("recvmsg's flags", m.msg_flags, 0);
	CHECK_EQ("recvmsg's control", (long)m.msg_controllen, 0);
	CHECK("recvmsg's pieces", memcmp(h, "GET ", 4) == 0 &&
					  memcmp(body, "/ HTTP\r\n", 8) == 0);
	CHECK_ERR("recvmsg with nothing", recvmsg(b, &m, MSG_DONTWAIT),
		  EAGAIN);

	CHECK_OK("shutdown", shutdown(a, SHUT_WR));
	sigpipes = 0;
	m.msg_iov = v;
	m.msg_iovlen = 3;
	CHECK_ERR("sendmsg after shutdown", sendmsg(a, &m, MSG_NOSIGNAL),
		  EPIPE);
	CHECK_EQ("no SIGPIPE", sigpipes, 0);
	CHECK_ERR("writev after shutdown", writev(a, v, 3), EPIPE);
	CHECK_EQ("SIGPIPE", sigpipes, 1);
	CHECK_ERR("sendto after shutdown", sendto(a, "x", 1, 0, NULL, 0),
		  EPIPE);
	CHECK_EQ("SIGPIPE again", sigpipes, 2);
	close(a);
	close(b);
}

int
main(void)
{
	int a = -1, b = -1, sv[2];
	abi_init();
	signal(SIGPIPE, on_sigpipe);
	test_pipe();
	CHECK_OK("tcp pair", tcp_pair(AF_INET, &a, &b));
	test_stream("AF_INET", a, b);
	CHECK_OK("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	test_stream("AF_UNIX", sv[0], sv[1]);
	return abi_done("vec_stream");
}
