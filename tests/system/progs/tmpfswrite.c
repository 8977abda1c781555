/*
 * Writes to tmpfs files without the big lock (docs/kernel.md, "Calls
 * without the big lock": write, pwrite64 and writev of a tmpfs file into
 * pages it has). Prints "tmpfswrite: ok" or why not.
 *   calls   N appends (O_WRONLY | O_APPEND) of one process to its own
 *           file, N more to a file it shares with a child (a server's
 *           log), N pwrites into a page of one and N two-piece writevs
 *           to its own file: the CPUs' big-lock acquisitions
 *           (/proc/petrel/bkl) grow by fewer than N / 10 for each (a
 *           page to allocate, one write in 68, and the counter's reads
 *           take it; the locked write took it N times), the least of
 *           three runs.
 *   appends two processes, one with its own open file and one sharing a
 *           third's, append RECS records each to one file at once, each
 *           on a CPU of its own: the
 *           file holds every record whole, each writer's in order (up
 *           to five rounds, till they took 100 turns or more).
 *   full    a tmpfs mounted with size=8k takes 8,192 bytes of 100-byte
 *           appends (the last one short), then says ENOSPC.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bkl.h"
#include "smp.h"

#define N 2000
#define RECS 20000
#define REC 64
#define LOG "/tmp/tmpfswrite.log"

static void
fail(const char *what, long got)
{
	printf("tmpfswrite: %s (%ld, errno %d)\n", what, got, errno);
	exit(1);
}

static unsigned long long
acquisitions(void)
{
	return bkl_acquired_or_exit("tmpfswrite");
}

/* Runs calls(fd) three times: the fewest big-lock acquisitions one run
 * of N took (the other CPU's takes come and go); fails past N / 10. */
static void
took(const char *kind, int fd, void (*calls)(int))
{
	unsigned long long least = ~0ull;
	for (int run = 0; run < 3; run++) {
		unsigned long long before = acquisitions();
		calls(fd);
		unsigned long long n = acquisitions() - before;
		least = n < least ? n : least;
	}
	printf("tmpfswrite: %d %s took the big lock %llu times\n", N, kind,
	       least);
	if (least >= N / 10)
		fail(kind, (long)least);
}

static char rec[60];

static void
appends(int fd)
{
	for (int i = 0; i < N; i++)
		if (write(fd, rec, sizeof(rec)) != sizeof(rec))
			fail("append", i);
}

static void
pwrites(int fd)
{
	for (int i = 0; i < N; i++)
		if (pwrite(fd, rec, sizeof(rec), (i % 60) * 64) != sizeof(rec))
			fail("pwrite", i);
}

static void
writevs(int fd)
{
	struct iovec v[2] = { { rec, 20 }, { rec, 40 } };
	for (int i = 0; i < N; i++)
		if (writev(fd, v, 2) != sizeof(rec))
			fail("writev", i);
}

static void
test_calls(void)
{
	memset(rec, 'c', sizeof(rec));
	int fd = open(LOG, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC, 0644);
	took("appends", fd, appends);
	close(fd);

	fd = open(LOG, O_WRONLY | O_APPEND | O_TRUNC);
	pid_t c = fork();
	if (c == 0) {
		pause();	/* holds the open file, as a server's worker */
		_exit(0);
	}
	took("appends to a shared file", fd, appends);
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	close(fd);

	fd = open(LOG, O_RDWR | O_TRUNC);
	took("pwrites", fd, pwrites);
	took("writevs", fd, writevs);
	close(fd);
}

/* Appends RECS records "W <who> <seq>" padded to REC bytes, after go. */
static pid_t
appender(int who, int fd, int go)
{
	pid_t c = fork();
	if (c != 0)
		return c;
	char rec[REC + 1], x;
	if (fd < 0)
		fd = open(LOG, O_WRONLY | O_APPEND);
	pin(who);	/* the two on two CPUs at once */
	read(go, &x, 1);
	for (int i = 0; i < RECS; i++) {
		snprintf(rec, sizeof(rec), "W %d %06d %-*s\n", who, i, REC - 12,
			 "");
		if (write(fd, rec, REC) != REC)
			_exit(2);
	}
	_exit(0);
}

/* One round of test_appends: how often the writers took turns. */
static int
append_round(void)
{
	int go[2];
	pipe(go);
	int shared = open(LOG, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC, 0644);
	pid_t a = appender(0, -1, go[0]);
	pid_t b = appender(1, shared, go[0]);
	write(go[1], "gg", 2);
	int sa, sb;
	waitpid(a, &sa, 0);
	waitpid(b, &sb, 0);
	if (sa != 0 || sb != 0)
		fail("an appender failed", sa | sb);
	close(shared);
	static char buf[2 * RECS * REC + 1];
	int fd = open(LOG, O_RDONLY);
	long n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n != 2 * RECS * REC)
		fail("the file's size", n);
	int next[2] = { 0, 0 }, last = -1, turns = 0;
	for (long at = 0; at < n; at += REC) {
		int who, seq;
		if (sscanf(buf + at, "W %d %d", &who, &seq) != 2 || who < 0 ||
		    who > 1 || seq != next[who] || buf[at + REC - 1] != '\n')
			fail("a record cut or out of order at", at);
		next[who]++;
		turns += who != last;
		last = who;
	}
	return turns;
}

/* Rounds until the two raced (one after the other is a turn or two). */
static void
test_appends(void)
{
	int turns = 0;
	for (int round = 0; round < 5 && turns < 100; round++)
		turns = append_round();
	printf("tmpfswrite: %d records whole, each writer's in order, "
	       "%d turns\n", 2 * RECS, turns);
}

static void
test_full(void)
{
	char rec[100];
	memset(rec, 'f', sizeof(rec));
	mkdir("/tmp/small", 0755);
	if (mount("none", "/tmp/small", "tmpfs", 0, "size=8k") < 0)
		fail("mount size=8k", -1);
	int fd = open("/tmp/small/f", O_WRONLY | O_APPEND | O_CREAT, 0644);
	long total = 0, r;
	while ((r = write(fd, rec, sizeof(rec))) > 0)
		total += r;
	if (r != -1 || errno != ENOSPC || total != 8192)
		fail("a full tmpfs: bytes written", total);
	printf("tmpfswrite: size=8k took 8192 bytes, then ENOSPC\n");
	close(fd);
	umount("/tmp/small");
}

int
main(void)
{
	test_calls();
	printf("tmpfswrite: ok calls\n");
	test_appends();
	printf("tmpfswrite: ok appends\n");
	test_full();
	printf("tmpfswrite: ok full\n");
	unlink(LOG);
	printf("tmpfswrite: ok\n");
	return 0;
}
