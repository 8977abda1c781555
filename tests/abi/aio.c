/*
 * Linux native AIO through the raw calls (no libaio): io_setup's checks
 * and its ring (magic, head and tail, reaped from user space), reads and
 * writes at offsets, vectored, fsync and fdatasync, with their results
 * and io_event fields; submission errors (EBADF, EINVAL) and transfer
 * errors in the event (RWF_NOWAIT on an empty pipe); an eventfd signalled
 * per completion (IOCB_FLAG_RESFD); IOCB_CMD_POLL ready at once, later,
 * and cancelled (EINPROGRESS); io_getevents' checks and timeout,
 * io_pgetevents, io_destroy.
 */
#include "abi.h"

#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#define FILE_PATH "/tmp/abi_aio_file"

/* <linux/aio_abi.h>, which musl's compiler does not see. */
typedef unsigned long aio_context_t;
enum {
	IOCB_CMD_PREAD = 0, IOCB_CMD_PWRITE = 1, IOCB_CMD_FSYNC = 2,
	IOCB_CMD_FDSYNC = 3, IOCB_CMD_POLL = 5, IOCB_CMD_PREADV = 7,
	IOCB_CMD_PWRITEV = 8,
};
#define IOCB_FLAG_RESFD 1
#ifndef RWF_NOWAIT
#define RWF_NOWAIT 8
#endif
#ifndef SYS_io_pgetevents
#define SYS_io_pgetevents 333
#endif
struct io_event {
	uint64_t data, obj;
	int64_t res, res2;
};
struct iocb {
	uint64_t aio_data;
	uint32_t aio_key, aio_rw_flags;
	uint16_t aio_lio_opcode;
	int16_t aio_reqprio;
	uint32_t aio_fildes;
	uint64_t aio_buf, aio_nbytes;
	int64_t aio_offset;
	uint64_t aio_reserved2;
	uint32_t aio_flags, aio_resfd;
};

static long
io_setup(unsigned nr, aio_context_t *ctx)
{
	return syscall(SYS_io_setup, nr, ctx);
}

static long
io_submit(aio_context_t ctx, long nr, struct iocb **cbs)
{
	return syscall(SYS_io_submit, ctx, nr, cbs);
}

static long
io_getevents(aio_context_t ctx, long min, long nr, struct io_event *ev,
	     struct timespec *ts)
{
	return syscall(SYS_io_getevents, ctx, min, nr, ev, ts);
}

static struct iocb
prep(int fd, int op, void *buf, size_t len, off_t off, uint64_t data)
{
	struct iocb cb = { .aio_fildes = fd, .aio_lio_opcode = op,
			   .aio_buf = (uint64_t)buf, .aio_nbytes = len,
			   .aio_offset = off, .aio_data = data };
	return cb;
}

/* Submits one iocb; its io_submit result, or the errno's name. */
static const char *
submit1(aio_context_t ctx, struct iocb *cb)
{
	static char out[32];
	struct iocb *cbs[1] = { cb };
	long r = io_submit(ctx, 1, cbs);
	if (r < 0)
		return errno_name(errno);
	snprintf(out, sizeof(out), "%ld", r);
	return out;
}

/* Reaps one event within a second: "data res" or what happened. */
static const char *
reap1(aio_context_t ctx, struct iocb *cb)
{
	static char out[64];
	struct io_event ev;
	struct timespec ts = { 1, 0 };
	long r = io_getevents(ctx, 1, 1, &ev, &ts);
	if (r < 0)
		return errno_name(errno);
	if (r == 0)
		return "none";
	snprintf(out, sizeof(out), "data %llu res %s%lld obj %s",
		 (unsigned long long)ev.data, ev.res < 0 ? "-" : "",
		 ev.res < 0 ? (long long)0 : (long long)ev.res,
		 ev.obj == (uint64_t)cb ? "ok" : "other");
	if (ev.res < 0)
		snprintf(out, sizeof(out), "data %llu res -%s obj %s",
			 (unsigned long long)ev.data,
			 errno_name((int)-ev.res),
			 ev.obj == (uint64_t)cb ? "ok" : "other");
	return out;
}

static void
test_setup(void)
{
	aio_context_t ctx = 0;
	CHECK_ERR("io_setup with a NULL pointer", io_setup(1, NULL), EFAULT);
	ctx = 1;
	CHECK_ERR("io_setup with a set context", io_setup(1, &ctx), EINVAL);
	ctx = 0;
	CHECK_ERR("io_setup of 0 events", io_setup(0, &ctx), EINVAL);
	CHECK_ERR("io_setup of -1 events", io_setup(-1, &ctx), EINVAL);
	unsigned max = 0;
	FILE *f = fopen("/proc/sys/fs/aio-max-nr", "r");
	CHECK("aio-max-nr", f && fscanf(f, "%u", &max) == 1);
	if (f)
		fclose(f);
	CHECK_ERR("io_setup past aio-max-nr", io_setup(max + 1, &ctx), EAGAIN);
	CHECK_EQ("io_setup", io_setup(8, &ctx), 0);
	struct aio_ring_head {
		unsigned id, nr, head, tail, magic, compat, incompat, hlen;
	} *ring = (void *)ctx;
	CHECK("the context is a ring", ring->magic == 0xa10a10a1 &&
	      ring->hlen == 32 && ring->head == 0 && ring->tail == 0 &&
	      ring->nr >= 8 && ring->id == 0 && ring->compat == 1 &&
	      ring->incompat == 0);
	CHECK_EQ("io_destroy", syscall(SYS_io_destroy, ctx), 0);
	CHECK_ERR("io_destroy again", syscall(SYS_io_destroy, ctx), EINVAL);
	CHECK_ERR("io_submit on a destroyed context",
		  io_submit(ctx, 0, NULL), EINVAL);
	CHECK_ERR("io_getevents on no context",
		  io_getevents(0, 0, 0, NULL, NULL), EINVAL);
	CHECK_ERR("io_cancel of a NULL iocb",
		  syscall(SYS_io_cancel, 0, NULL, NULL), EFAULT);
}

static void
test_rw(void)
{
	aio_context_t ctx = 0;
	io_setup(8, &ctx);
	int fd = open(FILE_PATH, O_RDWR | O_CREAT | O_TRUNC, 0600);
	struct iocb w = prep(fd, IOCB_CMD_PWRITE, "hello world", 11, 4, 1);
	CHECK_STR("PWRITE", submit1(ctx, &w), "1");
	CHECK_STR("its event", reap1(ctx, &w), "data 1 res 11 obj ok");
	char buf[32] = { 0 };
	struct iocb r = prep(fd, IOCB_CMD_PREAD, buf, 5, 10, 2);
	CHECK_STR("PREAD", submit1(ctx, &r), "1");
	CHECK_STR("its event", reap1(ctx, &r), "data 2 res 5 obj ok");
	CHECK_STR("the bytes", buf, "world");
	CHECK_EQ("the file offset did not move", lseek(fd, 0, SEEK_CUR), 0);

	char a[4] = { 0 }, b[8] = { 0 };
	struct iovec iov[2] = { { a, 3 }, { b, 5 } };
	struct iocb rv = prep(fd, IOCB_CMD_PREADV, iov, 2, 4, 3);
	struct iocb fs = prep(fd, IOCB_CMD_FSYNC, NULL, 0, 0, 4);
	struct iocb fds = prep(fd, IOCB_CMD_FDSYNC, NULL, 0, 0, 5);
	struct iocb *three[3] = { &rv, &fs, &fds };
	CHECK_EQ("three at once", io_submit(ctx, 3, three), 3);
	struct io_event ev[4];
	struct timespec ts = { 1, 0 };
	CHECK_EQ("io_getevents of three", io_getevents(ctx, 3, 4, ev, &ts), 3);
	/* Linux completes the syncs in workers: in any order. */
	int64_t res_of[6] = { -1, -1, -1, -1, -1, -1 };
	for (int i = 0; i < 3; i++)
		if (ev[i].data < 6)
			res_of[ev[i].data] = ev[i].res;
	CHECK("PREADV's event", res_of[3] == 8 && !strcmp(a, "hel") &&
	      !strcmp(b, "lo wo"));
	CHECK("FSYNC's and FDSYNC's", res_of[4] == 0 && res_of[5] == 0);
	struct iocb bad = prep(fd, IOCB_CMD_FSYNC, buf, 0, 0, 6);
	CHECK_STR("FSYNC with a buffer", submit1(ctx, &bad), "EINVAL");

	int ro = open(FILE_PATH, O_RDONLY);
	struct iocb wro = prep(ro, IOCB_CMD_PWRITE, "x", 1, 0, 7);
	CHECK_STR("PWRITE on a read-only fd", submit1(ctx, &wro), "EBADF");
	struct iocb badfd = prep(-1, IOCB_CMD_PREAD, buf, 1, 0, 8);
	CHECK_STR("a bad fd", submit1(ctx, &badfd), "EBADF");
	struct iocb badop = prep(fd, 99, buf, 1, 0, 9);
	CHECK_STR("a bad opcode", submit1(ctx, &badop), "EINVAL");
	struct iocb res2 = prep(fd, IOCB_CMD_PREAD, buf, 1, 0, 10);
	res2.aio_reserved2 = 1;
	CHECK_STR("aio_reserved2 set", submit1(ctx, &res2), "EINVAL");
	struct iocb *none[1] = { NULL };
	CHECK_ERR("a NULL iocb", io_submit(ctx, 1, none), EFAULT);
	CHECK_ERR("a negative count", io_submit(ctx, -1, none), EINVAL);
	CHECK_EQ("a count of 0", io_submit(ctx, 0, NULL), 0);
	CHECK_ERR("min_nr past nr", io_getevents(ctx, 2, 1, ev, &ts), EINVAL);
	struct timespec short_ts = { 0, 20000000 };
	CHECK_EQ("nothing comes before the timeout",
		 io_getevents(ctx, 1, 1, ev, &short_ts), 0);
	CHECK_ERR("io_cancel of a finished iocb",
		  syscall(SYS_io_cancel, ctx, &r, ev), EINVAL);

	/* Reaped from user space, as libaio does. */
	struct iocb r2 = prep(fd, IOCB_CMD_PREAD, buf, 2, 4, 11);
	submit1(ctx, &r2);
	struct aio_ring_head {
		unsigned id, nr, head, tail, magic, compat, incompat, hlen;
		struct io_event events[];
	} *ring = (void *)ctx;
	CHECK("the ring holds it", ring->tail != ring->head &&
	      ring->events[ring->head].data == 11 &&
	      ring->events[ring->head].res == 2);
	ring->head = (ring->head + 1) % ring->nr;
	struct timespec zero = { 0, 0 };
	CHECK_EQ("io_getevents finds it reaped",
		 io_getevents(ctx, 0, 1, ev, &zero), 0);
	close(ro);
	close(fd);
	unlink(FILE_PATH);
	syscall(SYS_io_destroy, ctx);
}

static void
test_pipe_poll(void)
{
	aio_context_t ctx = 0;
	io_setup(8, &ctx);
	int p[2];
	pipe(p);
	char buf[16];
	struct iocb nw = prep(p[0], IOCB_CMD_PREAD, buf, sizeof(buf), 0, 1);
	nw.aio_rw_flags = RWF_NOWAIT;
	CHECK_STR("RWF_NOWAIT read of an empty pipe", submit1(ctx, &nw), "1");
	CHECK_STR("its event", reap1(ctx, &nw), "data 1 res -EAGAIN obj ok");

	int efd = eventfd(0, EFD_NONBLOCK);
	struct iocb pr = prep(p[0], IOCB_CMD_POLL, NULL, 0, 0, 2);
	pr.aio_buf = POLLIN;
	pr.aio_flags = IOCB_FLAG_RESFD;
	pr.aio_resfd = efd;
	CHECK_STR("POLL of an empty pipe", submit1(ctx, &pr), "1");
	struct io_event ev;
	struct timespec zero = { 0, 0 };
	CHECK_EQ("not ready yet", io_getevents(ctx, 1, 1, &ev, &zero), 0);
	write(p[1], "abc", 3);
	CHECK_STR("ready after a write", reap1(ctx, &pr),
		  "data 2 res 65 obj ok");
	uint64_t count = 0;
	CHECK("the eventfd counted it", read(efd, &count, 8) == 8 &&
	      count == 1);
	struct iocb rd = prep(p[0], IOCB_CMD_PREAD, buf, sizeof(buf), 12345, 3);
	rd.aio_flags = IOCB_FLAG_RESFD;
	rd.aio_resfd = efd;
	CHECK_STR("PREAD of a pipe ignores the offset", submit1(ctx, &rd), "1");
	CHECK_STR("its event", reap1(ctx, &rd), "data 3 res 3 obj ok");
	CHECK("and the eventfd", read(efd, &count, 8) == 8 && count == 1);
	struct iocb pw = prep(p[1], IOCB_CMD_POLL, NULL, 0, 0, 4);
	pw.aio_buf = POLLOUT;
	CHECK_STR("POLL of a writable pipe", submit1(ctx, &pw), "1");
	CHECK_STR("ready at once", reap1(ctx, &pw), "data 4 res 4 obj ok");

	struct iocb pc = prep(p[0], IOCB_CMD_POLL, NULL, 0, 0, 5);
	pc.aio_buf = POLLIN;
	submit1(ctx, &pc);
	CHECK_ERR("io_cancel of a waiting poll",
		  syscall(SYS_io_cancel, ctx, &pc, &ev), EINPROGRESS);
	CHECK_STR("its event", reap1(ctx, &pc), "data 5 res 0 obj ok");
	struct iocb bad = prep(p[0], IOCB_CMD_PREAD, buf, 1, 0, 6);
	bad.aio_flags = IOCB_FLAG_RESFD;
	bad.aio_resfd = p[1];
	CHECK_STR("a RESFD that is no eventfd", submit1(ctx, &bad), "EINVAL");

	sigset_t mask;
	sigemptyset(&mask);
	struct { const sigset_t *mask; size_t size; } sig = { &mask, 8 };
	struct timespec short_ts = { 0, 20000000 };
	CHECK_EQ("io_pgetevents times out",
		 syscall(SYS_io_pgetevents, ctx, 1, 1, &ev, &short_ts, &sig),
		 0);
	sig.size = 4;
	CHECK_ERR("io_pgetevents with a bad set size",
		  syscall(SYS_io_pgetevents, ctx, 1, 1, &ev, &short_ts, &sig),
		  EINVAL);
	close(p[0]);
	close(p[1]);
	close(efd);
	syscall(SYS_io_destroy, ctx);
}

int
main(void)
{
	abi_init();
	setvbuf(stdout, NULL, _IONBF, 0);
	test_setup();
	test_rw();
	test_pipe_poll();
	return abi_done("aio");
}
