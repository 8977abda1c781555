/*
 * Pipes as buffers: F_GETPIPE_SZ and F_SETPIPE_SZ (rounding, EBUSY,
 * EBADF on a file, a smaller pipe filling sooner), splice between a file
 * and a pipe with and without offsets, pipe to pipe, and its errors
 * (EBADF, ESPIPE, EINVAL), tee (the input stays), vmsplice both ways,
 * SPLICE_F_NONBLOCK on a full pipe, /proc/sys/fs/pipe-max-size.
 */
#include "abi.h"

#include <sys/uio.h>

static char tmp[64];

static void
test_sizes(void)
{
	int p[2];
	char buf[8192];

	CHECK_OK("pipe", pipe2(p, O_NONBLOCK));
	CHECK_EQ("F_GETPIPE_SZ default", fcntl(p[0], F_GETPIPE_SZ), 65536);
	CHECK_EQ("F_SETPIPE_SZ 0 is a page", fcntl(p[0], F_SETPIPE_SZ, 0), 4096);
	CHECK_EQ("the other end sees it", fcntl(p[1], F_GETPIPE_SZ), 4096);
	CHECK_EQ("F_SETPIPE_SZ 5000 rounds up", fcntl(p[1], F_SETPIPE_SZ, 5000),
	    8192);
	memset(buf, 'a', sizeof(buf));
	CHECK_EQ("fill 8192", write(p[1], buf, sizeof(buf)), 8192);
	CHECK_ERR("full", write(p[1], "x", 1), EAGAIN);
	CHECK_ERR("shrink below the contents", fcntl(p[1], F_SETPIPE_SZ, 4096),
	    EBUSY);
	CHECK_EQ("grow keeps the contents", fcntl(p[1], F_SETPIPE_SZ, 65536),
	    65536);
	CHECK_EQ("read them back", read(p[0], buf, sizeof(buf)), 8192);
	CHECK("all of them", buf[0] == 'a' && buf[8191] == 'a');
	CHECK_ERR("F_SETPIPE_SZ too big", fcntl(p[1], F_SETPIPE_SZ, 1u << 31 | 1),
	    EINVAL);
	close(p[0]);
	close(p[1]);

	int fd = open("/proc/sys/fs/pipe-max-size", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	CHECK("pipe-max-size readable", n > 0 && atoi(buf) >= 65536);
	if (fd >= 0)
		close(fd);
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK_ERR("F_GETPIPE_SZ on a file", fcntl(fd, F_GETPIPE_SZ), EBADF);
	close(fd);
}

static void
test_splice_file(void)
{
	int p[2];
	char buf[64];
	loff_t off;
	int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC, 0600);

	CHECK_EQ("write file", write(fd, "0123456789", 10), 10);
	CHECK_OK("pipe", pipe(p));
	off = 2;
	CHECK_EQ("file to pipe at offset 2", splice(fd, &off, p[1], NULL, 5, 0), 5);
	CHECK_EQ("offset moved", off, 7);
	CHECK_EQ("file offset stays", lseek(fd, 0, SEEK_CUR), 10);
	off = 20;
	CHECK_EQ("pipe to file at offset 20", splice(p[0], NULL, fd, &off, 64, 0),
	    5);
	CHECK_EQ("offset moved", off, 25);
	CHECK_EQ("pread", pread(fd, buf, 5, 20), 5);
	CHECK("the bytes", memcmp(buf, "23456", 5) == 0);
	lseek(fd, 0, SEEK_SET);
	CHECK_EQ("file to pipe from the file offset",
	    splice(fd, NULL, p[1], NULL, 4, 0), 4);
	CHECK_EQ("file offset moved", lseek(fd, 0, SEEK_CUR), 4);
	CHECK_EQ("read pipe", read(p[0], buf, sizeof(buf)), 4);
	CHECK("the bytes", memcmp(buf, "0123", 4) == 0);
	CHECK_EQ("length 0", splice(fd, NULL, p[1], NULL, 0, 0), 0);

	/* Errors, in Linux's order. */
	CHECK_ERR("bad in", splice(-1, NULL, p[1], NULL, 1, 0), EBADF);
	CHECK_ERR("bad out", splice(p[0], NULL, -1, NULL, 1, 0), EBADF);
	CHECK_ERR("write end as input", splice(p[1], NULL, fd, NULL, 1, 0), EBADF);
	off = 0;
	CHECK_ERR("offset on the pipe", splice(p[0], &off, fd, NULL, 1, 0),
	    ESPIPE);
	CHECK_ERR("file to file", splice(fd, NULL, fd, NULL, 1, 0), EINVAL);
	CHECK_ERR("unknown flag", splice(fd, NULL, p[1], NULL, 1, 0x100), EINVAL);
	int app = open(tmp, O_WRONLY | O_APPEND);
	CHECK_EQ("fill", write(p[1], "ab", 2), 2);
	CHECK_ERR("to an O_APPEND file", splice(p[0], NULL, app, NULL, 1, 0),
	    EINVAL);
	close(app);
	CHECK_EQ("drain", read(p[0], buf, sizeof(buf)), 2);
	CHECK_ERR("empty pipe, SPLICE_F_NONBLOCK",
	    splice(p[0], NULL, fd, NULL, 1, SPLICE_F_NONBLOCK), EAGAIN);
	close(p[1]);
	CHECK_EQ("no writer: end of file", splice(p[0], NULL, fd, NULL, 1, 0), 0);
	close(p[0]);
	close(fd);
}

static void
test_pipe_to_pipe(void)
{
	int a[2], b[2];
	char buf[64];

	CHECK_OK("pipe a", pipe(a));
	CHECK_OK("pipe b", pipe(b));
	CHECK_EQ("fill a", write(a[1], "hello world", 11), 11);
	CHECK_EQ("tee a to b", tee(a[0], b[1], 5, 0), 5);
	CHECK_EQ("b got a copy", read(b[0], buf, sizeof(buf)), 5);
	CHECK("the copy", memcmp(buf, "hello", 5) == 0);
	CHECK_EQ("splice a to b", splice(a[0], NULL, b[1], NULL, 64, 0), 11);
	CHECK_EQ("a is empty, b has all", read(b[0], buf, sizeof(buf)), 11);
	CHECK("the bytes", memcmp(buf, "hello world", 11) == 0);
	CHECK_ERR("tee to itself", tee(a[0], a[1], 1, 0), EINVAL);
	CHECK_ERR("splice to itself", splice(a[0], NULL, a[1], NULL, 1, 0), EINVAL);
	int fd = open(tmp, O_RDONLY);
	CHECK_ERR("tee from a file", tee(fd, b[1], 1, 0), EINVAL);
	close(fd);
	CHECK_ERR("tee, empty input, NONBLOCK",
	    tee(a[0], b[1], 1, SPLICE_F_NONBLOCK), EAGAIN);
	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
}

static void
test_vmsplice(void)
{
	int p[2];
	char in[] = "vmsplice", out[16] = { 0 };
	struct iovec iv[2] = { { in, 2 }, { in + 2, 6 } };
	struct iovec ov = { out, sizeof(out) };

	CHECK_OK("pipe", pipe(p));
	CHECK_EQ("into the pipe", vmsplice(p[1], iv, 2, 0), 8);
	CHECK_EQ("out of the pipe", vmsplice(p[0], &ov, 1, 0), 8);
	CHECK_STR("the bytes", out, "vmsplice");
	CHECK_ERR("too many pieces", vmsplice(p[1], iv, 1025, 0), EINVAL);
	int fd = open(tmp, O_RDWR);
	CHECK_ERR("not a pipe", vmsplice(fd, iv, 1, 0), EBADF);
	close(fd);
	CHECK_EQ("a one-page pipe", fcntl(p[1], F_SETPIPE_SZ, 4096), 4096);
	static char page[4096] __attribute__((aligned(4096)));
	struct iovec pv = { page, sizeof(page) };
	CHECK_EQ("fill it", vmsplice(p[1], &pv, 1, 0), 4096);
	CHECK_ERR("full, SPLICE_F_NONBLOCK", vmsplice(p[1], iv, 1,
	    SPLICE_F_NONBLOCK), EAGAIN);
	close(p[0]);
	close(p[1]);
}

int
main(void)
{
	abi_init();
	abi_tmpname(tmp, sizeof(tmp), "splice");
	test_sizes();
	test_splice_file();
	test_pipe_to_pipe();
	test_vmsplice();
	unlink(tmp);
	return abi_done("splice");
}
