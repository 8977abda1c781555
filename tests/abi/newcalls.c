/*
 * Small calls of the Linux releases after 6.1: get_robust_list gives back
 * what set_robust_list stored (ESRCH, EPERM, EFAULT as Linux);
 * ioprio_get/ioprio_set keep a thread's I/O priority (class NONE at
 * first, a level with NONE is EINVAL, RT for root only, inherited by a
 * child); futimesat sets times relative to a directory fd; epoll_pwait2
 * takes a timespec; vhangup is EPERM for a user, 0 for root without a
 * terminal; a CPU-time clock id of a thread or a process reads its time;
 * fcntl's F_CREATED_QUERY tells whether the open made the file.
 */
#include "abi.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/time.h>

#ifndef SYS_ioprio_get
#define SYS_ioprio_get 252
#define SYS_ioprio_set 251
#endif
#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

#define DIR_PATH "/tmp/abi_newcalls_dir"
#define IOPRIO(class, level) ((class) << 13 | (level))
#define WHO_PROCESS 1
#define CLASS_RT 1
#define CLASS_BE 2
#define CLASS_IDLE 3

static void
robust_list(void)
{
	uint64_t head_space[3] = { 0 };
	void *head = 0;
	size_t len = 0;
	CHECK_OK("set_robust_list",
		 syscall(SYS_set_robust_list, head_space, sizeof(head_space)));
	CHECK_OK("get_robust_list", syscall(SYS_get_robust_list, 0, &head, &len));
	CHECK("the head set", head == (void *)head_space);
	CHECK_EQ("its length", len, 24);
	CHECK_ERR("set with another length",
		  syscall(SYS_set_robust_list, head_space, 16), EINVAL);
	CHECK_ERR("no thread", syscall(SYS_get_robust_list, 999999, &head, &len),
		  ESRCH);
	CHECK_ERR("a bad length pointer",
		  syscall(SYS_get_robust_list, 0, &head, 8), EFAULT);
	CHECK_ERR("a bad head pointer",
		  syscall(SYS_get_robust_list, 0, 8, &len), EFAULT);
	pid_t pid = fork();
	if (pid == 0) {
		setuid(65534);
		_exit(syscall(SYS_get_robust_list, 1, &head, &len) < 0 ?
			      errno : 0);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK_STR("another user's (init's)", errno_name(WEXITSTATUS(status)),
		  "EPERM");
}

static void
ioprio(void)
{
	CHECK_EQ("ioprio at first", syscall(SYS_ioprio_get, WHO_PROCESS, 0), 0);
	CHECK_OK("set best-effort 3", syscall(SYS_ioprio_set, WHO_PROCESS, 0,
					      IOPRIO(CLASS_BE, 3)));
	CHECK_EQ("read back", syscall(SYS_ioprio_get, WHO_PROCESS, 0),
		 IOPRIO(CLASS_BE, 3));
	CHECK_EQ("by pid", syscall(SYS_ioprio_get, WHO_PROCESS, getpid()),
		 IOPRIO(CLASS_BE, 3));
	pid_t pid = fork();
	if (pid == 0)
		_exit(syscall(SYS_ioprio_get, WHO_PROCESS, 0) == IOPRIO(CLASS_BE, 3));
	int status;
	waitpid(pid, &status, 0);
	CHECK_EQ("a child inherits it", WEXITSTATUS(status), 1);
	CHECK_ERR("NONE with a level", syscall(SYS_ioprio_set, WHO_PROCESS, 0,
					       IOPRIO(0, 1)), EINVAL);
	CHECK_ERR("class 4", syscall(SYS_ioprio_set, WHO_PROCESS, 0,
				     IOPRIO(4, 0)), EINVAL);
	CHECK_ERR("which 0", syscall(SYS_ioprio_get, 0, 0), EINVAL);
	CHECK_ERR("which 4", syscall(SYS_ioprio_set, 4, 0, 0), EINVAL);
	CHECK_ERR("no process", syscall(SYS_ioprio_get, WHO_PROCESS, 999999),
		  ESRCH);
	CHECK_OK("idle 7", syscall(SYS_ioprio_set, WHO_PROCESS, 0,
				   IOPRIO(CLASS_IDLE, 7)));
	CHECK_OK("root: real-time 0", syscall(SYS_ioprio_set, WHO_PROCESS, 0,
					      IOPRIO(CLASS_RT, 0)));
	CHECK_EQ("group: the best of it", syscall(SYS_ioprio_get, 2, 0),
		 IOPRIO(CLASS_RT, 0));
	pid = fork();
	if (pid == 0) {
		setuid(65534);
		_exit(syscall(SYS_ioprio_set, WHO_PROCESS, 0,
			      IOPRIO(CLASS_RT, 1)) < 0 ? errno : 0);
	}
	waitpid(pid, &status, 0);
	CHECK_STR("a user: real-time", errno_name(WEXITSTATUS(status)), "EPERM");
	CHECK_OK("back to NONE", syscall(SYS_ioprio_set, WHO_PROCESS, 0, 0));
	CHECK_EQ("read back NONE", syscall(SYS_ioprio_get, WHO_PROCESS, 0), 0);
}

static void
futimesat_call(void)
{
	mkdir(DIR_PATH, 0755);
	int dir = open(DIR_PATH, O_RDONLY | O_DIRECTORY);
	int fd = openat(dir, "f", O_RDWR | O_CREAT, 0644);
	close(fd);
	struct timeval tv[2] = { { 1000, 5 }, { 2000, 7 } };
	struct stat st;
	CHECK_OK("futimesat", syscall(SYS_futimesat, dir, "f", tv));
	stat(DIR_PATH "/f", &st);
	CHECK_EQ("atime", st.st_atime, 1000);
	CHECK_EQ("mtime", st.st_mtime, 2000);
	CHECK_EQ("mtime's ns", st.st_mtim.tv_nsec, 7000);
	tv[0].tv_usec = 1000000;
	CHECK_ERR("usec past a second", syscall(SYS_futimesat, dir, "f", tv),
		  EINVAL);
	CHECK_ERR("a file as dirfd", syscall(SYS_futimesat, open(DIR_PATH "/f",
					     O_RDONLY), "f", NULL), ENOTDIR);
	CHECK_ERR("a bad dirfd", syscall(SYS_futimesat, 999, "f", NULL), EBADF);
	CHECK_OK("absolute path, dirfd ignored",
		 syscall(SYS_futimesat, 999, DIR_PATH "/f", NULL));
	unlink(DIR_PATH "/f");
	rmdir(DIR_PATH);
}

static void
epoll_pwait2_call(void)
{
	int ep = epoll_create1(0), ev = eventfd(0, 0);
	struct epoll_event e = { .events = EPOLLIN }, out[2];
	epoll_ctl(ep, EPOLL_CTL_ADD, ev, &e);
	struct timespec zero = { 0, 0 }, bad = { 0, 1000000000 },
			short_wait = { 0, 1000000 };
	CHECK_EQ("nothing ready, zero timeout",
		 syscall(SYS_epoll_pwait2, ep, out, 2, &zero, NULL, 8), 0);
	CHECK_EQ("nothing ready, 1 ms",
		 syscall(SYS_epoll_pwait2, ep, out, 2, &short_wait, NULL, 8), 0);
	CHECK_ERR("a bad timespec",
		  syscall(SYS_epoll_pwait2, ep, out, 2, &bad, NULL, 8), EINVAL);
	CHECK_ERR("an unreadable timespec",
		  syscall(SYS_epoll_pwait2, ep, out, 2, 8, NULL, 8), EFAULT);
	eventfd_write(ev, 1);
	CHECK_EQ("ready, no timeout",
		 syscall(SYS_epoll_pwait2, ep, out, 2, NULL, NULL, 8), 1);
	CHECK_ERR("max 0", syscall(SYS_epoll_pwait2, ep, out, 0, NULL, NULL, 8),
		  EINVAL);
	close(ep);
	close(ev);
}

static void
vhangup_call(void)
{
	int status;
	pid_t pid = fork();
	if (pid == 0) {
		setuid(65534);
		_exit(syscall(SYS_vhangup) < 0 ? errno : 0);
	}
	waitpid(pid, &status, 0);
	CHECK_STR("a user", errno_name(WEXITSTATUS(status)), "EPERM");
	pid = fork();
	if (pid == 0) {
		setsid();
		_exit(syscall(SYS_vhangup) < 0 ? errno : 0);
	}
	waitpid(pid, &status, 0);
	CHECK_STR("root, no terminal", errno_name(WEXITSTATUS(status)), "0");
}

#define F_CREATED_QUERY 1028

static void
created_query(void)
{
	int fd = open("/dev/null", O_RDONLY);
	CHECK_EQ("an existing file", fcntl(fd, F_CREATED_QUERY), 0);
	close(fd);
	unlink(DIR_PATH);
	fd = open(DIR_PATH, O_RDWR | O_CREAT, 0600);
	CHECK_EQ("made by O_CREAT", fcntl(fd, F_CREATED_QUERY), 1);
	int copy = dup(fd);
	CHECK_EQ("its dup", fcntl(copy, F_CREATED_QUERY), 1);
	close(copy);
	close(fd);
	fd = open(DIR_PATH, O_RDWR | O_CREAT, 0600);
	CHECK_EQ("O_CREAT, there already", fcntl(fd, F_CREATED_QUERY), 0);
	close(fd);
	fd = open(DIR_PATH, O_PATH);
	CHECK_EQ("an O_PATH fd", fcntl(fd, F_CREATED_QUERY), 0);
	close(fd);
	unlink(DIR_PATH);
}

static volatile int spin_done;

static void *
spinner(void *arg)
{
	(void)arg;
	while (!spin_done)
		;
	return NULL;
}

static void
cpu_clocks(void)
{
	pthread_t t;
	clockid_t thread_clock, proc_clock;
	struct timespec ts = { 0, 0 };
	pthread_create(&t, NULL, spinner, NULL);
	CHECK_EQ("pthread_getcpuclockid", pthread_getcpuclockid(t, &thread_clock), 0);
	struct timespec spin = { 0, 20000000 };
	nanosleep(&spin, NULL);
	CHECK_OK("the thread's clock", clock_gettime(thread_clock, &ts));
	CHECK("it has run", ts.tv_sec > 0 || ts.tv_nsec > 0);
	CHECK_OK("its resolution", clock_getres(thread_clock, &ts));
	spin_done = 1;
	pthread_join(t, NULL);
	/* Linux wakes the joiner (CLONE_CHILD_CLEARTID) before it releases
	   the thread, whose clock goes a moment later: wait up to a second. */
	int gone = 0, gone_errno = 0;
	for (int i = 0; i < 1000; i++) {
		errno = 0;
		gone = clock_gettime(thread_clock, &ts);
		gone_errno = errno;
		if (gone != 0)
			break;
		usleep(1000);
	}
	CHECK_SAVED_ERR("the clock of a thread gone", gone, gone_errno, EINVAL);
	CHECK_EQ("clock_getcpuclockid", clock_getcpuclockid(getpid(), &proc_clock), 0);
	CHECK_OK("the process's clock", clock_gettime(proc_clock, &ts));
	clockid_t fd_clock = (clockid_t)(~3u << 3) | 3;	/* which 3: an fd's clock */
	CHECK_ERR("an fd clock of fd 3", clock_gettime(fd_clock, &ts), EINVAL);
	clockid_t other = (clockid_t)(~1u << 3) | 4 | 2;	/* thread 1: init's */
	CHECK_ERR("another process's thread", clock_gettime(other, &ts), EINVAL);
}

int
main(void)
{
	abi_init();
	robust_list();
	ioprio();
	futimesat_call();
	epoll_pwait2_call();
	vhangup_call();
	cpu_clocks();
	created_query();
	return abi_done("newcalls");
}
