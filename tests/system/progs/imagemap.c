/*
 * Guest program for system/initramfs-shared: maps a file of the boot image
 * (whose pages the kernel took from the archive, not copied) shared and
 * private, and checks each mapping against read().
 *
 *   imagemap FILE    FILE: at least 3 pages, writable
 *
 * A shared read-only mapping holds the file's bytes; stores into a private
 * writable mapping change neither the file nor the shared mapping; a store
 * through a shared writable mapping is what read() then returns. Prints
 * "FILE ok"; any failure exits 1 with a message.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE 4096

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

static void
check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "imagemap: %s\n", what);
		exit(1);
	}
}

static unsigned char *
map(int fd, size_t size, int prot, int flags)
{
	void *p = mmap(NULL, size, prot, flags, fd, 0);
	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

/* The file's bytes now, through read(). */
static unsigned char *
contents(int fd, size_t size)
{
	unsigned char *buf = malloc(size);
	if (!buf)
		die("malloc");
	if (pread(fd, buf, size, 0) != (ssize_t)size)
		die("pread");
	return buf;
}

int
main(int argc, char **argv)
{
	struct stat st;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: imagemap FILE\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR);
	if (fd < 0 || fstat(fd, &st) < 0)
		die(argv[1]);
	size_t size = (size_t)st.st_size;
	check(size >= 3 * PAGE, "the file is smaller than 3 pages");
	unsigned char *before = contents(fd, size);

	unsigned char *shared = map(fd, size, PROT_READ, MAP_SHARED);
	check(memcmp(shared, before, size) == 0, "shared mapping differs from read()");

	unsigned char *priv = map(fd, size, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	priv[PAGE + 1] ^= 0xff;
	priv[size - 1] ^= 0xff;
	unsigned char *now = contents(fd, size);
	check(memcmp(now, before, size) == 0, "a private store changed the file");
	check(memcmp(shared, before, size) == 0,
	      "a private store changed the shared mapping");
	free(now);

	unsigned char *writable = map(fd, size, PROT_READ | PROT_WRITE, MAP_SHARED);
	memset(writable + 2 * PAGE, 0x5a, 16);
	now = contents(fd, size);
	check(memcmp(now + 2 * PAGE, writable + 2 * PAGE, 16) == 0 &&
	      now[2 * PAGE] == 0x5a, "read() misses a shared store");
	check(shared[2 * PAGE] == 0x5a, "the other shared mapping misses it");
	check(memcmp(now, before, 2 * PAGE) == 0 &&
	      memcmp(now + 2 * PAGE + 16, before + 2 * PAGE + 16,
		     size - 2 * PAGE - 16) == 0, "a shared store changed more");
	printf("%s ok\n", argv[1]);
	return 0;
}
