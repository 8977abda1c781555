/*
 * execve and vfork: the program re-executes itself through /proc/self/exe
 * with a mode word in argv[1]. Covers argv and envp passing, the auxiliary
 * vector, close-on-exec, pid kept across exec, signal dispositions and
 * mask across exec, #! scripts, execve from a second thread, vfork
 * (shared memory, parent suspended), and execve's errors.
 */
#include "abi.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/auxv.h>

#define SELF "/proc/self/exe"

extern char **environ;
static char tmp_dir[64];

/* Child mode "args": print what arrived, exit 3. */
static int
mode_args(int argc, char **argv)
{
	int envc = 0;

	printf("  child: argc %d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("  child: argv[%d] \"%s\"\n", i, argv[i]);
	CHECK_EQ("  child: argv[argc] is NULL", argv[argc] == NULL, 1);
	for (char **e = environ; *e; e++)
		printf("  child: env[%d] \"%s\"\n", envc++, *e);
	CHECK_STR("  child: getenv B", getenv("B"), "two");
	CHECK_EQ("  child: AT_PAGESZ", getauxval(AT_PAGESZ), 4096);
	CHECK_EQ("  child: AT_UID is getuid", getauxval(AT_UID) == getuid(),
	    1);
	CHECK_EQ("  child: AT_EUID is geteuid",
	    getauxval(AT_EUID) == geteuid(), 1);
	CHECK("  child: AT_RANDOM present", getauxval(AT_RANDOM) != 0);
	CHECK("  child: AT_PHDR present", getauxval(AT_PHDR) != 0);
	CHECK("  child: AT_ENTRY present", getauxval(AT_ENTRY) != 0);
	CHECK_EQ("  child: AT_SECURE", getauxval(AT_SECURE), 0);
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	CHECK_STR("  child: AT_EXECFN", execfn, SELF);
	fflush(stdout);
	return abi_failures ? 99 : 3;
}

/* Child mode "fds CLOSED OPEN": the first fd must be gone, not the second. */
static int
mode_fds(char **argv)
{
	int bits = 0;

	if (fcntl(atoi(argv[2]), F_GETFD) == -1 && errno == EBADF)
		bits |= 1;
	if (fcntl(atoi(argv[3]), F_GETFD) == 0)
		bits |= 2;
	char c;
	if (read(atoi(argv[3]), &c, 1) == 1 && c == 'k')
		bits |= 4;
	return bits;
}

/* Child mode "pid PID PPID": identity kept across exec. */
static int
mode_pid(char **argv)
{
	int bits = 0;

	if (getpid() == atoi(argv[2]))
		bits |= 1;
	if (getppid() == atoi(argv[3]))
		bits |= 2;
	return bits;
}

/* Child mode "signals": handled -> default, ignored stays, mask kept. */
static int
mode_signals(void)
{
	struct sigaction sa;
	sigset_t mask;
	int bits = 0;

	sigaction(SIGUSR1, NULL, &sa);
	if (sa.sa_handler == SIG_DFL)
		bits |= 1;
	sigaction(SIGUSR2, NULL, &sa);
	if (sa.sa_handler == SIG_IGN)
		bits |= 2;
	sigprocmask(SIG_BLOCK, NULL, &mask);
	if (sigismember(&mask, SIGTERM) && !sigismember(&mask, SIGUSR1))
		bits |= 4;
	sigset_t pending;
	sigpending(&pending);
	if (sigismember(&pending, SIGTERM))
		bits |= 8; /* pending signals survive exec */
	return bits;
}

/* Child mode "script-mode FILE ARG1": run as a #! interpreter. */
static int
mode_script(int argc, char **argv)
{
	printf("  child: script argc %d\n", argc);
	CHECK_EQ("  child: script path passed as argv[2]",
	    argc == 4 && strcmp(argv[2], argv[3]) == 0, 1);
	fflush(stdout);
	return abi_failures ? 99 : 5;
}

static void
test_args(void)
{
	char *args[] = { "abi-exec", "args", "hello", "two words", "", NULL };
	char *envs[] = { "A=1", "B=two", "EMPTY=", NULL };

	pid_t pid = abi_fork();
	if (pid == 0) {
		execve(SELF, args, envs);
		_exit(127);
	}
	CHECK_STR("exec args child", status_str(abi_wait(pid)), "exited 3");
}

/* 60 strings of 2,000 to 2,059 bytes and a 20,000-byte variable: the
 * kernel's copy grows through several sizes, some string straddling each
 * boundary. */
#define BIG_ARGS 60
#define BIG_ENV 20000

static char *
big_string(size_t len, char c)
{
	char *s = malloc(len + 1);
	memset(s, c, len);
	s[len] = 0;
	return s;
}

/* Child mode "big": every string arrived whole; exit 5. */
static int
mode_big(int argc, char **argv)
{
	int bad = argc != BIG_ARGS + 2;
	for (int i = 0; !bad && i < BIG_ARGS; i++) {
		const char *a = argv[i + 2];
		bad = strlen(a) != 2000u + i || a[0] != 'a' + i % 26 ||
		      a[strlen(a) - 1] != 'a' + i % 26;
	}
	const char *env = getenv("BIG");
	if (!env || strlen(env) != BIG_ENV || env[BIG_ENV - 1] != 'z')
		bad = 1;
	return bad ? 6 : 5;
}

static void
test_big_args(void)
{
	char *args[BIG_ARGS + 3] = { "abi-exec", "big" };
	char *envs[] = { NULL, NULL };

	for (int i = 0; i < BIG_ARGS; i++)
		args[i + 2] = big_string(2000 + i, 'a' + i % 26);
	char *env = big_string(BIG_ENV + 4, 'z');
	memcpy(env, "BIG=", 4);
	envs[0] = env;
	pid_t pid = abi_fork();
	if (pid == 0) {
		execve(SELF, args, envs);
		_exit(127);
	}
	CHECK_STR("exec with 140 KB of arguments and environment",
	    status_str(abi_wait(pid)), "exited 5");
	for (int i = 0; i < BIG_ARGS; i++)
		free(args[i + 2]);
	free(env);
}

static void
test_cloexec(void)
{
	int closed[2], kept[2];

	pipe2(closed, O_CLOEXEC);
	pipe(kept);
	write(kept[1], "k", 1);
	CHECK_EQ("pipe2 O_CLOEXEC sets FD_CLOEXEC",
	    fcntl(closed[0], F_GETFD), FD_CLOEXEC);

	char a[16], b[16];
	snprintf(a, sizeof(a), "%d", closed[0]);
	snprintf(b, sizeof(b), "%d", kept[0]);
	char *args[] = { "abi-exec", "fds", a, b, NULL };
	pid_t pid = abi_fork();
	if (pid == 0) {
		execve(SELF, args, environ);
		_exit(127);
	}
	CHECK_STR("close-on-exec child", status_str(abi_wait(pid)),
	    "exited 7");
	close(closed[0]);
	close(closed[1]);
	close(kept[0]);
	close(kept[1]);
}

static void
test_pid_kept(void)
{
	pid_t pid = abi_fork();
	if (pid == 0) {
		char a[16], b[16];
		snprintf(a, sizeof(a), "%d", (int)getpid());
		snprintf(b, sizeof(b), "%d", (int)getppid());
		char *args[] = { "abi-exec", "pid", a, b, NULL };
		execve(SELF, args, environ);
		_exit(127);
	}
	CHECK_STR("pid kept across exec", status_str(abi_wait(pid)),
	    "exited 3");
}

static void
on_usr1(int sig)
{
	(void)sig;
}

static void
test_signals_across_exec(void)
{
	pid_t pid = abi_fork();
	if (pid == 0) {
		signal(SIGUSR1, on_usr1);
		signal(SIGUSR2, SIG_IGN);
		sigset_t mask;
		sigemptyset(&mask);
		sigaddset(&mask, SIGTERM);
		sigprocmask(SIG_BLOCK, &mask, NULL);
		raise(SIGTERM);
		char *args[] = { "abi-exec", "signals", NULL };
		execve(SELF, args, environ);
		_exit(127);
	}
	CHECK_STR("signal state across exec", status_str(abi_wait(pid)),
	    "exited 15");
}

static void
test_script(void)
{
	char exe[256], script[128], text[320];
	ssize_t n = readlink(SELF, exe, sizeof(exe) - 1);

	if (n <= 0) {
		CHECK("readlink " SELF, 0);
		return;
	}
	exe[n] = '\0';
	snprintf(script, sizeof(script), "%s/script", tmp_dir);
	int fd = open(script, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	int len = snprintf(text, sizeof(text), "#!%s script-mode\n", exe);
	CHECK("write script", write(fd, text, len) == len);
	close(fd);

	pid_t pid = abi_fork();
	if (pid == 0) {
		char *args[] = { "script", script, NULL };
		execve(script, args, environ);
		_exit(127);
	}
	CHECK_STR("#! script child", status_str(abi_wait(pid)), "exited 5");
	unlink(script);
}

static void *
exec_from_thread(void *arg)
{
	char **args = arg;

	execve(SELF, args, environ);
	_exit(127);
}

static void
test_exec_from_thread(void)
{
	pid_t pid = abi_fork();
	if (pid == 0) {
		static char a[16], b[16];
		snprintf(a, sizeof(a), "%d", (int)getpid());
		snprintf(b, sizeof(b), "%d", (int)getppid());
		static char *args[] = { "abi-exec", "pid", a, b, NULL };
		pthread_t t;
		pthread_create(&t, NULL, exec_from_thread, args);
		for (;;)
			pause();
	}
	CHECK_STR("exec from second thread keeps pid",
	    status_str(abi_wait(pid)), "exited 3");
}

static volatile int vfork_shared;

static void
test_vfork(void)
{
	vfork_shared = 0;
	pid_t pid = vfork();
	if (pid == 0) {
		vfork_shared = 42;
		_exit(9);
	}
	/* The parent resumes only after the child has exited. */
	CHECK_EQ("vfork child wrote parent memory", vfork_shared, 42);
	CHECK_STR("vfork _exit status", status_str(abi_wait(pid)), "exited 9");

	char *args[] = { "abi-exec", "args", "vforked", NULL };
	char *envs[] = { "B=two", NULL };
	fflush(stdout);
	pid = vfork();
	if (pid == 0) {
		execve(SELF, args, envs);
		_exit(127);
	}
	CHECK_STR("vfork+exec status", status_str(abi_wait(pid)), "exited 3");

	pid = vfork();
	if (pid == 0) {
		execve("/nonexistent/abi-program", args, envs);
		_exit(errno == ENOENT ? 44 : 45);
	}
	CHECK_STR("vfork failed exec status", status_str(abi_wait(pid)),
	    "exited 44");
}

static void
test_empty_argv(void)
{
	char *none[] = { NULL };
	char *envs[] = { "ABI_EMPTY_ARGV=1", NULL };
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		execve(SELF, none, envs);
		_exit(45);
	}
	CHECK_STR("an empty argv runs with \"\" as argv[0]",
	    status_str(abi_wait(pid)), "exited 0");
}

static void
test_errors(void)
{
	char *args[] = { "x", NULL };
	char path[128];

	CHECK_ERR("execve missing file", execve("/nonexistent", args, environ),
	    ENOENT);
	CHECK_ERR("execve directory", execve(tmp_dir, args, environ), EACCES);

	snprintf(path, sizeof(path), "%s/noexec", tmp_dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	write(fd, "\177ELF", 4);
	close(fd);
	CHECK_ERR("execve without x bit", execve(path, args, environ),
	    EACCES);
	snprintf(path, sizeof(path), "%s/noexec/x", tmp_dir);
	CHECK_ERR("execve through a file", execve(path, args, environ),
	    ENOTDIR);
	snprintf(path, sizeof(path), "%s/noexec", tmp_dir);
	chmod(path, 0700);	/* root's alone to run */
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		setuid(65534);
		execve(path, args, environ);
		_exit(errno == EACCES ? 44 : 45);
	}
	CHECK_STR("execve of root's 0700 file as nobody",
	    status_str(abi_wait(pid)), "exited 44");
	snprintf(path, sizeof(path), "%s/noexec", tmp_dir);
	unlink(path);

	snprintf(path, sizeof(path), "%s/garbage", tmp_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	write(fd, "this is not a program\n", 22);
	close(fd);
	CHECK_ERR("execve unknown format", execve(path, args, environ),
	    ENOEXEC);
	unlink(path);
}

int
main(int argc, char **argv)
{
	if (getenv("ABI_EMPTY_ARGV")) {	/* run with an empty argv */
		printf("argc %d, argv[0] %s\n", argc,
		       argc > 0 && argv[0] && !argv[0][0] ? "\"\"" : "other");
		return 0;
	}
	if (argc >= 2) {
		/* A re-executed child: check before anything is reset. */
		setvbuf(stdout, NULL, _IOLBF, 0);
		if (strcmp(argv[1], "args") == 0)
			return mode_args(argc, argv);
		if (strcmp(argv[1], "big") == 0)
			return mode_big(argc, argv);
		if (strcmp(argv[1], "fds") == 0 && argc == 4)
			return mode_fds(argv);
		if (strcmp(argv[1], "pid") == 0 && argc == 4)
			return mode_pid(argv);
		if (strcmp(argv[1], "signals") == 0)
			return mode_signals();
		if (strcmp(argv[1], "script-mode") == 0)
			return mode_script(argc, argv);
		printf("unknown mode\n");
		return 100;
	}
	abi_init();
	abi_tmpname(tmp_dir, sizeof(tmp_dir), "exec");
	if (mkdir(tmp_dir, 0755) == -1) {
		printf("mkdir %s failed\n", "tmp dir");
		return 1;
	}
	test_args();
	test_big_args();
	test_cloexec();
	test_pid_kept();
	test_signals_across_exec();
	test_script();
	test_exec_from_thread();
	test_vfork();
	test_empty_argv();
	test_errors();
	rmdir(tmp_dir);
	return abi_done("exec");
}
