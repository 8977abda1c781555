/*
 * Guest program for system/tmpfs-full: as uid 65534, fills memory one way
 * and reports how it ended. "memfill file PATH" writes PATH in 64 KiB
 * pieces until a write fails and prints the error and the KiB written;
 * "memfill anon" touches anonymous memory in a child until the kernel
 * refuses it a page, and prints how the child ended and the KiB it had.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHUNK (64 * 1024)

static const char *
errname(int e)
{
	return e == ENOSPC ? "ENOSPC" : e == ENOMEM ? "ENOMEM" : strerror(e);
}

static int
fill_file(const char *path)
{
	static char buf[CHUNK];
	long kib = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0) {
		perror(path);
		return 1;
	}
	memset(buf, 'x', sizeof(buf));
	for (;;) {
		ssize_t n = write(fd, buf, sizeof(buf));
		if (n < 0) {
			printf("file: %s after %ld KiB\n", errname(errno), kib);
			break;
		}
		kib += n / 1024;
	}
	close(fd);
	return 0;
}

/* The child reports its progress through a pipe, since it dies. */
static int
fill_anon(void)
{
	int p[2];
	long kib = 0, k;

	pipe(p);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		for (long done = 0;; done += CHUNK / 1024) {
			char *m = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (m == MAP_FAILED)
				_exit(2);
			for (int i = 0; i < CHUNK; i += 4096)
				m[i] = 1;
			write(p[1], &done, sizeof(done));
		}
	}
	close(p[1]);
	while (read(p[0], &k, sizeof(k)) == sizeof(k))
		kib = k;
	int status;
	waitpid(pid, &status, 0);
	if (WIFSIGNALED(status))
		printf("anon: child killed by signal %d after %ld KiB\n",
		    WTERMSIG(status), kib);
	else
		printf("anon: child exited %d\n", WEXITSTATUS(status));
	return 0;
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (setuid(65534) < 0) {
		perror("setuid");
		return 1;
	}
	if (argc == 3 && strcmp(argv[1], "file") == 0)
		return fill_file(argv[2]);
	if (argc == 2 && strcmp(argv[1], "anon") == 0)
		return fill_anon();
	fprintf(stderr, "usage: memfill file PATH | memfill anon\n");
	return 2;
}
