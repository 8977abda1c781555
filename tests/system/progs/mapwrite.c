/*
 * Guest program for system/fsd-mmap: writes a file through a writable
 * MAP_SHARED mapping only (ftruncate, then stores), and checks one.
 *
 *   mapwrite write FILE SIZE SEED HOW   HOW: msync (MS_SYNC, then exit),
 *       munmap, exit (neither), kill (SIGKILL itself, neither), fork (a
 *       child stores the even pages, the parent the odd ones; both exit)
 *   mapwrite check FILE SIZE SEED       the file holds the pattern
 *
 * Byte i of the pattern of SEED is (i * 7 + SEED * 13 + i / 4096) & 0xff.
 * Prints "wrote FILE" or "FILE ok"; any failure exits 1 with a message.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096

static unsigned char
pattern(size_t i, int seed)
{
	return (unsigned char)(i * 7 + (size_t)seed * 13 + i / PAGE);
}

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

/* Stores the pattern into the pages of p whose number % step == first. */
static void
store(unsigned char *p, size_t size, int seed, size_t first, size_t step)
{
	for (size_t page = first; page * PAGE < size; page += step)
		for (size_t i = page * PAGE; i < size && i < (page + 1) * PAGE; i++)
			p[i] = pattern(i, seed);
}

static int
do_write(const char *path, size_t size, int seed, const char *how)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("open");
	if (ftruncate(fd, (off_t)size) < 0)
		die("ftruncate");
	unsigned char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
				fd, 0);
	if (p == MAP_FAILED)
		die("mmap");
	close(fd);	/* the mapping alone carries the data from here */
	if (strcmp(how, "fork") == 0) {
		pid_t pid = fork();
		if (pid == 0) {
			store(p, size, seed, 0, 2);
			_exit(0);
		}
		store(p, size, seed, 1, 2);
		int status;
		if (waitpid(pid, &status, 0) < 0 || status != 0)
			die("child");
	} else {
		store(p, size, seed, 0, 1);
	}
	printf("wrote %s\n", path);
	fflush(stdout);
	if (strcmp(how, "msync") == 0 && msync(p, size, MS_SYNC) < 0)
		die("msync");
	if (strcmp(how, "munmap") == 0 && munmap(p, size) < 0)
		die("munmap");
	if (strcmp(how, "kill") == 0)
		kill(getpid(), SIGKILL);
	return 0;
}

static int
do_check(const char *path, size_t size, int seed)
{
	static unsigned char buf[1 << 20];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		die("open");
	struct stat st;
	if (fstat(fd, &st) < 0 || (size_t)st.st_size != size) {
		printf("%s: size %lld, not %zu\n", path, (long long)st.st_size,
		       size);
		return 1;
	}
	ssize_t n = read(fd, buf, sizeof(buf));
	for (size_t i = 0; i < size && (ssize_t)i < n; i++) {
		if (buf[i] != pattern(i, seed)) {
			printf("%s: byte %zu is %u, not %u\n", path, i, buf[i],
			       pattern(i, seed));
			return 1;
		}
	}
	if ((size_t)n != size) {
		printf("%s: read %zd bytes\n", path, n);
		return 1;
	}
	printf("%s ok\n", path);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 6 && strcmp(argv[1], "write") == 0)
		return do_write(argv[2], strtoul(argv[3], NULL, 0),
				atoi(argv[4]), argv[5]);
	if (argc == 5 && strcmp(argv[1], "check") == 0)
		return do_check(argv[2], strtoul(argv[3], NULL, 0),
				atoi(argv[4]));
	fprintf(stderr, "usage: mapwrite write FILE SIZE SEED HOW | "
			"mapwrite check FILE SIZE SEED\n");
	return 2;
}
