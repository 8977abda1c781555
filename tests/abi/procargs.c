/*
 * /proc/PID/cmdline and /proc/PID/environ read the process's memory, as
 * Linux's: a program that rewrites its argv (setproctitle, as nginx's
 * "nginx: worker process") is shown as it wrote it, by its own
 * /proc/self/cmdline and by another's /proc/PID/cmdline; a title written
 * over the argument area's last NUL runs on into the environment up to
 * the first NUL; a page made unreadable ends the text; a zombie's is
 * empty; stat's size is 0. The program runs itself again with a known
 * argv and environment, so both sides see the same strings.
 */
#include "abi.h"

#include <sys/mman.h>

#define TITLE "nginx: worker"

/* The whole of a /proc file, NULs included, in buf (NUL-ended too). */
static long
slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	long n = 0, r;
	while ((r = read(fd, buf + n, size - 1 - n)) > 0)
		n += r;
	close(fd);
	buf[n] = 0;
	return n;
}

static long
slurp_pid(pid_t pid, const char *name, char *buf, size_t size)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	return slurp(path, buf, size);
}

/* "a|b|" for "a\0b\0": the text with its NULs shown. */
static const char *
shown(const char *buf, long n)
{
	static char out[256];
	long i;
	for (i = 0; i < n && i < (long)sizeof(out) - 1; i++)
		out[i] = buf[i] ? buf[i] : '|';
	out[i] = 0;
	return out;
}

/* The argument area, [argv[0], end of the last argument). */
static char *arg_start, *arg_end, *env_start;

static void
find_areas(int argc, char **argv, char **envp)
{
	arg_start = argv[0];
	arg_end = argv[argc - 1] + strlen(argv[argc - 1]) + 1;
	env_start = envp[0];
}

static void
check_self(void)
{
	char buf[512];
	struct stat st;
	CHECK_OK("stat cmdline", stat("/proc/self/cmdline", &st));
	CHECK_EQ("cmdline size", st.st_size, 0);
	long n = slurp("/proc/self/cmdline", buf, sizeof(buf));
	CHECK_STR("cmdline", shown(buf, n), "procargs|one|two|");
	n = slurp("/proc/self/environ", buf, sizeof(buf));
	CHECK_STR("environ", shown(buf, n), "A=1|BB=22|");
	CHECK("environ follows the arguments", env_start == arg_end);

	memcpy(arg_start, "PROCARGS", 8);	/* same length, NULs kept */
	n = slurp("/proc/self/cmdline", buf, sizeof(buf));
	CHECK_STR("argv[0] rewritten", shown(buf, n), "PROCARGS|one|two|");

	/* nginx's way: the title, then NULs to the area's end. */
	size_t area = (size_t)(arg_end - arg_start);
	memset(arg_start, 0, area);
	memcpy(arg_start, "t: w", 4);
	n = slurp("/proc/self/cmdline", buf, sizeof(buf));
	CHECK_STR("title padded", shown(buf, n), "t: w|||||||||||||");

	/* Over the last NUL and into the environment: the first string. */
	memset(arg_start, 'x', area);
	memcpy(env_start, "AB", 3);
	n = slurp("/proc/self/cmdline", buf, sizeof(buf));
	CHECK_STR("title past the end", shown(buf, n), "xxxxxxxxxxxxxxxxxAB|");
	n = slurp("/proc/self/environ", buf, sizeof(buf));
	CHECK_STR("environ after", shown(buf, n), "AB||BB=22|");
	int fd = open("/proc/self/cmdline", O_RDONLY);
	CHECK_EQ("pread at 15", pread(fd, buf, sizeof(buf), 15), 5);
	CHECK_EQ("pread at 20", pread(fd, buf, sizeof(buf), 20), 0);
	close(fd);
}

/* A child writes TITLE over its arguments (they are longer) and waits. */
static void
check_child(void)
{
	int ready[2], go[2];
	char buf[512];
	CHECK_OK("pipe", pipe(ready) | pipe(go));
	pid_t pid = fork();
	if (pid == 0) {
		memset(arg_start, 0, (size_t)(arg_end - arg_start));
		strcpy(arg_start, TITLE);
		write(ready[1], "r", 1);
		read(go[0], buf, 1);
		_exit(0);
	}
	read(ready[0], buf, 1);
	long n = slurp_pid(pid, "cmdline", buf, sizeof(buf));
	CHECK_STR("child's title", buf, TITLE);
	CHECK_EQ("child's length", n, arg_end - arg_start);
	n = slurp_pid(pid, "environ", buf, sizeof(buf));
	CHECK_STR("child's environ", shown(buf, n), "AB||BB=22|");
	write(go[1], "g", 1);
	siginfo_t si;
	waitid(P_PID, pid, &si, WEXITED | WNOWAIT);	/* a zombie now */
	CHECK_EQ("zombie's cmdline", slurp_pid(pid, "cmdline", buf, sizeof(buf)), 0);
	CHECK_ERR("zombie's environ", slurp_pid(pid, "environ", buf, sizeof(buf)), ESRCH);
	int status;
	waitpid(pid, &status, 0);
	CHECK_STR("child", status_str(status), "exited 0");
}

/* A page inside a long argument made unreadable: the text ends there. */
static void
check_hole(char **argv)
{
	char *buf = malloc(4 * 4096);
	char *page = (char *)(((unsigned long)argv[2] + 4095) & ~4095ul);
	CHECK_OK("mprotect", mprotect(page, 4096, PROT_NONE));
	long n = slurp("/proc/self/cmdline", buf, 4 * 4096);
	CHECK("stops at the hole", n == page - argv[0]);
	free(buf);
}

int
main(int argc, char **argv, char **envp)
{
	abi_init();
	if (argc == 3 && !strcmp(argv[1], "one")) {
		find_areas(argc, argv, envp);
		check_self();
		check_child();
		return abi_done("procargs");
	}
	if (argc == 3 && !strcmp(argv[1], "hole")) {
		check_hole(argv);
		return abi_done("procargs-hole");
	}
	char *env[] = { "A=1", "BB=22", NULL };
	pid_t pid = fork();
	if (pid == 0) {	/* a long argument, to make a hole in */
		char *big = malloc(3 * 4096 + 1);
		memset(big, 'h', 3 * 4096);
		big[3 * 4096] = 0;
		char *args[] = { "procargs", "hole", big, NULL };
		execve("/proc/self/exe", args, env);
		_exit(127);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK_STR("hole run", status_str(status), "exited 0");
	char *args[] = { "procargs", "one", "two", NULL };
	execve("/proc/self/exe", args, env);
	printf("execve: %s\n", errno_name(errno));
	return 1;
}
