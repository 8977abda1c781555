/*
 * Thread names (Linux's comm): PR_SET_NAME names the calling thread only;
 * /proc/PID/task/TID/comm and its stat show that thread's name, while
 * /proc/PID/comm and stat show the leader's; both comm files are 0644 and
 * a write names the thread (its first 15 bytes, newline and all) from
 * its own process only (EINVAL from another); the task's status shows
 * its name and tid, its cmdline the process's; a new thread and a forked
 * child take the name of the thread that made them. And /proc/PID/stat's
 * address fields: the code before its end, the argument and environment
 * strings where the program finds them.
 */
#include "abi.h"

#include <pthread.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

static long
slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	long n = read(fd, buf, size - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = 0;
	return n;
}

/* The text with its newlines shown as '|'. */
static const char *
shown(const char *s)
{
	static char out[64];
	size_t i;
	for (i = 0; s[i] && i < sizeof(out) - 1; i++)
		out[i] = s[i] == '\n' ? '|' : s[i];
	out[i] = 0;
	return out;
}

static const char *
task_file(pid_t tid, const char *name)
{
	static char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/self/task/%d/%s", (int)tid, name);
	if (slurp(path, buf, sizeof(buf)) < 0)
		return "(none)";
	return buf;
}

/* Field 2 of a stat line: the name between the parentheses. */
static const char *
stat_name(const char *line)
{
	static char name[32];
	const char *a = strchr(line, '('), *b = strrchr(line, ')');
	if (!a || !b || b - a - 1 >= (long)sizeof(name))
		return "(bad)";
	memcpy(name, a + 1, b - a - 1);
	name[b - a - 1] = 0;
	return name;
}

static int
write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	int r = write(fd, text, strlen(text));
	int e = errno;
	close(fd);
	errno = e;
	return r;
}

static pid_t main_tid;
static pid_t worker_tid;

static void *
inner(void *arg)
{
	(void)arg;
	char n[16] = { 0 };
	prctl(PR_GET_NAME, n);
	CHECK_STR("a thread made by the worker: its name", n, "worker-1");
	return NULL;
}

static void *
worker(void *arg)
{
	(void)arg;
	char n[16] = { 0 }, buf[256];
	worker_tid = (pid_t)syscall(SYS_gettid);
	prctl(PR_GET_NAME, n);
	CHECK_STR("a new thread: its maker's name", n, "main-x");
	CHECK_EQ("PR_SET_NAME in the worker", prctl(PR_SET_NAME, "worker-1"), 0);
	memset(n, 0, sizeof(n));
	prctl(PR_GET_NAME, n);
	CHECK_STR("PR_GET_NAME: the worker's", n, "worker-1");
	CHECK_STR("its task comm", shown(task_file(worker_tid, "comm")),
		  "worker-1|");
	CHECK_STR("its task stat", stat_name(task_file(worker_tid, "stat")),
		  "worker-1");
	CHECK_STR("the leader's task comm",
		  shown(task_file(main_tid, "comm")), "main-x|");
	slurp("/proc/self/comm", buf, sizeof(buf));
	CHECK_STR("the process's comm: the leader's", shown(buf), "main-x|");
	const char *st = task_file(worker_tid, "status");
	CHECK("its task status: its name", strstr(st, "Name:\tworker-1\n") != NULL);
	char line[64];
	snprintf(line, sizeof(line), "\nPid:\t%d\n", (int)worker_tid);
	CHECK("its task status: its tid", strstr(st, line) != NULL);
	snprintf(line, sizeof(line), "\nTgid:\t%d\n", (int)getpid());
	CHECK("its task status: the process's pid", strstr(st, line) != NULL);
	slurp("/proc/self/status", buf, sizeof(buf));
	CHECK("the process's status: the leader's name",
	      strstr(buf, "Name:\tmain-x\n") != NULL);
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "%s", task_file(worker_tid, "cmdline"));
	slurp("/proc/self/cmdline", buf, sizeof(buf));
	CHECK("its task cmdline: the process's", strcmp(cmd, buf) == 0);
	slurp("/proc/self/stat", buf, sizeof(buf));
	CHECK_STR("the process's stat", stat_name(buf), "main-x");

	pthread_t t;
	pthread_create(&t, NULL, inner, NULL);
	pthread_join(t, NULL);

	pid_t pid = fork();
	if (pid == 0) {
		slurp("/proc/self/comm", buf, sizeof(buf));
		_exit(strcmp(buf, "worker-1\n") == 0 ? 0 : 1);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK("a child forked by the worker is named worker-1",
	      WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return NULL;
}

static void
check_writes(void)
{
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", (int)main_tid);
	CHECK_EQ("write to the leader's task comm", write_file(path, "renamed"), 7);
	char n[16] = { 0 };
	prctl(PR_GET_NAME, n);
	CHECK_STR("PR_GET_NAME after it", n, "renamed");
	CHECK_EQ("write a long name", write_file("/proc/self/comm",
		 "abcdefghijklmnopqrstuvwxyz"), 26);
	slurp("/proc/self/comm", buf, sizeof(buf));
	CHECK_STR("its first 15 bytes", shown(buf), "abcdefghijklmno|");
	CHECK_EQ("write a name and a newline", write_file("/proc/self/comm", "nl\n"), 3);
	slurp("/proc/self/comm", buf, sizeof(buf));
	CHECK_STR("the newline is kept", shown(buf), "nl||");
	prctl(PR_SET_NAME, "abcdefghijklmnopqrstuvwxyz");
	memset(n, 0, sizeof(n));
	prctl(PR_GET_NAME, n);
	CHECK_STR("PR_SET_NAME of a long name", n, "abcdefghijklmno");

	struct stat st;
	stat("/proc/self/comm", &st);
	CHECK_EQ("comm's mode", st.st_mode & 07777, 0644);
	stat(path, &st);
	CHECK_EQ("task comm's mode", st.st_mode & 07777, 0644);

	int pipefd[2];
	pipe(pipefd);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		read(pipefd[0], &c, 1);
		_exit(0);
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	CHECK_ERR("write another process's comm", write_file(path, "x"), EINVAL);
	write(pipefd[1], "x", 1);
	waitpid(pid, NULL, 0);
}

/* /proc/self/stat's fields 26-28 and 45-51. */
static void
check_stat_addresses(int argc, char **argv, char **envp)
{
	char buf[1024];
	unsigned long f[53] = { 0 };
	slurp("/proc/self/stat", buf, sizeof(buf));
	char *p = strrchr(buf, ')') + 2;
	for (int i = 3; i <= 52 && p; i++) {
		if (i > 3)
			f[i] = strtoul(p, NULL, 10);
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	CHECK("startcode before endcode", f[26] && f[26] < f[27]);
	CHECK("main is in the code", (unsigned long)check_stat_addresses >= f[26] &&
	      (unsigned long)check_stat_addresses < f[27]);
	CHECK("startstack above argv", f[28] && f[28] <= (unsigned long)argv);
	CHECK("start_data at most end_data", f[45] && f[45] <= f[46]);
	CHECK("arg_start is argv[0]", f[48] == (unsigned long)argv[0]);
	CHECK("arg_end ends the last argument",
	      f[49] == (unsigned long)(argv[argc - 1] + strlen(argv[argc - 1]) + 1));
	CHECK("env_start is envp[0]", !envp[0] || f[50] == (unsigned long)envp[0]);
	CHECK("env_end after env_start", f[51] >= f[50]);
}

int
main(int argc, char **argv, char **envp)
{
	abi_init();
	main_tid = getpid();
	check_stat_addresses(argc, argv, envp);
	CHECK_EQ("PR_SET_NAME", prctl(PR_SET_NAME, "main-x"), 0);
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	pthread_join(t, NULL);
	check_writes();
	return abi_done("threadname");
}
