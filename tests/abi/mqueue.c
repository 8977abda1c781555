/*
 * POSIX message queues: mq_open's flags, names and attributes (EEXIST,
 * ENOENT, EINVAL, EACCES for another user), mq_unlink (EPERM for another
 * user's queue, ENAMETOOLONG); messages by priority then in order sent;
 * EMSGSIZE, EAGAIN with O_NONBLOCK, ETIMEDOUT on an absolute deadline,
 * EINTR for a handler; a receiver woken by another process; mq_getsetattr;
 * mq_notify with SIGEV_SIGNAL (SI_MESGQ, once), SIGEV_NONE, EBUSY and
 * SIGEV_THREAD; poll on the descriptor and the QSIZE line it reads;
 * /proc/sys/fs/mqueue; the mqueue file system (files, read, open(O_CREAT),
 * unlink).
 */
#include "abi.h"

#include <dirent.h>
#include <stdbool.h>
#include <mqueue.h>
#include <pthread.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <sys/syscall.h>

#define NAME "/abi_mqueue"
#define NAME2 "/abi_mqueue_2"

static mqd_t
open_new(const char *name, int flags, long maxmsg, long msgsize)
{
	struct mq_attr a = { .mq_maxmsg = maxmsg, .mq_msgsize = msgsize };
	mq_unlink(name);
	return mq_open(name, O_CREAT | O_EXCL | flags, 0600,
		       maxmsg ? &a : NULL);
}

static const char *
read_line(const char *path)
{
	static char buf[64];
	FILE *f = fopen(path, "r");
	if (!f)
		return errno_name(errno);
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return buf;
}

static void
test_open(void)
{
	CHECK_STR("queues_max", read_line("/proc/sys/fs/mqueue/queues_max"),
		  "256\n");
	CHECK_STR("msg_max", read_line("/proc/sys/fs/mqueue/msg_max"), "10\n");
	CHECK_STR("msgsize_max",
		  read_line("/proc/sys/fs/mqueue/msgsize_max"), "8192\n");
	mq_unlink(NAME);
	CHECK_ERR("mq_open of a missing queue", mq_open(NAME, O_RDWR), ENOENT);
	mqd_t q = open_new(NAME, O_RDWR, 0, 0);
	CHECK("mq_open O_CREAT", q >= 0);
	CHECK("the descriptor is close-on-exec",
	      fcntl(q, F_GETFD) == FD_CLOEXEC);
	struct mq_attr a;
	CHECK_EQ("mq_getattr", mq_getattr(q, &a), 0);
	CHECK("default attributes", a.mq_maxmsg == 10 &&
	      a.mq_msgsize == 8192 && a.mq_curmsgs == 0 && a.mq_flags == 0);
	CHECK_ERR("O_CREAT|O_EXCL again",
		  mq_open(NAME, O_CREAT | O_EXCL | O_RDWR, 0600, NULL), EEXIST);
	mqd_t q2 = mq_open(NAME, O_CREAT | O_WRONLY, 0600, NULL);
	CHECK("O_CREAT without O_EXCL opens it", q2 >= 0);
	CHECK_ERR("mq_receive on a write-only descriptor",
		  mq_receive(q2, (char[8192]){ 0 }, 8192, NULL), EBADF);
	CHECK_ERR("O_WRONLY|O_RDWR of an existing queue",
		  mq_open(NAME, O_WRONLY | O_RDWR), EINVAL);
	struct mq_attr bad = { .mq_maxmsg = 0, .mq_msgsize = 16 };
	CHECK_ERR("mq_maxmsg 0", mq_open(NAME2, O_CREAT | O_RDWR, 0600, &bad),
		  EINVAL);
	bad.mq_maxmsg = 4;
	bad.mq_msgsize = -1;
	CHECK_ERR("negative mq_msgsize",
		  mq_open(NAME2, O_CREAT | O_RDWR, 0600, &bad), EINVAL);
	CHECK_ERR("a bad attr address",
		  syscall(SYS_mq_open, NAME2 + 1, O_CREAT | O_RDWR, 0600, 8),
		  EFAULT);
	CHECK_ERR("a name with a slash",
		  syscall(SYS_mq_open, "a/b", O_CREAT | O_RDWR, 0600, NULL),
		  EACCES);
	char longname[300];
	memset(longname, 'a', sizeof(longname));
	longname[0] = '/';
	longname[257] = '\0';
	CHECK_ERR("a 256-byte name", mq_unlink(longname), ENAMETOOLONG);
	longname[256] = '\0';
	CHECK_ERR("a 255-byte name", mq_unlink(longname), ENOENT);
	struct rlimit old_nofile, low;
	getrlimit(RLIMIT_NOFILE, &old_nofile);
	low = old_nofile;
	low.rlim_cur = 3;	/* fds 0-2 only: the queues' are above */
	setrlimit(RLIMIT_NOFILE, &low);
	CHECK_ERR("no descriptor left", mq_open(NAME2, O_CREAT | O_RDWR, 0600,
						NULL), EMFILE);
	setrlimit(RLIMIT_NOFILE, &old_nofile);
	CHECK_ERR("and no queue made", mq_unlink(NAME2), ENOENT);
	mq_close(q2);
	mq_close(q);
	CHECK_EQ("mq_unlink", mq_unlink(NAME), 0);
	CHECK_ERR("mq_unlink again", mq_unlink(NAME), ENOENT);
	CHECK_ERR("mq_getattr of a plain file",
		  mq_getattr(0, &a), EBADF);
}

static void
test_order(void)
{
	mqd_t q = open_new(NAME, O_RDWR, 4, 16);
	CHECK_EQ("send prio 1", mq_send(q, "one", 4, 1), 0);
	CHECK_EQ("send prio 5", mq_send(q, "five", 5, 5), 0);
	CHECK_EQ("send prio 1 again", mq_send(q, "uno", 4, 1), 0);
	CHECK_EQ("send prio 0", mq_send(q, "zero", 5, 0), 0);
	CHECK_ERR("a fifth message with O_NONBLOCK unset but timed out",
		  mq_timedsend(q, "x", 1, 0, &(struct timespec){ 0, 0 }),
		  ETIMEDOUT);
	char buf[64];
	unsigned prio;
	const char *want[] = { "five", "one", "uno", "zero" };
	for (int i = 0; i < 4; i++) {
		ssize_t n = mq_receive(q, buf, sizeof(buf), &prio);
		CHECK_STR("highest priority first, in order sent",
			  n > 0 ? buf : errno_name(errno), want[i]);
	}
	CHECK_ERR("EMSGSIZE for a long message", mq_send(q, buf, 17, 0),
		  EMSGSIZE);
	CHECK_ERR("EMSGSIZE for a short buffer", mq_receive(q, buf, 15, NULL),
		  EMSGSIZE);
	CHECK_ERR("priority MQ_PRIO_MAX", mq_send(q, buf, 1, 32768), EINVAL);
	struct timespec bad = { 0, 1000000000 };
	CHECK_ERR("a bad timeout", mq_timedsend(q, buf, 1, 0, &bad), EINVAL);
	struct timespec at;
	clock_gettime(CLOCK_REALTIME, &at);
	at.tv_nsec += 20000000;
	if (at.tv_nsec >= 1000000000) {
		at.tv_sec++;
		at.tv_nsec -= 1000000000;
	}
	CHECK_ERR("ETIMEDOUT on an empty queue",
		  mq_timedreceive(q, buf, sizeof(buf), NULL, &at), ETIMEDOUT);
	struct mq_attr set = { .mq_flags = O_NONBLOCK }, old;
	CHECK_EQ("mq_setattr O_NONBLOCK", mq_setattr(q, &set, &old), 0);
	CHECK("the old flags", old.mq_flags == 0 && old.mq_maxmsg == 4);
	CHECK_ERR("EAGAIN on an empty queue",
		  mq_receive(q, buf, sizeof(buf), NULL), EAGAIN);
	set.mq_flags = O_APPEND;
	CHECK_ERR("mq_setattr with another flag", mq_setattr(q, &set, NULL),
		  EINVAL);
	mq_close(q);
	mq_unlink(NAME);
}

static void
on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	static char line[96];
	snprintf(line, sizeof(line), "%s code %s value %d pid %s",
		 signal_name(sig), si->si_code == SI_MESGQ ? "SI_MESGQ" : "?",
		 si->si_value.sival_int,
		 si->si_pid == getpid() ? "self" : "other");
	write(1, line, strlen(line));
	write(1, "\n", 1);
}

static void
on_alarm(int sig)
{
	(void)sig;
}

static void
test_wakeups(void)
{
	mqd_t q = open_new(NAME, O_RDWR, 2, 16);
	pid_t child = fork();
	if (child == 0) {
		usleep(100000);
		mq_send(q, "late", 5, 3);
		_exit(0);
	}
	char buf[64];
	unsigned prio = 0;
	ssize_t n = mq_receive(q, buf, sizeof(buf), &prio);
	CHECK("a receiver woken by another process's send",
	      n == 5 && prio == 3 && !strcmp(buf, "late"));
	waitpid(child, NULL, 0);

	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	mq_send(q, "a", 1, 0);
	mq_send(q, "b", 1, 0);
	alarm(1);
	CHECK_ERR("a full queue's sender interrupted", mq_send(q, "c", 1, 0),
		  EINTR);
	signal(SIGALRM, SIG_DFL);
	alarm(ABI_WATCHDOG);

	struct pollfd pfd = { .fd = q, .events = POLLIN | POLLOUT };
	CHECK_EQ("poll: a full queue is readable", poll(&pfd, 1, 0), 1);
	CHECK_EQ("poll events", pfd.revents, POLLIN);
	char line[128] = { 0 };
	CHECK("read gives the QSIZE line", read(q, line, sizeof(line)) > 0);
	CHECK_STR("the line", line,
		  "QSIZE:2          NOTIFY:0     SIGNO:0     NOTIFY_PID:0     \n");
	mq_receive(q, buf, sizeof(buf), NULL);
	mq_receive(q, buf, sizeof(buf), NULL);
	pfd.revents = 0;
	CHECK_EQ("poll: an empty queue is writable", poll(&pfd, 1, 0), 1);
	CHECK_EQ("poll events when empty", pfd.revents, POLLOUT);
	mq_close(q);
	mq_unlink(NAME);
}

static volatile int thread_value;

static void
on_thread(union sigval sv)
{
	thread_value = sv.sival_int;
}

static void
test_notify(void)
{
	mqd_t q = open_new(NAME, O_RDWR, 4, 16);
	struct sigaction sa = { .sa_sigaction = on_usr1,
				.sa_flags = SA_SIGINFO };
	sigaction(SIGUSR1, &sa, NULL);
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL,
			       .sigev_signo = SIGUSR1,
			       .sigev_value.sival_int = 42 };
	CHECK_EQ("mq_notify SIGEV_SIGNAL", mq_notify(q, &ev), 0);
	CHECK_ERR("a second registration", mq_notify(q, &ev), EBUSY);
	char line[128] = { 0 };
	pread(q, line, sizeof(line), 0);
	CHECK("the QSIZE line shows it",
	      strstr(line, "NOTIFY:0     SIGNO:10") != NULL);
	mq_send(q, "x", 1, 0);	/* the signal comes here */
	mq_send(q, "y", 1, 0);	/* not again: the registration is gone */
	CHECK_EQ("registering again after the signal", mq_notify(q, &ev), 0);
	mq_send(q, "z", 1, 0);	/* not empty before: no signal */
	CHECK_EQ("unregistering", mq_notify(q, NULL), 0);
	CHECK_EQ("unregistering when not registered", mq_notify(q, NULL), 0);
	int other = dup(q);
	CHECK_EQ("registering", mq_notify(q, &ev), 0);
	close(other);
	CHECK_EQ("closing another descriptor unregistered it",
		 mq_notify(q, &ev), 0);
	mq_notify(q, NULL);

	struct sigevent bad = { .sigev_notify = 99 };
	CHECK_ERR("a bad sigev_notify", mq_notify(q, &bad), EINVAL);
	bad.sigev_notify = SIGEV_SIGNAL;
	bad.sigev_signo = 65;
	CHECK_ERR("a bad signal", mq_notify(q, &bad), EINVAL);
	CHECK_ERR("a bad descriptor", mq_notify(-1, &ev), EBADF);
	CHECK_ERR("a descriptor of no queue", mq_notify(1, &ev), EBADF);

	char buf[64];
	while (mq_receive(q, buf, sizeof(buf), NULL) >= 0 &&
	       mq_getattr(q, &(struct mq_attr){ 0 }) == 0) {
		struct mq_attr a;
		mq_getattr(q, &a);
		if (a.mq_curmsgs == 0)
			break;
	}
	struct sigevent none = { .sigev_notify = SIGEV_NONE };
	CHECK_EQ("mq_notify SIGEV_NONE", mq_notify(q, &none), 0);
	mq_send(q, "n", 1, 0);
	CHECK_EQ("SIGEV_NONE is gone after a message", mq_notify(q, &ev), 0);
	mq_notify(q, NULL);
	mq_receive(q, buf, sizeof(buf), NULL);

	struct sigevent th = { .sigev_notify = SIGEV_THREAD,
			       .sigev_notify_function = on_thread,
			       .sigev_value.sival_int = 7 };
	CHECK_EQ("mq_notify SIGEV_THREAD", mq_notify(q, &th), 0);
	mq_send(q, "t", 1, 0);
	for (int i = 0; i < 500 && !thread_value; i++)
		usleep(10000);
	CHECK_EQ("the thread ran with the value", thread_value, 7);
	mq_close(q);
	mq_unlink(NAME);
}

static void
test_perms(void)
{
	mqd_t q = open_new(NAME, O_RDWR, 0, 0);
	pid_t child = fork();
	if (child == 0) {
		setgid(65534);
		setuid(65534);
		CHECK_ERR("another user opens a 0600 queue",
			  mq_open(NAME, O_RDONLY), EACCES);
		CHECK_ERR("another user unlinks it", syscall(SYS_mq_unlink,
			  NAME + 1), EPERM);
		CHECK_ERR("mq_unlink says EACCES", mq_unlink(NAME), EACCES);
		struct mq_attr big = { .mq_maxmsg = 11, .mq_msgsize = 16 };
		CHECK_ERR("a user past msg_max", mq_open(NAME2, O_CREAT |
			  O_RDWR, 0600, &big), EINVAL);
		_exit(abi_failures ? 1 : 0);
	}
	int status;
	waitpid(child, &status, 0);
	CHECK_STR("the other user's checks", status_str(status), "exited 0");
	mq_close(q);
	mq_unlink(NAME);
}

static bool
listed(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;
	while (d && (e = readdir(d)))
		found |= !strcmp(e->d_name, name) && e->d_type == DT_REG;
	if (d)
		closedir(d);
	return found;
}

static void
test_fs(void)
{
	const char *mnt = "/tmp/abi_mqueue_mnt";
	mkdir(mnt, 0755);
	CHECK_EQ("mount -t mqueue", mount("none", mnt, "mqueue", 0, NULL), 0);
	struct statfs sf;
	CHECK("its f_type", statfs(mnt, &sf) == 0 && sf.f_type == 0x19800202);
	struct stat st;
	CHECK("a sticky directory for all", stat(mnt, &st) == 0 &&
	      (st.st_mode & 07777) == 01777);
	mqd_t q = open_new(NAME, O_RDWR, 4, 16);
	CHECK("a queue is a file there", listed(mnt, NAME + 1));
	mq_send(q, "abc", 3, 0);
	char path[96], line[128] = { 0 };
	snprintf(path, sizeof(path), "%s%s", mnt, NAME);
	int fd = open(path, O_RDONLY);
	CHECK("read through the path", fd >= 0 && read(fd, line, 127) > 0);
	CHECK_STR("its line", line,
		  "QSIZE:3          NOTIFY:0     SIGNO:0     NOTIFY_PID:0     \n");
	char buf[64];
	CHECK_EQ("the path's descriptor is a queue",
		 mq_receive(fd, buf, sizeof(buf), NULL), 3);
	CHECK_ERR("write(2) to a queue", write(fd, "x", 1), EBADF);
	close(fd);
	mq_close(q);
	CHECK_EQ("unlink through the path", unlink(path), 0);
	CHECK_ERR("mq_open finds it gone", mq_open(NAME, O_RDWR), ENOENT);
	snprintf(path, sizeof(path), "%s%s", mnt, NAME2);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0640);
	CHECK("open(O_CREAT) makes a queue", fd >= 0);
	struct mq_attr a;
	CHECK("with the default attributes", mq_getattr(fd, &a) == 0 &&
	      a.mq_maxmsg == 10 && a.mq_msgsize == 8192);
	CHECK("and the mode", stat(path, &st) == 0 &&
	      (st.st_mode & 07777) == 0640 && S_ISREG(st.st_mode));
	close(fd);
	CHECK_EQ("mq_unlink of it", mq_unlink(NAME2), 0);
	CHECK("gone from the directory", !listed(mnt, NAME2 + 1));
	CHECK_EQ("umount", umount(mnt), 0);
	rmdir(mnt);
}

int
main(void)
{
	abi_init();
	setvbuf(stdout, NULL, _IONBF, 0);
	test_open();
	test_order();
	test_wakeups();
	test_notify();
	test_perms();
	test_fs();
	return abi_done("mqueue");
}
