/*
 * bench/a64exec.c: the guest instructions of an exec of a static program
 * on aarch64, under QEMU's -icount shift=0 (one virtual nanosecond per
 * instruction, read from the generic timer's virtual counter): fork,
 * execve and wait of this same program, which exits at once, N times.
 * "warm": the same file each time, its text pages synced for instruction
 * fetch by the first run; "cold": a fresh copy written with write() each
 * time, every page of it new (docs/performance-boot.md, "AArch64:
 * instruction cache syncs"). Built by hand: aarch64-linux-gnu-gcc -static -O2.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned long
cntvct(void)
{
	unsigned long v;
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

static unsigned long
cntfrq(void)
{
	unsigned long v;
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

static void
copy(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY);
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		write(out, buf, n);
	close(in);
	close(out);
}

/* Virtual nanoseconds of a fork, execve of path and wait. */
static unsigned long
one_exec(const char *path)
{
	unsigned long t0 = cntvct();
	pid_t pid = fork();
	if (pid == 0) {
		execl(path, path, "child", (char *)NULL);
		_exit(99);
	}
	int status;
	waitpid(pid, &status, 0);
	unsigned long t = cntvct() - t0;
	return t * 1000000000ul / cntfrq();
}

int
main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "child"))
		return 0;
	int n = argc > 1 ? atoi(argv[1]) : 20;
	const char *dir = argc > 2 ? argv[2] : "/tmp";
	char path[256];
	unsigned long warm = 0, cold = 0;
	snprintf(path, sizeof(path), "%s/a64exec-warm", dir);
	copy("/proc/self/exe", path);
	one_exec(path);		/* its pages in, synced */
	for (int i = 0; i < n; i++)
		warm += one_exec(path);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/a64exec-cold%d", dir, i);
		copy("/proc/self/exe", path);
		cold += one_exec(path);
		unlink(path);
	}
	printf("a64exec: warm %lu cold %lu instructions per exec (%d each)\n",
	       warm / n, cold / n, n);
	return 0;
}
