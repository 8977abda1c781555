/*
 * sendfile into a non-blocking pipe and a non-blocking AF_UNIX socket that
 * fill up: the call returns what was taken and the input offset (the
 * file's, or the one passed in) moves by exactly that much, so the next
 * call carries on where the last one stopped. (Petrel's once moved it by
 * what it had read, losing the bytes the output refused.) A pipe is no
 * input for sendfile (EINVAL): from a pipe into its own
 * write end, Petrel's copy never ran dry and hung the guest (trinity).
 * A socket is one (Linux 6 splices from AF_UNIX).
 */
#include "abi.h"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>

#define SIZE 300000

static char pattern[SIZE];
static char got[SIZE];

/* A tmpfs file of the pattern, opened for reading at offset 0. */
static int
make_file(void)
{
	char path[64];
	abi_tmpname(path, sizeof(path), "sendfile");
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	unlink(path);
	for (int i = 0; i < SIZE; i++)
		pattern[i] = (char)(i * 7 + i / 4099);
	if (write(fd, pattern, SIZE) != SIZE)
		return -1;
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* Reads everything the output's other end holds now; returns the count. */
static long
drain(int fd, char *buf, long room)
{
	long total = 0;
	for (;;) {
		ssize_t n = read(fd, buf + total, (size_t)(room - total));
		if (n <= 0)
			return total;
		total += n;
	}
}

/* out and in are the two ends of a non-blocking channel. */
static void
check_channel(const char *kind, int out, int in)
{
	char what[96];
	int fd = make_file();
	if (fd < 0) {
		printf("%s: no file\n", kind);
		return;
	}
	long n = sendfile(out, fd, NULL, SIZE);
	snprintf(what, sizeof(what), "%s: part of the file taken", kind);
	CHECK(what, n > 0 && n < SIZE);
	snprintf(what, sizeof(what), "%s: file offset moved by the count", kind);
	CHECK(what, lseek(fd, 0, SEEK_CUR) == n);
	snprintf(what, sizeof(what), "%s: a full output", kind);
	CHECK_ERR(what, sendfile(out, fd, NULL, SIZE), EAGAIN);
	snprintf(what, sizeof(what), "%s: offset kept after EAGAIN", kind);
	CHECK(what, lseek(fd, 0, SEEK_CUR) == n);

	/* Drain and go on until the whole file went through. */
	long total = 0;
	int rounds = 0;
	while (total < SIZE && rounds++ < 1000) {
		total += drain(in, got + total, SIZE - total);
		if (lseek(fd, 0, SEEK_CUR) < SIZE)
			sendfile(out, fd, NULL, SIZE);
	}
	snprintf(what, sizeof(what), "%s: every byte in order", kind);
	CHECK(what, total == SIZE && memcmp(got, pattern, SIZE) == 0);

	/* An offset passed in moves instead, the file's stays. */
	lseek(fd, 5, SEEK_SET);
	off_t off = 1000;
	n = sendfile(out, fd, &off, SIZE);
	snprintf(what, sizeof(what), "%s: the offset passed in moved", kind);
	CHECK(what, n > 0 && off == 1000 + n);
	snprintf(what, sizeof(what), "%s: the file's offset stayed", kind);
	CHECK_EQ(what, lseek(fd, 0, SEEK_CUR), 5);
	long more = drain(in, got, SIZE);
	snprintf(what, sizeof(what), "%s: those bytes", kind);
	CHECK(what, more == n && memcmp(got, pattern + 1000, (size_t)n) == 0);
	close(fd);
}

static void
check_inputs(void)
{
	int p[2], q[2], sv[2];

	pipe(p);
	pipe(q);
	write(p[1], "x", 1);
	CHECK_ERR("from a pipe into its own write end",
		  sendfile(p[1], p[0], NULL, 1000000), EINVAL);
	CHECK_ERR("from a pipe into another", sendfile(q[1], p[0], NULL, 10),
		  EINVAL);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	write(sv[1], "y", 1);
	CHECK_EQ("from a socket", sendfile(q[1], sv[0], NULL, 10), 1);
	int z = open("/dev/zero", O_RDONLY);
	CHECK_EQ("from /dev/zero into a pipe", sendfile(q[1], z, NULL, 100),
		 100);
	close(z);
	close(sv[0]);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

int
main(void)
{
	abi_init();
	check_inputs();
	int p[2], sv[2];
	if (pipe2(p, O_NONBLOCK) == 0) {
		check_channel("pipe", p[1], p[0]);
		close(p[0]);
		close(p[1]);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == 0) {
		check_channel("unix", sv[0], sv[1]);
		close(sv[0]);
		close(sv[1]);
	}
	return abi_done("sendfile");
}
