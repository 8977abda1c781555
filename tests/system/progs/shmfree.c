/*
 * Guest program for system/shm-free: a System V segment removed while
 * attached gives its pages back as soon as its last attach goes, whether
 * by the attacher's exit, by munmap or by exec, as Linux's shm_close:
 * /proc/meminfo's Shmem falls back within 1 MiB of where it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIZE (8 << 20)

static long
shmem_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Shmem: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/* A removed, attached segment of SIZE bytes, all touched; its address. */
static char *
doomed_segment(void)
{
	int id = shmget(IPC_PRIVATE, SIZE, 0600);
	char *p = shmat(id, NULL, 0);
	if (id < 0 || p == (void *)-1)
		exit(2);
	memset(p, 1, SIZE);
	shmctl(id, IPC_RMID, NULL);
	return p;
}

static void
report(const char *how, long before)
{
	long now = shmem_kb();
	printf("%s: %s\n", how, now - before < 1024 ? "freed" : "kept");
}

int
main(void)
{
	long before = shmem_kb();
	char *p = doomed_segment();
	printf("attached: %s\n", shmem_kb() - before >= SIZE / 1024 ? "counted" :
	    "not counted");
	munmap(p, SIZE);
	report("munmap", before);

	pid_t child = fork();
	if (child == 0) {
		doomed_segment();
		_exit(0);
	}
	waitpid(child, NULL, 0);
	report("exit", before);

	child = fork();
	if (child == 0) {
		doomed_segment();
		execl("/bin/sleep", "sleep", "1", (char *)NULL);
		_exit(3);
	}
	usleep(300000);
	report("exec", before);
	waitpid(child, NULL, 0);
	return 0;
}
