/*
 * Pipes: pipe/pipe2 flags, short reads, EOF once every writer is gone,
 * EPIPE with SIGPIPE (default, ignored, handled), O_NONBLOCK EAGAIN on
 * both ends, FIONREAD, atomic writes of PIPE_BUF or less from two
 * writers, large transfers across the pipe buffer in both directions,
 * readv/writev, wrong-end EBADF, ESPIPE, a named FIFO in /tmp, and
 * packet mode (pipe2's O_DIRECT): one packet a read, the rest dropped,
 * as many packets as the pipe has pages.
 */
#include "abi.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

/* Read exactly n bytes unless EOF or an error comes first. */
static ssize_t
read_full(int fd, void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = read(fd, (char *)buf + done, n - done);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return done ? (ssize_t)done : r;
		done += r;
	}
	return done;
}

static unsigned char
pattern(size_t i)
{
	return (unsigned char)(i * 7 + i / 251);
}

static void
test_basics(void)
{
	int p[2];
	char buf[100];

	CHECK_OK("pipe", pipe(p));
	CHECK_EQ("read end O_RDONLY", fcntl(p[0], F_GETFL) & O_ACCMODE,
	    O_RDONLY);
	CHECK_EQ("write end O_WRONLY", fcntl(p[1], F_GETFL) & O_ACCMODE,
	    O_WRONLY);
	CHECK_EQ("pipe has no FD_CLOEXEC", fcntl(p[0], F_GETFD), 0);
	struct stat st;
	fstat(p[0], &st);
	CHECK("fstat S_ISFIFO", S_ISFIFO(st.st_mode));

	CHECK_EQ("write 5", write(p[1], "hello", 5), 5);
	int avail = -1;
	CHECK_OK("ioctl FIONREAD", ioctl(p[0], FIONREAD, &avail));
	CHECK_EQ("FIONREAD count", avail, 5);
	CHECK_EQ("short read", read(p[0], buf, sizeof(buf)), 5);
	CHECK("data intact", memcmp(buf, "hello", 5) == 0);

	CHECK_ERR("write to read end", write(p[0], "x", 1), EBADF);
	CHECK_ERR("read from write end", read(p[1], buf, 1), EBADF);
	CHECK_ERR("lseek on pipe", lseek(p[0], 0, SEEK_SET), ESPIPE);
	CHECK_ERR("pread on pipe", pread(p[0], buf, 1, 0), ESPIPE);

	struct iovec out[3] = {
		{ "ab", 2 }, { "", 0 }, { "cde", 3 },
	};
	CHECK_EQ("writev", writev(p[1], out, 3), 5);
	char first[1], rest[10];
	struct iovec in[2] = { { first, 1 }, { rest, sizeof(rest) } };
	CHECK_EQ("readv", readv(p[0], in, 2), 5);
	CHECK("readv split", first[0] == 'a' && memcmp(rest, "bcde", 4) == 0);

	CHECK_EQ("zero-length read", read(p[0], buf, 0), 0);

	/* EOF only when every write end is closed. */
	int extra = dup(p[1]);
	write(p[1], "z", 1);
	close(p[1]);
	CHECK_EQ("read with a dup'd writer open", read(p[0], buf, 10), 1);
	close(extra);
	CHECK_EQ("read at EOF", read(p[0], buf, 10), 0);
	CHECK_EQ("read after EOF", read(p[0], buf, 10), 0);
	close(p[0]);
	CHECK_ERR("read closed fd", read(p[0], buf, 1), EBADF);

	CHECK_ERR("pipe2 bad flags", pipe2(p, 0x1234), EINVAL);
}

static void
test_nonblock(void)
{
	int p[2];
	char buf[4096];

	CHECK_OK("pipe2 O_NONBLOCK|O_CLOEXEC",
	    pipe2(p, O_NONBLOCK | O_CLOEXEC));
	CHECK("read end O_NONBLOCK", fcntl(p[0], F_GETFL) & O_NONBLOCK);
	CHECK("write end O_NONBLOCK", fcntl(p[1], F_GETFL) & O_NONBLOCK);
	CHECK_EQ("pipe2 FD_CLOEXEC", fcntl(p[1], F_GETFD), FD_CLOEXEC);
	CHECK_ERR("empty nonblocking read", read(p[0], buf, 1), EAGAIN);

	memset(buf, 'f', sizeof(buf));
	size_t filled = 0;
	for (;;) {
		ssize_t n = write(p[1], buf, 512);
		if (n == -1)
			break;
		filled += n;
	}
	CHECK_STR("full pipe write errno", errno_name(errno), "EAGAIN");
	CHECK("capacity at least PIPE_BUF", filled >= PIPE_BUF);
	CHECK_ERR("write to full pipe", write(p[1], buf, 1), EAGAIN);
	CHECK_EQ("drain one PIPE_BUF", read_full(p[0], buf, PIPE_BUF),
	    PIPE_BUF);
	CHECK_EQ("write after drain", write(p[1], buf, 100), 100);

	/* Drain the rest, then EAGAIN again while a writer exists. */
	size_t drained = PIPE_BUF;
	ssize_t n;
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		drained += n;
	CHECK_EQ("everything written was read", drained == filled + 100, 1);
	CHECK_ERR("drained nonblocking read", read(p[0], buf, 1), EAGAIN);
	close(p[1]);
	CHECK_EQ("nonblocking read at EOF", read(p[0], buf, 1), 0);
	close(p[0]);

	/* O_NONBLOCK set later with F_SETFL. */
	pipe(p);
	fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
	CHECK_ERR("F_SETFL O_NONBLOCK read", read(p[0], buf, 1), EAGAIN);
	close(p[0]);
	close(p[1]);
}

static int sigpipe_count;

static void
on_sigpipe(int sig)
{
	if (sig == SIGPIPE)
		sigpipe_count++;
}

static void
test_epipe(void)
{
	int p[2];

	pipe(p);
	close(p[0]);
	pid_t pid = abi_fork();
	if (pid == 0) {
		write(p[1], "x", 1);
		_exit(0);
	}
	CHECK_STR("write without reader, default", status_str(abi_wait(pid)),
	    "killed by SIGPIPE");

	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR("write without reader, ignored", write(p[1], "x", 1), EPIPE);

	signal(SIGPIPE, on_sigpipe);
	CHECK_ERR("write without reader, handled", write(p[1], "x", 1), EPIPE);
	CHECK_EQ("SIGPIPE handler ran", sigpipe_count, 1);

	sigset_t block, pending;
	sigemptyset(&block);
	sigaddset(&block, SIGPIPE);
	sigprocmask(SIG_BLOCK, &block, NULL);
	CHECK_ERR("write without reader, blocked", write(p[1], "x", 1), EPIPE);
	sigpending(&pending);
	CHECK("SIGPIPE pending", sigismember(&pending, SIGPIPE));
	signal(SIGPIPE, SIG_IGN); /* discards the pending one */
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	CHECK_EQ("handler not run again", sigpipe_count, 1);
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);
}

/* Two writers of PIPE_BUF-or-smaller records never interleave. */
static void
test_atomic(void)
{
	enum { RECORD = 512, COUNT = 200 };
	int p[2];
	pid_t pids[2];

	pipe(p);
	for (int w = 0; w < 2; w++) {
		pids[w] = abi_fork();
		if (pids[w] == 0) {
			char rec[RECORD];
			memset(rec, w ? 'b' : 'a', sizeof(rec));
			close(p[0]);
			for (int i = 0; i < COUNT; i++)
				if (write(p[1], rec, RECORD) != RECORD)
					_exit(1);
			_exit(0);
		}
	}
	close(p[1]);
	int counts[2] = { 0, 0 }, mixed = 0;
	char rec[RECORD];
	while (read_full(p[0], rec, RECORD) == RECORD) {
		int i;
		for (i = 1; i < RECORD && rec[i] == rec[0]; i++)
			;
		if (i != RECORD || (rec[0] != 'a' && rec[0] != 'b'))
			mixed++;
		else
			counts[rec[0] == 'b']++;
	}
	close(p[0]);
	CHECK_EQ("records from writer a", counts[0], COUNT);
	CHECK_EQ("records from writer b", counts[1], COUNT);
	CHECK_EQ("interleaved records", mixed, 0);
	CHECK_STR("writer a", status_str(abi_wait(pids[0])), "exited 0");
	CHECK_STR("writer b", status_str(abi_wait(pids[1])), "exited 0");
}

/* One write of 1 MiB from a child; one big write from the parent. */
static void
test_large(void)
{
	enum { BIG = 1 << 20, BACK = 300000 };
	static unsigned char buf[BIG];
	int down[2], up[2];

	pipe(down);
	pipe(up);
	pid_t pid = abi_fork();
	if (pid == 0) {
		close(down[0]);
		close(up[1]);
		for (size_t i = 0; i < BIG; i++)
			buf[i] = pattern(i);
		if (write(down[1], buf, BIG) != BIG)
			_exit(1);
		close(down[1]);
		memset(buf, 0, BACK);
		if (read_full(up[0], buf, BACK + 1) != BACK)
			_exit(2);
		for (size_t i = 0; i < BACK; i++)
			if (buf[i] != pattern(i + 5))
				_exit(3);
		_exit(0);
	}
	close(down[1]);
	close(up[0]);
	ssize_t got = read_full(down[0], buf, BIG + 1);
	CHECK_EQ("1 MiB write arrives whole", got, BIG);
	size_t bad = 0;
	for (size_t i = 0; i < BIG; i++)
		bad += buf[i] != pattern(i);
	CHECK_EQ("1 MiB content mismatches", bad, 0);
	CHECK_EQ("EOF after the big write", read(down[0], buf, 1), 0);
	close(down[0]);

	for (size_t i = 0; i < BACK; i++)
		buf[i] = pattern(i + 5);
	CHECK_EQ("300000 byte write to child", write(up[1], buf, BACK), BACK);
	close(up[1]);
	CHECK_STR("large transfer child", status_str(abi_wait(pid)),
	    "exited 0");
}

static void
test_fifo(void)
{
	char path[64];
	char buf[16];
	struct stat st;

	abi_tmpname(path, sizeof(path), "fifo");
	CHECK_OK("mkfifo", mkfifo(path, 0600));
	CHECK_OK("stat fifo", stat(path, &st));
	CHECK("stat S_ISFIFO", S_ISFIFO(st.st_mode));
	CHECK_EQ("fifo mode bits", st.st_mode & 07777, 0600);
	CHECK_ERR("open fifo write-only nonblocking without reader",
	    open(path, O_WRONLY | O_NONBLOCK), ENXIO);
	int r = open(path, O_RDONLY | O_NONBLOCK);
	CHECK("open fifo read-only nonblocking", r >= 0);
	int w = open(path, O_WRONLY);
	CHECK("open fifo write-only with a reader", w >= 0);
	CHECK_EQ("write fifo", write(w, "fifo!", 5), 5);
	CHECK_EQ("read fifo", read(r, buf, sizeof(buf)), 5);
	CHECK("fifo data", memcmp(buf, "fifo!", 5) == 0);
	close(w);
	CHECK_EQ("fifo EOF", read(r, buf, sizeof(buf)), 0);
	close(r);
	CHECK_OK("unlink fifo", unlink(path));
}

/* F_GETPIPE_SZ and F_SETPIPE_SZ: powers of two of pages, data kept. */
static void
test_pipe_size(void)
{
	int p[2];
	pipe(p);
	CHECK_EQ("default size", fcntl(p[0], F_GETPIPE_SZ), 65536);
	CHECK_EQ("set 1 byte", fcntl(p[1], F_SETPIPE_SZ, 1), 4096);
	CHECK_EQ("read end sees it", fcntl(p[0], F_GETPIPE_SZ), 4096);
	CHECK_EQ("set 100000", fcntl(p[1], F_SETPIPE_SZ, 100000), 131072);
	char buf[8192];
	memset(buf, 'x', sizeof(buf));
	buf[0] = 'a';
	CHECK_EQ("fill 8192", write(p[1], buf, sizeof(buf)), 8192);
	CHECK_ERR("smaller than the data", fcntl(p[1], F_SETPIPE_SZ, 4096), EBUSY);
	CHECK_EQ("set 8192", fcntl(p[1], F_SETPIPE_SZ, 8192), 8192);
	char c = 0;
	CHECK_EQ("data kept", read(p[0], &c, 1) == 1 && c == 'a', 1);
	CHECK_ERR("past 2 GiB", fcntl(p[1], F_SETPIPE_SZ, (1u << 31) + 1), EINVAL);
	CHECK_ERR("not a pipe", fcntl(0 + open("/", O_RDONLY), F_GETPIPE_SZ), EBADF);
	FILE *f = fopen("/proc/sys/fs/pipe-max-size", "r");
	int max = 0;
	if (f) {
		if (fscanf(f, "%d", &max) != 1)
			max = 0;
		fclose(f);
	}
	CHECK_EQ("pipe-max-size", max, 1048576);
	CHECK_OK("seteuid 65534", seteuid(65534));
	CHECK_ERR("past it as a user", fcntl(p[1], F_SETPIPE_SZ, 2 * max), EPERM);
	CHECK_EQ("up to it as a user", fcntl(p[1], F_SETPIPE_SZ, max), max);
	CHECK_OK("seteuid back", seteuid(0));
	close(p[0]);
	close(p[1]);
}

static void
test_packets(void)
{
	int fds[2];
	char buf[8192];
	CHECK_OK("pipe2 O_DIRECT", pipe2(fds, O_DIRECT | O_NONBLOCK));
	CHECK_EQ("the write end has O_DIRECT",
		 (fcntl(fds[1], F_GETFL) & O_DIRECT) != 0, 1);
	CHECK_EQ("the read end has not", (fcntl(fds[0], F_GETFL) & O_DIRECT), 0);
	CHECK_EQ("write abc", write(fds[1], "abc", 3), 3);
	CHECK_EQ("write defgh", write(fds[1], "defgh", 5), 5);
	CHECK_EQ("a read takes one packet", read(fds[0], buf, sizeof(buf)), 3);
	CHECK_EQ("a short read takes part of the next",
		 read(fds[0], buf, 2), 2);
	CHECK_EQ("and drops the rest", read(fds[0], buf, sizeof(buf)) == -1 &&
		 errno == EAGAIN, 1);
	memset(buf, 'x', sizeof(buf));
	CHECK_EQ("a write of two pages", write(fds[1], buf, 8192), 8192);
	CHECK_EQ("comes as two packets", read(fds[0], buf, sizeof(buf)), 4096);
	CHECK_EQ("the second", read(fds[0], buf, sizeof(buf)), 4096);
	int n = 0;
	while (write(fds[1], "p", 1) == 1 && n < 100)
		n++;
	CHECK_EQ("one-byte packets until the slots are full", n,
		 fcntl(fds[1], F_GETPIPE_SZ) / 4096);
	CHECK_ERR("then EAGAIN", write(fds[1], "p", 1), EAGAIN);
	CHECK_EQ("one read frees a slot", read(fds[0], buf, 10), 1);
	CHECK_EQ("for one more", write(fds[1], "q", 1), 1);
	close(fds[0]);
	close(fds[1]);
	CHECK_ERR("pipe2 unknown flag", pipe2(fds, O_APPEND), EINVAL);
}

int
main(void)
{
	abi_init();
	test_pipe_size();
	test_basics();
	test_nonblock();
	test_epipe();
	test_atomic();
	test_large();
	test_fifo();
	test_packets();
	return abi_done("pipe");
}
