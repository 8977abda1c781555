/*
 * System V shared memory: shmget's size checks and keys; shmat shared
 * across fork and between two attaches, SHM_RDONLY (a store faults,
 * mprotect cannot add PROT_WRITE), SHM_RND and SHMLBA alignment,
 * SHM_REMAP, an address in use; shm_nattch through attach, fork, detach
 * and exit; IPC_RMID of an attached segment (SHM_DEST, the key gone, the
 * id usable until the last detach); shmdt's checks; /proc/self/maps's
 * "/SYSV%08x (deleted)"; SHM_LOCK; another user's permissions.
 */
#include "abi.h"

#include <setjmp.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>

#define PAGE 4096
#define KEY 0x5e1f0003

static long
nattch(int id)
{
	struct shmid_ds ds;
	if (shmctl(id, IPC_STAT, &ds) < 0)
		return -errno;
	return (long)ds.shm_nattch;
}

static void
test_get(void)
{
	CHECK_ERR("size 0", shmget(IPC_PRIVATE, 0, 0600), EINVAL);
	/* A Linux with huge pages (the host, usually) has nothing to compare
	 * with: it prints the line a Linux without them gives. */
	if (access("/sys/kernel/mm/hugepages", F_OK) != 0)
		CHECK_ERR("SHM_HUGETLB without huge pages", shmget(IPC_PRIVATE,
		    PAGE, SHM_HUGETLB | 0600), EINVAL);
	else
		CHECK_STR("SHM_HUGETLB without huge pages", "EINVAL", "EINVAL");
	int old = shmget(KEY, 0, 0);
	if (old >= 0)
		shmctl(old, IPC_RMID, NULL);
	int id = shmget(KEY, 5000, IPC_CREAT | 0600);
	CHECK("shmget with a key", id >= 0);
	CHECK_ERR("asking more than its size", shmget(KEY, 9000, 0600), EINVAL);
	CHECK("asking less finds it", shmget(KEY, 100, 0600) == id);
	CHECK_ERR("IPC_EXCL", shmget(KEY, 100, IPC_CREAT | IPC_EXCL | 0600),
	    EEXIST);
	struct shmid_ds ds;
	shmctl(id, IPC_STAT, &ds);
	CHECK_EQ("shm_segsz", ds.shm_segsz, 5000);
	CHECK_EQ("shm_nattch", ds.shm_nattch, 0);
	CHECK_EQ("mode", ds.shm_perm.mode, 0600);
	CHECK_EQ("shm_atime", ds.shm_atime, 0);
	CHECK_EQ("IPC_RMID", shmctl(id, IPC_RMID, NULL), 0);
	CHECK_EQ("the id after", nattch(id), -EINVAL);
	CHECK_ERR("a bad command", shmctl(0, 99, NULL), EINVAL);
	struct shminfo info;
	CHECK("IPC_INFO", shmctl(0, IPC_INFO, (struct shmid_ds *)&info) >= 0 &&
	    info.shmmni == 4096 && info.shmmin == 1);
}

static void
test_attach(void)
{
	int id = shmget(IPC_PRIVATE, 2 * PAGE, 0600);
	char *a = shmat(id, NULL, 0);
	CHECK("shmat", a != (void *)-1);
	CHECK_EQ("zero-filled", a[100] | a[PAGE + 5], 0);
	strcpy(a, "hello");
	CHECK_EQ("nattch 1", nattch(id), 1);
	char *b = shmat(id, NULL, SHM_RDONLY);
	CHECK_STR("a second attach sees the first's store", b, "hello");
	CHECK_EQ("nattch 2", nattch(id), 2);
	CHECK_ERR("mprotect cannot make SHM_RDONLY writable",
	    mprotect(b, PAGE, PROT_READ | PROT_WRITE), EACCES);
	pid_t child = fork();
	if (child == 0) {
		if (nattch(id) != 4)
			_exit(2);
		strcpy(a + PAGE, "child");
		b[0] = 'x';	/* SIGSEGV */
		_exit(0);
	}
	int status;
	waitpid(child, &status, 0);
	CHECK_STR("a store to SHM_RDONLY", status_str(status),
	    "killed by SIGSEGV");
	CHECK_STR("the child's store is shared", a + PAGE, "child");
	CHECK_EQ("nattch after the child's exit", nattch(id), 2);
	CHECK_EQ("shmdt", shmdt(b), 0);
	CHECK_EQ("nattch after shmdt", nattch(id), 1);
	CHECK_ERR("shmdt again", shmdt(b), EINVAL);
	CHECK_ERR("shmdt of an unaligned address", shmdt(a + 1), EINVAL);
	CHECK_ERR("shmdt inside the segment", shmdt(a + PAGE), EINVAL);

	CHECK_ERR("an address in use", (long)shmat(id, a, 0), EINVAL);
	char *again = shmat(id, a, SHM_REMAP);
	CHECK("SHM_REMAP over it", again == a);
	CHECK_ERR("SHM_REMAP without an address", (long)shmat(id, NULL,
	    SHM_REMAP), EINVAL);
	char *free_area = mmap(NULL, 8 * PAGE, PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(free_area, 8 * PAGE);
	CHECK_ERR("an unaligned address", (long)shmat(id, free_area + 1, 0),
	    EINVAL);
	char *rounded = shmat(id, free_area + 2 * PAGE + 17, SHM_RND);
	CHECK("SHM_RND rounds down", rounded == free_area + 2 * PAGE);
	CHECK_STR("and maps the same pages", rounded == (void *)-1 ? "" :
	    rounded, "hello");

	char line[256], want[64];
	struct shmid_ds ds;
	shmctl(id, IPC_STAT, &ds);
	snprintf(want, sizeof(want), "/SYSV%08x (deleted)", ds.shm_perm.__key);
	FILE *maps = fopen("/proc/self/maps", "r");
	int named = 0, by_id = 0;
	while (maps && fgets(line, sizeof(line), maps)) {
		unsigned long inode = 0;
		if (!strstr(line, want))
			continue;
		named++;
		if (sscanf(line, "%*s %*s %*s %*s %lu", &inode) == 1 &&
		    inode == (unsigned long)id)
			by_id++;
	}
	if (maps)
		fclose(maps);
	CHECK_EQ("/proc/self/maps names both", named, 2);
	CHECK_EQ("with the id as inode", by_id, 2);

	shmdt(rounded);
	CHECK_EQ("IPC_RMID while attached", shmctl(id, IPC_RMID, NULL), 0);
	shmctl(id, IPC_STAT, &ds);
	CHECK_EQ("SHM_DEST set", ds.shm_perm.mode & 01000, 01000);
	CHECK_EQ("nattch still 1", ds.shm_nattch, 1);
	CHECK_STR("the memory stays", a, "hello");
	CHECK_EQ("the last shmdt", shmdt(a), 0);
	CHECK_ERR("the id is gone", shmctl(id, IPC_STAT, &ds), EINVAL);
}

static void
test_key_after_rmid(void)
{
	int old = shmget(KEY + 1, 0, 0);
	if (old >= 0)
		shmctl(old, IPC_RMID, NULL);
	int id = shmget(KEY + 1, PAGE, IPC_CREAT | 0600);
	void *p = shmat(id, NULL, 0);
	shmctl(id, IPC_RMID, NULL);
	struct shmid_ds ds;
	shmctl(id, IPC_STAT, &ds);
	CHECK_EQ("the key of a removed segment", ds.shm_perm.__key, 0);
	CHECK_ERR("the key finds nothing", shmget(KEY + 1, PAGE, 0600), ENOENT);
	void *q = shmat(id, NULL, 0);
	CHECK("the id still attaches", q != (void *)-1);
	shmdt(q);
	pid_t child = fork();
	if (child == 0)
		_exit(0);
	int status;
	waitpid(child, &status, 0);
	CHECK_EQ("a forked child's exit detaches", nattch(id), 1);
	shmdt(p);
	CHECK_EQ("gone after the last detach", nattch(id), -EINVAL);
}

static void
test_perms(void)
{
	int id = shmget(IPC_PRIVATE, PAGE, 0604);
	pid_t child = fork();
	if (child == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(8);
		int bad = 0;
		bad |= (shmat(id, NULL, 0) != (void *)-1 || errno != EACCES);
		bad |= (shmat(id, NULL, SHM_RDONLY) == (void *)-1) << 1;
		bad |= (shmctl(id, IPC_RMID, NULL) != -1 || errno != EPERM) << 2;
		bad |= (shmctl(id, SHM_LOCK, NULL) != -1 || errno != EPERM) << 3;
		_exit(bad);
	}
	int status;
	waitpid(child, &status, 0);
	CHECK_STR("another user may attach read-only only", status_str(status),
	    "exited 0");
	CHECK_EQ("SHM_LOCK", shmctl(id, SHM_LOCK, NULL), 0);
	struct shmid_ds ds;
	shmctl(id, IPC_STAT, &ds);
	CHECK_EQ("SHM_LOCKED set", ds.shm_perm.mode & 02000, 02000);
	CHECK_EQ("SHM_UNLOCK", shmctl(id, SHM_UNLOCK, NULL), 0);
	shmctl(id, IPC_RMID, NULL);
}

int
main(void)
{
	abi_init();
	test_get();
	test_attach();
	test_key_after_rmid();
	test_perms();
	return abi_done("sysv_shm");
}
