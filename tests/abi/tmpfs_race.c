/*
 * Reads of a tmpfs file racing its writes, truncates and extensions on 2
 * vCPUs (docs/kernel.md, "Calls without the big lock": pread and read of
 * a tmpfs file run without the big lock, under the file's node lock):
 * reader processes spin in pread and in read (their own open file, one
 * thread: read's nolock case) while the parent rewrites the file whole,
 * shrinks it, grows it by a hole and extends it by writes. No crash, and
 * what a read returns is a file the writer made: Petrel copies 1 KiB at a
 * time under the node lock, so an aligned 1 KiB read is one snapshot
 * (one generation's bytes, then zeros past a shrink); Linux promises less
 * (a read racing a write may see both), so natively each byte is checked
 * alone. Then read's offset shared by two threads (each block read once),
 * read after fork (the offset shared by two processes), that a
 * single-threaded read loop leaves the big lock alone (Petrel's
 * /proc/petrel/bkl), and getppid once the parent has exited with no
 * subreaper (the reaper's pid, here init's).
 */
/* abi: smp 2 */
#include "abi.h"

#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include "../system/progs/bkl.h"

#define SIZE 16384
#define BLOCK 1024	/* Petrel copies this much under the node lock */
#define ROUNDS 600

static char path[64];
static int petrel;

/* The byte generation g (1 and up) writes at offset o: never 0. */
static unsigned char
pat(long o, int g)
{
	return (unsigned char)(1 + (o / 16 + g * 31) % 250);
}

static int
gen_of(unsigned char b, long o)
{
	for (int g = 1; g <= 250; g++)
		if (pat(o, g) == b)
			return g;
	return 0;
}

/*
 * Whether buf[0..n), read at off, is something the writer made. Petrel:
 * one generation's bytes, then zeros (or all zeros). Natively: each byte
 * 0 or some generation's.
 */
static int
plausible(const unsigned char *buf, long n, long off)
{
	if (n < 0 || n > BLOCK)
		return 0;
	if (!petrel) {
		for (long i = 0; i < n; i++)
			if (buf[i] && !gen_of(buf[i], off + i))
				return 0;
		return 1;
	}
	long i = 0;
	int g = n > 0 && buf[0] ? gen_of(buf[0], off) : 0;
	if (n > 0 && buf[0] && !g)
		return 0;
	while (i < n && g && buf[i] == pat(off + i, g))
		i++;
	while (i < n && buf[i] == 0)
		i++;
	return i == n;
}

/* A reader process: pread (by_read 0) or lseek and read (1) at random
 * aligned offsets until the parent closes the pipe, after a byte on
 * ready_fd once the file is open (the parent starts writing when both
 * readers are there: on a loaded host a reader forked last could find
 * the writes over before its first read); exits with the count of bad
 * reads (at most 100), 101 if it read nothing. */
static void
reader(int by_read, int stop_fd, int ready_fd)
{
	unsigned char buf[BLOCK];
	unsigned seed = 12345u + (unsigned)by_read;
	long bad = 0, reads = 0;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		_exit(102);
	fcntl(stop_fd, F_SETFL, O_NONBLOCK);
	if (write(ready_fd, "r", 1) != 1)
		_exit(103);
	for (;;) {
		char c;
		if (reads > 0 && reads % 64 == 0 && read(stop_fd, &c, 1) == 0)
			break;	/* the parent is done */
		seed = seed * 1103515245u + 12345u;
		long off = (long)(seed >> 8) % (2 * SIZE / BLOCK) * BLOCK;
		long n;
		if (by_read) {
			lseek(fd, off, SEEK_SET);
			n = read(fd, buf, BLOCK);
			if (n > 0 && lseek(fd, 0, SEEK_CUR) != off + n)
				bad++;
		} else {
			n = pread(fd, buf, BLOCK, off);
		}
		if (!plausible(buf, n, off))
			bad++;
		reads++;
	}
	_exit(reads == 0 ? 101 : bad > 100 ? 100 : (int)bad);
}

/* Writes generation g over [0, len) in one call. */
static int
write_gen(int fd, int g, long len)
{
	static unsigned char data[2 * SIZE];
	for (long i = 0; i < len; i++)
		data[i] = pat(i, g);
	return pwrite(fd, data, (size_t)len, 0) == len ? 0 : -1;
}

static void
test_race(void)
{
	int stop[2], ready[2];
	pid_t kids[2];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK("create", fd >= 0 && write_gen(fd, 1, SIZE) == 0);
	CHECK_OK("pipe", pipe(stop) | pipe(ready));
	for (int k = 0; k < 2; k++) {
		kids[k] = fork();
		if (kids[k] == 0) {
			close(stop[1]);
			close(ready[0]);
			reader(k, stop[0], ready[1]);
		}
	}
	close(stop[0]);
	close(ready[1]);
	char started[2];
	for (int got = 0, r; got < 2; got += r)
		if ((r = (int)read(ready[0], started + got, 2 - got)) <= 0)
			break;	/* a reader died: its status says so */
	close(ready[0]);
	long failed = 0;
	for (int i = 0; i < ROUNDS; i++) {
		int g = 1 + i % 250;
		switch (i % 4) {
		case 0:	/* rewritten whole */
			failed += write_gen(fd, g, SIZE) < 0;
			break;
		case 1:	/* shrunk into a page: its pages freed */
			failed += ftruncate(fd, (i * 997) % SIZE) < 0;
			break;
		case 2:	/* grown by a hole */
			failed += ftruncate(fd, 2 * SIZE) < 0;
			break;
		case 3:	/* extended by a write */
			failed += write_gen(fd, g, 2 * SIZE - 100) < 0;
			break;
		}
		if (i % 50 == 0)
			sched_yield();
	}
	CHECK_EQ("writes and truncates that failed", failed, 0);
	close(stop[1]);	/* the readers stop */
	for (int k = 0; k < 2; k++) {
		int status;
		waitpid(kids[k], &status, 0);
		CHECK_STR(k ? "read racing writes and truncates"
			    : "pread racing writes and truncates",
			  status_str(status), "exited 0");
	}
	close(fd);
}

/* ---- read's offset shared by threads and by processes -------------------- */

static int shared_fd;
static unsigned char seen[SIZE / 16];
static volatile long dup_blocks, odd_reads;

/* Reads 16-byte blocks until EOF, marking which it got by their data. */
static void *
block_reader(void *arg)
{
	unsigned char buf[16];
	long n;
	(void)arg;
	while ((n = read(shared_fd, buf, sizeof(buf))) > 0) {
		int b = -1;
		if (n == 16)
			memcpy(&b, buf, sizeof(b));
		if (b < 0 || b >= SIZE / 16 || memcmp(buf, buf + 8, 8))
			odd_reads++;
		else if (__atomic_fetch_add(&seen[b], 1, __ATOMIC_RELAXED))
			dup_blocks++;
	}
	return NULL;
}

static void
test_shared_offset(void)
{
	pthread_t t;
	/* Block i holds i twice, as two 8-byte words. */
	static int64_t words[SIZE / 8];
	for (int i = 0; i < SIZE / 8; i++)
		words[i] = i / 2;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CHECK("create", fd >= 0 &&
	      pwrite(fd, words, sizeof(words), 0) == sizeof(words));
	shared_fd = fd;
	lseek(fd, 0, SEEK_SET);
	pthread_create(&t, NULL, block_reader, NULL);
	block_reader(NULL);
	pthread_join(t, NULL);
	long missing = 0;
	for (int i = 0; i < SIZE / 16; i++)
		missing += seen[i] == 0;
	CHECK_EQ("two threads: blocks read twice", dup_blocks, 0);
	CHECK_EQ("two threads: blocks missed", missing, 0);
	CHECK_EQ("two threads: odd reads", odd_reads, 0);

	/* After fork the offset is the two processes'. */
	unsigned char buf[16];
	lseek(fd, 0, SEEK_SET);
	pid_t c = fork();
	if (c == 0)
		_exit(read(fd, buf, 16) == 16 && buf[0] == 0 ? 0 : 1);
	int status;
	waitpid(c, &status, 0);
	CHECK_STR("child's read", status_str(status), "exited 0");
	CHECK_EQ("the child's read moved the parent's offset",
		 lseek(fd, 0, SEEK_CUR), 16);
	CHECK_EQ("the parent reads on from there", read(fd, buf, 16), 16);
	CHECK("at block 1", buf[0] == 1 && buf[8] == 1);
	close(fd);
}

/* ---- a single-threaded read loop without the big lock --------------------- */

static void
test_read_unlocked(void)
{
	/* A child: one thread, its own table and file. */
	pid_t c = fork();
	if (c == 0) {
		unsigned char buf[16];
		int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || write_gen(fd, 9, SIZE) < 0)
			_exit(1);
		lseek(fd, 0, SEEK_SET);
		long before = bkl_acquired(), bad = 0;
		for (int i = 0; i < 5 * SIZE / 16; i++) {
			long n = read(fd, buf, 16);
			if (n == 0) {
				lseek(fd, 0, SEEK_SET);
				continue;
			}
			long at = (i % (SIZE / 16 + 1)) * 16L;
			bad += n != 16 || buf[0] != pat(at, 9);
		}
		long after = bkl_acquired();
		if (bad)
			_exit(2);
		/* 5,120 reads: locked, one acquisition each at least. */
		_exit(before < 0 || after - before < 1000 ? 0 : 3);
	}
	int status;
	waitpid(c, &status, 0);
	CHECK_STR("a read loop of one thread, off the big lock",
		  status_str(status), "exited 0");
}

/* ---- getppid once the parent has gone ------------------------------------ */

static void
test_orphan(void)
{
	int res[2], go[2], ready[2];
	CHECK_OK("pipes", pipe(res) | pipe(go) | pipe(ready));
	pid_t mid = fork();
	if (mid == 0) {
		pid_t midpid = getpid();
		pid_t grand = fork();
		if (grand == 0) {
			char c;
			int ok = getppid() == midpid;
			write(ready[1], "r", 1);
			close(go[1]);
			read(go[0], &c, 1);	/* EOF: the middle one exited */
			/* Wait for the reparenting, which follows the exit. */
			for (int i = 0; i < 10000 && getppid() != 1; i++)
				usleep(1000);
			ok &= getppid() == 1;
			write(res[1], ok ? "y" : "n", 1);
			_exit(0);
		}
		char c;
		read(ready[0], &c, 1);	/* the grandchild has seen us */
		_exit(0);	/* with go[1]: the grandchild's read ends */
	}
	close(ready[0]);
	close(ready[1]);
	close(go[1]);
	close(go[0]);
	close(res[1]);
	int status;
	waitpid(mid, &status, 0);
	char c = 0;
	CHECK_EQ("the grandchild answered", read(res[0], &c, 1), 1);
	CHECK("an orphan's getppid is the reaper's pid (init)", c == 'y');
	close(res[0]);
}

int
main(void)
{
	abi_init();
	snprintf(path, sizeof(path), "/tmp/abi-tmpfs-race-%d", (int)getpid());
	petrel = access("/proc/petrel", F_OK) == 0;
	test_race();
	test_read_unlocked();
	test_orphan();
	test_shared_offset();	/* last: it makes a second thread */
	unlink(path);
	return abi_done("tmpfs_race");
}
