/*
 * System V message queues: msgget with keys, IPC_PRIVATE, IPC_CREAT and
 * IPC_EXCL; ids not reused after IPC_RMID; msgsnd and msgrcv by type (0,
 * > 0, < 0, MSG_EXCEPT), MSG_NOERROR and E2BIG, IPC_NOWAIT on a full or
 * empty queue, MSG_COPY; a receiver woken by another process's send, by
 * IPC_RMID (EIDRM) and by a signal (EINTR), and one that goes on after a
 * stop and SIGCONT; msgctl IPC_STAT, IPC_SET,
 * MSG_STAT, IPC_INFO; permissions for another user; the sysctls of
 * /proc/sys/kernel (msg_next_id too) and /proc/sysvipc/msg's header.
 */
#include "abi.h"

#include <sys/ipc.h>
#include <sys/msg.h>

#define KEY 0x5e1f0001
#ifndef MSG_COPY
#define MSG_COPY 040000
#endif

struct text_msg {
	long type;
	char text[64];
};

static int
send_text(int q, long type, const char *text, int flags)
{
	struct text_msg m = { .type = type };
	snprintf(m.text, sizeof(m.text), "%s", text);
	return msgsnd(q, &m, strlen(text) + 1, flags);
}

/* Receives one message; "type:text", or the errno's name. */
static const char *
recv_text(int q, long type, int flags)
{
	static char out[96];
	struct text_msg m = { 0 };
	ssize_t n = msgrcv(q, &m, sizeof(m.text), type, flags);
	if (n < 0)
		return errno_name(errno);
	snprintf(out, sizeof(out), "%ld:%s", m.type, m.text);
	return out;
}

static void
test_get(void)
{
	int old = msgget(KEY, 0);
	if (old >= 0)
		msgctl(old, IPC_RMID, NULL);
	CHECK_ERR("msgget of a missing key", msgget(KEY, 0600), ENOENT);
	int q = msgget(KEY, IPC_CREAT | 0640);
	CHECK("msgget IPC_CREAT", q >= 0);
	CHECK("the same key finds it", msgget(KEY, 0) == q);
	CHECK("IPC_CREAT again finds it", msgget(KEY, IPC_CREAT | 0600) == q);
	CHECK_ERR("IPC_CREAT|IPC_EXCL", msgget(KEY, IPC_CREAT | IPC_EXCL | 0600),
	    EEXIST);
	int p1 = msgget(IPC_PRIVATE, 0600), p2 = msgget(IPC_PRIVATE, 0600);
	CHECK("IPC_PRIVATE makes a new queue each time", p1 >= 0 && p2 >= 0 &&
	    p1 != p2 && p1 != q);
	CHECK_EQ("IPC_RMID", msgctl(q, IPC_RMID, NULL), 0);
	CHECK_ERR("a removed id", msgsnd(q, &(long){ 1 }, 0, 0), EINVAL);
	CHECK_ERR("IPC_STAT of a removed id", msgctl(q, IPC_STAT,
	    &(struct msqid_ds){ 0 }), EINVAL);
	int again = msgget(KEY, IPC_CREAT | 0600);
	CHECK("a new queue under the key has a new id", again >= 0 &&
	    again != q);
	msgctl(again, IPC_RMID, NULL);
	msgctl(p1, IPC_RMID, NULL);
	msgctl(p2, IPC_RMID, NULL);
	CHECK_ERR("msgctl with a bad command", msgctl(p1, 99, NULL), EINVAL);
	CHECK_ERR("msgctl with a negative id", msgctl(-1, IPC_STAT, NULL),
	    EINVAL);
}

static void
test_types(void)
{
	int q = msgget(IPC_PRIVATE, 0600);
	send_text(q, 3, "three", 0);
	send_text(q, 1, "one", 0);
	send_text(q, 2, "two", 0);
	send_text(q, 1, "one-b", 0);
	struct msqid_ds ds;
	msgctl(q, IPC_STAT, &ds);
	CHECK_EQ("msg_qnum", ds.msg_qnum, 4);
	CHECK_EQ("msg_cbytes", ds.msg_cbytes, 6 + 4 + 4 + 6);
	CHECK_EQ("msg_qbytes is msgmnb", ds.msg_qbytes, 16384);
	CHECK_EQ("msg_perm.mode", ds.msg_perm.mode, 0600);
	CHECK_STR("MSG_COPY of the second", recv_text(q, 1,
	    MSG_COPY | IPC_NOWAIT), "1:one");
	CHECK_ERR("MSG_COPY without IPC_NOWAIT", msgrcv(q, &(struct text_msg){ 0 },
	    64, 0, MSG_COPY), EINVAL);
	CHECK_ERR("MSG_COPY past the last", msgrcv(q, &(struct text_msg){ 0 },
	    64, 9, MSG_COPY | IPC_NOWAIT), ENOMSG);
	CHECK_STR("type 2", recv_text(q, 2, 0), "2:two");
	CHECK_STR("MSG_EXCEPT 3", recv_text(q, 3, MSG_EXCEPT), "1:one");
	CHECK_STR("type -5: the lowest type", recv_text(q, -5, 0), "1:one-b");
	CHECK_ERR("type 7 with IPC_NOWAIT", msgrcv(q, &(struct text_msg){ 0 },
	    64, 7, IPC_NOWAIT), ENOMSG);
	CHECK_ERR("a short buffer", msgrcv(q, &(struct text_msg){ 0 }, 2, 0, 0),
	    E2BIG);
	struct text_msg m = { 0 };
	CHECK_EQ("MSG_NOERROR cuts the text", msgrcv(q, &m, 2, 0, MSG_NOERROR),
	    2);
	CHECK_EQ("and takes the message", msgctl(q, IPC_STAT, &ds) == 0 ?
	    (long)ds.msg_qnum : -1, 0);
	CHECK_ERR("type 0 on an empty queue", msgrcv(q, &m, 64, 0, IPC_NOWAIT),
	    ENOMSG);
	CHECK_ERR("type 0 to send", send_text(q, 0, "x", 0), EINVAL);
	CHECK_ERR("more than msgmax", msgsnd(q, &m, 8193, 0), EINVAL);
	CHECK_ERR("a bad message address", msgsnd(q, (void *)8, 4, 0), EFAULT);
	msgctl(q, IPC_RMID, NULL);
}

static void
test_full(void)
{
	int q = msgget(IPC_PRIVATE, 0600);
	struct msqid_ds ds;
	msgctl(q, IPC_STAT, &ds);
	ds.msg_qbytes = 10;
	CHECK_EQ("IPC_SET msg_qbytes", msgctl(q, IPC_SET, &ds), 0);
	msgctl(q, IPC_STAT, &ds);
	CHECK_EQ("msg_qbytes now", ds.msg_qbytes, 10);
	CHECK_EQ("8 bytes fit", send_text(q, 1, "1234567", 0), 0);
	CHECK_ERR("4 more do not (IPC_NOWAIT)", send_text(q, 1, "abc",
	    IPC_NOWAIT), EAGAIN);
	CHECK_EQ("an empty message fits", msgsnd(q, &(long){ 1 }, 0, 0), 0);
	pid_t child = fork();
	if (child == 0) {
		usleep(100000);
		msgrcv(q, &(struct text_msg){ 0 }, 64, 0, 0);
		_exit(0);
	}
	CHECK_EQ("a blocked send goes on after a receive", send_text(q, 2,
	    "abc", 0), 0);
	int status;
	waitpid(child, &status, 0);
	CHECK_STR("and comes after the rest", recv_text(q, 2, 0), "2:abc");
	msgctl(q, IPC_RMID, NULL);
}

static void
on_alarm(int sig)
{
	(void)sig;
}

static void
test_wakeups(void)
{
	int q = msgget(IPC_PRIVATE, 0600);
	pid_t child = fork();
	if (child == 0) {
		usleep(100000);
		send_text(q, 5, "hello", 0);
		_exit(0);
	}
	CHECK_STR("a receive woken by another's send", recv_text(q, 5, 0),
	    "5:hello");
	int status;
	waitpid(child, &status, 0);

	child = fork();
	if (child == 0) {
		usleep(100000);
		msgctl(q, IPC_RMID, NULL);
		_exit(0);
	}
	CHECK_STR("a receive woken by IPC_RMID", recv_text(q, 0, 0), "EIDRM");
	waitpid(child, &status, 0);

	q = msgget(IPC_PRIVATE, 0600);
	child = fork();
	if (child == 0) {
		const char *got = recv_text(q, 0, 0);
		_exit(strcmp(got, "7:after") == 0 ? 0 : 1);
	}
	usleep(100000);
	kill(child, SIGSTOP);
	waitpid(child, &status, WUNTRACED);
	kill(child, SIGCONT);
	usleep(100000);
	send_text(q, 7, "after", 0);
	waitpid(child, &status, 0);
	CHECK_STR("a receive stopped and continued goes on", status_str(status),
	    "exited 0");

	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	ualarm(100000, 0);
	CHECK_STR("a receive cut by a signal", recv_text(q, 0, 0), "EINTR");
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	ualarm(100000, 0);
	CHECK_STR("with SA_RESTART too", recv_text(q, 0, 0), "EINTR");
	alarm(ABI_WATCHDOG);
	signal(SIGALRM, SIG_DFL);
	msgctl(q, IPC_RMID, NULL);
}

/* The child's result as an exit status: 0 for EACCES, 1 EPERM, 9 other. */
static int
as_status(long r, int want)
{
	return r == -1 && errno == want ? 0 : 9;
}

static void
test_perms(void)
{
	int old = msgget(KEY + 1, 0);
	if (old >= 0)
		msgctl(old, IPC_RMID, NULL);
	int q = msgget(KEY + 1, IPC_CREAT | 0600);
	pid_t child = fork();
	if (child == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(8);
		int r = as_status(msgget(KEY + 1, 0600), EACCES);
		r |= as_status(send_text(q, 1, "x", 0), EACCES) << 1;
		r |= as_status(msgctl(q, IPC_RMID, NULL), EPERM) << 2;
		r |= as_status(msgctl(q, IPC_STAT, &(struct msqid_ds){ 0 }),
		    EACCES) << 3;
		_exit(r ? 1 : 0);
	}
	int status;
	waitpid(child, &status, 0);
	CHECK_STR("another user: EACCES and EPERM", status_str(status),
	    "exited 0");
	struct msqid_ds ds;
	msgctl(q, IPC_STAT, &ds);
	ds.msg_perm.mode = 0606;
	msgctl(q, IPC_SET, &ds);
	child = fork();
	if (child == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(8);
		_exit(msgget(KEY + 1, 0606) == q && send_text(q, 1, "x", 0) == 0 ?
		    0 : 1);
	}
	waitpid(child, &status, 0);
	CHECK_STR("after IPC_SET opens it to others", status_str(status),
	    "exited 0");
	msgctl(q, IPC_STAT, &ds);
	CHECK_EQ("the mode set", ds.msg_perm.mode, 0606);
	int index = -1;
	struct msginfo info;
	int max = msgctl(0, IPC_INFO, (struct msqid_ds *)&info);
	CHECK("IPC_INFO", max >= 0 && info.msgmax == 8192 &&
	    info.msgmnb == 16384 && info.msgssz == 16);
	for (int i = 0; i <= max; i++)
		if (msgctl(i, MSG_STAT, &ds) == q)
			index = i;
	CHECK("MSG_STAT finds it by index", index >= 0);
	msgctl(q, IPC_RMID, NULL);
}

static const char *
read_file(const char *path)
{
	static char text[256];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return errno_name(errno);
	ssize_t n = read(fd, text, sizeof(text) - 1);
	close(fd);
	text[n < 0 ? 0 : n] = '\0';
	return text;
}

static int
write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n < 0 ? -1 : 0;
}

static void
test_proc(void)
{
	CHECK_STR("msgmax", read_file("/proc/sys/kernel/msgmax"), "8192\n");
	CHECK_STR("msgmnb", read_file("/proc/sys/kernel/msgmnb"), "16384\n");
	CHECK_STR("msgmni", read_file("/proc/sys/kernel/msgmni"), "32000\n");
	CHECK_STR("sem", read_file("/proc/sys/kernel/sem"),
	    "32000\t1024000000\t500\t32000\n");
	CHECK_STR("shmmni", read_file("/proc/sys/kernel/shmmni"), "4096\n");
	CHECK_STR("shmmax", read_file("/proc/sys/kernel/shmmax"),
	    "18446744073692774399\n");
	CHECK_EQ("write msgmax", write_file("/proc/sys/kernel/msgmax", "100\n"),
	    0);
	int q = msgget(IPC_PRIVATE, 0600);
	char big[200] = { 1 };
	CHECK_ERR("a message past the new msgmax", msgsnd(q, big, 101, 0),
	    EINVAL);
	CHECK_EQ("one within it", msgsnd(q, big, 100, 0), 0);
	CHECK("msgmax bad text", write_file("/proc/sys/kernel/msgmax", "x") ==
	    -1 && errno == EINVAL);
	write_file("/proc/sys/kernel/msgmax", "8192");
	CHECK_STR("msgmax back", read_file("/proc/sys/kernel/msgmax"),
	    "8192\n");
	msgctl(q, IPC_RMID, NULL);
	CHECK_STR("msg_next_id", read_file("/proc/sys/kernel/msg_next_id"),
	    "-1\n");
	CHECK_EQ("write msg_next_id", write_file("/proc/sys/kernel/msg_next_id",
	    "1234567"), 0);
	q = msgget(IPC_PRIVATE, 0600);
	CHECK("the next queue has that id", q == 1234567);
	CHECK_STR("and msg_next_id is -1 again",
	    read_file("/proc/sys/kernel/msg_next_id"), "-1\n");
	msgctl(q, IPC_RMID, NULL);
	char *header = strdup(read_file("/proc/sysvipc/msg"));
	header[strcspn(header, "\n")] = '\0';
	CHECK_STR("/proc/sysvipc/msg", header, "       key      msqid perms "
	    "     cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      "
	    "stime      rtime      ctime");
	free(header);
}

int
main(void)
{
	abi_init();
	test_get();
	test_types();
	test_full();
	test_wakeups();
	test_perms();
	test_proc();
	return abi_done("sysv_msg");
}
