/*
 * fsbench: file system figures for the storage benchmark (bench/run,
 * docs/performance.md "Storage"). One static program that runs unchanged
 * in Petrel (on fsd's /data) and in the Linux guest (its ext2 mount); it
 * times itself inside the guest with CLOCK_MONOTONIC and prints one line
 * per figure, "fsbench KEY VALUE", then "fsbench done".
 *
 *   fsbench [-s MIB] [-n FILES] [-f FSYNCS] DIR
 *
 *   seqwrite   a MIB (default 64) MiB file in 1 MiB writes, then fsync:
 *              MB/s including the fsync (MB = 10^6 bytes)
 *   seqread    the file read back in 1 MiB reads, cold (after the page
 *              cache is dropped where there is one: Linux's
 *              /proc/sys/vm/drop_caches) and again warm
 *   create     FILES (default 2000) files of 1 KiB in a new directory
 *              (open O_CREAT, write, close), then sync(): files/s
 *   unlink     the same files unlinked, then sync(): files/s
 *   fsync      FSYNCS (default 200) times a 4 KiB pwrite at a random
 *              4 KiB-aligned offset of a 1 MiB file, then fsync: median
 *              and 90th percentile in microseconds
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define IO_SIZE (1 << 20)
#define SMALL_SIZE 1024
#define FSYNC_FILE (1 << 20)
#define FSYNC_IO 4096
#define FSYNC_MAX 100000

static char buf[IO_SIZE];
static const char *dir;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
die(const char *what, const char *path)
{
	fprintf(stderr, "fsbench: %s %s: %s\n", what, path ? path : "",
		strerror(errno));
	exit(1);
}

static void
path_of(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", dir, name);
}

static void
write_all(int fd, const char *p, size_t n, const char *path)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("write", path);
		p += w;
		n -= w;
	}
}

/* Writes what the kernel holds back, then forgets its page cache (Linux). */
static const char *
drop_caches(void)
{
	int fd;

	sync();
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd < 0)
		return "none";		/* Petrel: the kernel caches no data */
	if (write(fd, "3\n", 2) != 2) {
		close(fd);
		return "failed";
	}
	close(fd);
	return "dropped";
}

static void
seq_write(const char *path, long mib)
{
	double t0, t1, t2;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("open", path);
	t0 = now();
	for (long i = 0; i < mib; i++)
		write_all(fd, buf, IO_SIZE, path);
	t1 = now();
	if (fsync(fd) < 0)
		die("fsync", path);
	t2 = now();
	close(fd);
	printf("fsbench seqwrite_mbs %.1f\n", mib * (double)IO_SIZE / 1e6 / (t2 - t0));
	printf("fsbench seqwrite_fsync_ms %.1f\n", (t2 - t1) * 1e3);
}

/* Reads the file through; MB/s. */
static double
seq_read(const char *path, long mib)
{
	double t0, t1;
	long long total = 0;
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		die("open", path);
	t0 = now();
	while ((r = read(fd, buf, IO_SIZE)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("read", path);
		total += r;
	}
	t1 = now();
	close(fd);
	if (total != mib * (long long)IO_SIZE) {
		fprintf(stderr, "fsbench: %s: read %lld bytes\n", path, total);
		exit(1);
	}
	return total / 1e6 / (t1 - t0);
}

static void
small_files(long n)
{
	char sub[4096], path[4200];
	double t0, t1;

	path_of(sub, sizeof(sub), "small");
	if (mkdir(sub, 0755) < 0 && errno != EEXIST)
		die("mkdir", sub);
	t0 = now();
	for (long i = 0; i < n; i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/f%06ld", sub, i);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			die("open", path);
		write_all(fd, buf, SMALL_SIZE, path);
		close(fd);
	}
	sync();
	t1 = now();
	printf("fsbench create_per_s %.0f\n", n / (t1 - t0));
	t0 = now();
	for (long i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%06ld", sub, i);
		if (unlink(path) < 0)
			die("unlink", path);
	}
	sync();
	t1 = now();
	printf("fsbench unlink_per_s %.0f\n", n / (t1 - t0));
	rmdir(sub);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The same offsets on every run and every system: a fixed xorshift. */
static uint32_t
next_random(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void
fsync_latency(long iters)
{
	static double lat[FSYNC_MAX];
	char path[4200];
	uint32_t seed = 2463534242u;
	int fd;

	path_of(path, sizeof(path), "fsync.dat");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("open", path);
	write_all(fd, buf, FSYNC_FILE, path);
	if (fsync(fd) < 0)
		die("fsync", path);
	for (long i = 0; i < iters; i++) {
		off_t off = (off_t)(next_random(&seed) % (FSYNC_FILE / FSYNC_IO)) *
			    FSYNC_IO;
		double t0 = now();

		buf[0] = (char)i;
		if (pwrite(fd, buf, FSYNC_IO, off) != FSYNC_IO)
			die("pwrite", path);
		if (fsync(fd) < 0)
			die("fsync", path);
		lat[i] = (now() - t0) * 1e6;
	}
	close(fd);
	unlink(path);
	qsort(lat, iters, sizeof(lat[0]), cmp_double);
	printf("fsbench fsync_median_us %.0f\n", lat[iters / 2]);
	printf("fsbench fsync_p90_us %.0f\n", lat[iters * 9 / 10]);
}

static void
usage(void)
{
	fprintf(stderr, "usage: fsbench [-s MIB] [-n FILES] [-f FSYNCS] DIR\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	long mib = 64, files = 2000, fsyncs = 200;
	char path[4200];
	int opt;

	while ((opt = getopt(argc, argv, "s:n:f:")) != -1) {
		switch (opt) {
		case 's': mib = atol(optarg); break;
		case 'n': files = atol(optarg); break;
		case 'f': fsyncs = atol(optarg); break;
		default: usage();
		}
	}
	if (optind != argc - 1 || mib < 1 || files < 1 || fsyncs < 1 ||
	    fsyncs > FSYNC_MAX)
		usage();
	dir = argv[optind];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 7 + 1);
	setvbuf(stdout, NULL, _IOLBF, 0);

	path_of(path, sizeof(path), "seq.dat");
	seq_write(path, mib);
	printf("fsbench drop_caches %s\n", drop_caches());
	printf("fsbench seqread_cold_mbs %.1f\n", seq_read(path, mib));
	printf("fsbench seqread_warm_mbs %.1f\n", seq_read(path, mib));
	if (unlink(path) < 0)
		die("unlink", path);
	sync();
	small_files(files);
	fsync_latency(fsyncs);
	printf("fsbench done\n");
	return 0;
}
