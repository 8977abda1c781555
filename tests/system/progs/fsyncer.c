/*
 * Guest program for system/fsd-crash: writes files DIR/fNNNN one after
 * another, each made durable with fsync (the file, then its directory)
 * before "synced N SIZE" is printed; the host kills QEMU at some point and
 * then checks that every file reported synced holds its exact bytes.
 * Between files it also appends to DIR/unsynced.log and rewrites
 * DIR/scratch without syncing, so that the cache holds dirty blocks of
 * other files when the machine dies.
 *
 *   fsyncer DIR [COUNT]     COUNT files (default: until killed)
 *
 * File N of size S holds the lines "N.0\n", "N.1\n"... cut at S bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK 16384

static const size_t sizes[] = { 0, 1, 1000, 4096, 5000, 70000, 300000, 12345 };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static char buf[300000 + 64];

static void
die(const char *what, const char *path)
{
	printf("fsyncer: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static size_t
content(int n, size_t size)
{
	size_t len = 0;
	for (int k = 0; len < size; k++)
		len += (size_t)sprintf(buf + len, "%d.%d\n", n, k);
	return size;
}

static void
write_all(int fd, const char *data, size_t len, const char *path)
{
	while (len > 0) {
		ssize_t w = write(fd, data, len < CHUNK ? len : CHUNK);
		if (w < 0)
			die("write", path);
		data += w;
		len -= (size_t)w;
	}
}

/* Writes path with flags and, if durable, fsyncs it before closing. */
static void
put(const char *path, int flags, const char *data, size_t len, int durable)
{
	int fd = open(path, O_WRONLY | O_CREAT | flags, 0644);
	if (fd < 0)
		die("open", path);
	write_all(fd, data, len, path);
	if (durable && fsync(fd) < 0)
		die("fsync", path);
	if (close(fd) < 0)
		die("close", path);
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: fsyncer DIR [COUNT]\n");
		return 2;
	}
	const char *dir = argv[1];
	int count = argc > 2 ? atoi(argv[2]) : 0;
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (dirfd < 0)
		die("open", dir);
	char path[4096], log[4096], scratch[4096];
	snprintf(log, sizeof(log), "%s/unsynced.log", dir);
	snprintf(scratch, sizeof(scratch), "%s/scratch", dir);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int n = 0; count == 0 || n < count; n++) {
		size_t size = content(n, sizes[n % NSIZES]);
		snprintf(path, sizeof(path), "%s/f%04d", dir, n);
		put(path, O_TRUNC, buf, size, 1);
		if (fsync(dirfd) < 0)
			die("fsync", dir);
		printf("synced %d %zu\n", n, size);
		put(log, O_APPEND, buf, size < 1000 ? size : 1000, 0);
		put(scratch, O_TRUNC, buf, size, 0);
	}
	return 0;
}
