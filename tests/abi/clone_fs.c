/*
 * clone's CLONE_FS: a child made with it shares the working directory,
 * the root directory and the umask with its parent (Linux's fs_struct),
 * each side's chdir, fchdir, chroot and umask seen by the other; kcmp's
 * KCMP_FS tells the sharers apart from a fork's child; unshare(CLONE_FS)
 * gives the caller its own copy again; CLONE_FS with CLONE_NEWNS is
 * EINVAL (LTP's kcmp03).
 */
#include "abi.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define KCMP_FS 3
#define STACK_SIZE (64 * 1024)

static char stack[STACK_SIZE] __attribute__((aligned(16)));
static char dir_a[64], dir_b[64];

/* The child's part: what the argument names. */
enum { CHDIR_UMASK, FCHDIR, UNSHARE_CHDIR, CHROOT, WAIT_PARENT };

static int pipe_fd[2];

static int
child(void *arg)
{
	switch ((int)(long)arg) {
	case CHDIR_UMASK:
		if (chdir(dir_a) < 0)
			return 1;
		umask(027);
		return 0;
	case FCHDIR: {
		int fd = open(dir_b, O_RDONLY | O_DIRECTORY);
		return fd < 0 || fchdir(fd) < 0 ? 1 : 0;
	}
	case UNSHARE_CHDIR:
		if (unshare(CLONE_FS) < 0)
			return 2;
		umask(0777);
		return chdir("/") < 0 ? 1 : 0;
	case CHROOT:
		return chroot(dir_a) < 0 ? 1 : 0;
	case WAIT_PARENT: {
		char c;
		/* The parent has changed directory meanwhile. */
		if (read(pipe_fd[0], &c, 1) != 1)
			return 1;
		char buf[256];
		if (!getcwd(buf, sizeof(buf)))
			return 2;
		return strcmp(buf, dir_b) == 0 ? 0 : 3;
	}
	}
	return 9;
}

static pid_t
spawn(int flags, int what)
{
	return clone(child, stack + STACK_SIZE, flags | SIGCHLD,
		     (void *)(long)what);
}

static const char *
cwd(void)
{
	static char buf[256];
	if (!getcwd(buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "getcwd: %s", errno_name(errno));
	else if (!strcmp(buf, dir_a))
		strcpy(buf, "dir a");
	else if (!strcmp(buf, dir_b))
		strcpy(buf, "dir b");
	return buf;
}

static mode_t
current_umask(void)
{
	mode_t m = umask(0);
	umask(m);
	return m;
}

/* The Umask line of /proc/self/status. */
static const char *
status_umask(void)
{
	static char line[64];
	char buf[256];
	FILE *f = fopen("/proc/self/status", "r");
	strcpy(line, "none");
	while (f && fgets(buf, sizeof(buf), f))
		if (!strncmp(buf, "Umask:", 6)) {
			buf[strcspn(buf, "\n")] = 0;
			strcpy(line, buf);
		}
	if (f)
		fclose(f);
	return line;
}

static void
test_shared(void)
{
	CHECK_OK("chdir /", chdir("/"));
	umask(022);
	pid_t pid = spawn(CLONE_FS, CHDIR_UMASK);
	CHECK_STR("child chdir and umask", status_str(abi_wait(pid)),
		  "exited 0");
	CHECK_STR("parent's cwd moved with it", cwd(), "dir a");
	CHECK_EQ("parent's umask too", current_umask(), 027);
	CHECK_STR("/proc/self/status", status_umask(), "Umask:\t0027");

	pid = spawn(CLONE_FS, FCHDIR);
	CHECK_STR("child fchdir", status_str(abi_wait(pid)), "exited 0");
	CHECK_STR("parent's cwd after fchdir", cwd(), "dir b");

	/* The parent's change seen by the child. */
	CHECK_OK("chdir dir a", chdir(dir_a));
	CHECK_OK("pipe", pipe(pipe_fd));
	pid = spawn(CLONE_FS, WAIT_PARENT);
	CHECK_OK("parent chdir dir b", chdir(dir_b));
	CHECK_EQ("wake child", write(pipe_fd[1], "x", 1), 1);
	CHECK_STR("child sees the parent's chdir", status_str(abi_wait(pid)),
		  "exited 0");
	close(pipe_fd[0]);
	close(pipe_fd[1]);
}

static void
test_not_shared(void)
{
	CHECK_OK("chdir /", chdir("/"));
	umask(022);
	pid_t pid = spawn(0, CHDIR_UMASK);
	CHECK_STR("fork-like child chdir", status_str(abi_wait(pid)),
		  "exited 0");
	CHECK_STR("parent's cwd stays", cwd(), "/");
	CHECK_EQ("parent's umask stays", current_umask(), 022);

	CHECK_OK("chdir dir b", chdir(dir_b));
	pid = spawn(CLONE_FS, UNSHARE_CHDIR);
	CHECK_STR("child unshare(CLONE_FS), chdir", status_str(abi_wait(pid)),
		  "exited 0");
	CHECK_STR("parent's cwd after the child unshared", cwd(), "dir b");
	CHECK_EQ("parent's umask after the child unshared", current_umask(),
		 022);
	CHECK_OK("chdir /", chdir("/"));
}

/* A CLONE_FS child's chroot moves its parent's root: done in a process
 * of its own, which reports whether it found the marker file at "/". */
static void
test_chroot(void)
{
	char marker[96];
	snprintf(marker, sizeof(marker), "%s/marker", dir_a);
	int fd = open(marker, O_CREAT | O_WRONLY, 0600);
	CHECK("marker", fd >= 0);
	close(fd);
	pid_t helper = fork();
	if (helper == 0) {
		pid_t pid = spawn(CLONE_FS, CHROOT);
		int status = abi_wait(pid);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			_exit(2);
		_exit(access("/marker", F_OK) == 0 ? 0 : 3);
	}
	CHECK_STR("child's chroot is the parent's", status_str(abi_wait(helper)),
		  "exited 0");
	unlink(marker);
}

static long
kcmp_fs(pid_t a, pid_t b)
{
	return syscall(SYS_kcmp, a, b, KCMP_FS, 0, 0);
}

static void
test_kcmp(void)
{
	CHECK_OK("pipe", pipe(pipe_fd));
	pid_t shared = spawn(CLONE_FS, WAIT_PARENT);
	pid_t own = spawn(0, WAIT_PARENT);
	CHECK_EQ("kcmp KCMP_FS, CLONE_FS child", kcmp_fs(getpid(), shared), 0);
	long r = kcmp_fs(getpid(), own);
	CHECK("kcmp KCMP_FS, child of its own: 1 or 2", r == 1 || r == 2);
	r = kcmp_fs(shared, own);
	CHECK("kcmp KCMP_FS, the two children: 1 or 2", r == 1 || r == 2);
	CHECK_OK("chdir dir b", chdir(dir_b));
	CHECK_EQ("wake children", write(pipe_fd[1], "xx", 2), 2);
	CHECK_STR("CLONE_FS child sees dir b", status_str(abi_wait(shared)),
		  "exited 0");
	CHECK_STR("other child does not", status_str(abi_wait(own)),
		  "exited 3");
	close(pipe_fd[0]);
	close(pipe_fd[1]);
	CHECK_OK("chdir /", chdir("/"));
}

static void
test_refused(void)
{
	CHECK_ERR("CLONE_FS | CLONE_NEWNS",
		  spawn(CLONE_FS | CLONE_NEWNS, CHDIR_UMASK), EINVAL);
}

int
main(void)
{
	abi_init();
	abi_tmpname(dir_a, sizeof(dir_a), "clonefs-a");
	abi_tmpname(dir_b, sizeof(dir_b), "clonefs-b");
	CHECK_OK("mkdir a", mkdir(dir_a, 0755));
	CHECK_OK("mkdir b", mkdir(dir_b, 0755));
	test_shared();
	test_not_shared();
	test_chroot();
	test_kcmp();
	test_refused();
	rmdir(dir_a);
	rmdir(dir_b);
	return abi_done("clone_fs");
}
