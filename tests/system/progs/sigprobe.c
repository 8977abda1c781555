/*
 * Signal checks that only make sense inside Petrel (tests/system/signals.py):
 * init (pid 1) survives SIGKILL, SIGSTOP and default-action signals from
 * root and cannot be signalled by uid 65534; kill(-1) from uid 65534
 * spares root; a caller blocked on a channel whose server never answers,
 * and one blocked in a file call to a stopped fsd (the kernel's own
 * uninterruptible call), both die of SIGKILL; a late reply to a vanished
 * call is ENOENT. Prints one line per check; exits 1 on the first failure.
 * Argument: a directory served by fsd (/data).
 */
#define _GNU_SOURCE
#include <petrel/native.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOBODY 65534

static void
check(int ok, const char *what, long got)
{
	if (!ok) {
		printf("sigprobe: FAIL %s (got %ld)\n", what, got);
		exit(1);
	}
	printf("sigprobe: ok %s\n", what);
}

/* The call's result as 0 or -errno. */
static long
res(long r)
{
	return r < 0 ? -errno : r;
}

static void
test_init_from_root(void)
{
	static const int sigs[] = { SIGKILL, SIGSTOP, SIGHUP, SIGQUIT, SIGINT };
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		long r = res(kill(1, sigs[i]));
		check(r == 0, "root may signal init (dropped)", r);
		r = res(syscall(SYS_tgkill, 1, 1, sigs[i]));
		check(r == 0, "root may tgkill init (dropped)", r);
	}
	usleep(100000);
	char state = '?';
	FILE *f = fopen("/proc/1/stat", "r");
	if (f) {
		if (fscanf(f, "%*d %*s %c", &state) != 1)
			state = '?';
		fclose(f);
	}
	check(state != '?' && state != 'T' && state != 'Z',
	      "init is alive and not stopped after SIGKILL/SIGSTOP/SIGHUP",
	      state);
}

/* As uid 65534: init is out of reach; kill(-1) reaches nothing of root's. */
static int
nobody_child(void)
{
	if (setresgid(NOBODY, NOBODY, NOBODY) || setresuid(NOBODY, NOBODY, NOBODY))
		return 10;
	if (res(kill(1, SIGTERM)) != -EPERM)
		return 11;
	if (res(syscall(SYS_tgkill, 1, 1, SIGTERM)) != -EPERM)
		return 12;
	if (res(syscall(SYS_tkill, 1, SIGKILL)) != -EPERM)
		return 13;
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_code = SI_QUEUE;
	if (res(syscall(SYS_rt_sigqueueinfo, 1, SIGTERM, &si)) != -EPERM)
		return 14;
	if (res(kill(-1, SIGKILL)) != 0)	/* Linux: 0, though none was hit */
		return 15;
	return 0;
}

static void
test_nobody(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(nobody_child());
	int status = 0;
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "uid 65534 cannot signal init; kill(-1) spares root", status);
	check(kill(1, 0) == 0, "init still there", 0);
}

/* ---- Callers that wait on servers that do not answer ----------------------- */

static pid_t
spawn_caller(pt_handle_t client)
{
	pid_t pid = fork();
	if (pid == 0) {
		uint64_t q = 1, word;
		struct pt_call c = {
			.msg = (uint64_t)&q, .msg_len = sizeof(q),
			.reply = (uint64_t)&word, .reply_cap = sizeof(word),
		};
		pt_channel_call(client, &c);
		_exit(3);
	}
	return pid;
}

static int
killed_by_sigkill(pid_t pid)
{
	int status = 0;
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

static void
test_silent_server(void)
{
	pt_handle_t ends[2];
	check(pt_channel_create(ends) == 0, "channel", 0);
	pid_t pid = spawn_caller(ends[0]);
	struct pt_wait_item w = { ends[1], 0, PT_SIG_READABLE, 0 };
	long st = pt_wait(&w, 1, -1);
	check(st == 1, "the call is queued", st);
	check(killed_by_sigkill(pid), "a queued caller dies of SIGKILL", 0);
	uint64_t q;
	struct pt_recv r = { .msg = (uint64_t)&q, .msg_cap = sizeof(q) };
	st = pt_channel_recv(ends[1], &r, 0);
	check(st == -EAGAIN, "its call is withdrawn", st);

	pid = spawn_caller(ends[0]);
	st = pt_channel_recv(ends[1], &r, -1);
	check(st == 0 && r.pid == pid, "a second call is received", st);
	check(killed_by_sigkill(pid), "a received caller dies of SIGKILL", 0);
	char buf[8];
	st = pt_msg_read(ends[1], r.token, 0, 0, buf, sizeof(buf));
	check(st == -ENOENT, "reading a vanished call: ENOENT", st);
	st = pt_channel_reply(ends[1], r.token, 0, buf, sizeof(buf));
	check(st == -ENOENT, "replying to it: ENOENT", st);
	pt_handle_close(ends[0]);
	pt_handle_close(ends[1]);
}

static pid_t
find_pid(const char *name)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;
	while (d && (e = readdir(d)) && !found) {
		char path[300], comm[32] = "";
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && strncmp(comm, name, strlen(name)) == 0 &&
		    comm[strlen(name)] == '\n')
			found = atoi(e->d_name);
		fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

/* A file call the kernel makes for us, to a stopped fsd, ends on SIGKILL. */
static void
test_stopped_fsd(const char *dir)
{
	pid_t fsd = find_pid("fsd");
	check(fsd > 0, "fsd found", fsd);
	check(kill(fsd, SIGSTOP) == 0, "fsd stopped", 0);
	pid_t pid = fork();
	if (pid == 0) {
		char path[256];
		snprintf(path, sizeof(path), "%s/made-while-stopped", dir);
		mkdir(path, 0755);
		_exit(3);
	}
	usleep(200000);
	check(killed_by_sigkill(pid), "a caller of a stopped fsd dies of SIGKILL", 0);
	check(kill(fsd, SIGCONT) == 0, "fsd continued", 0);
	char path[256];
	snprintf(path, sizeof(path), "%s/after", dir);
	long r = res(mkdir(path, 0755));
	check(r == 0, "fsd serves on", r);
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	test_init_from_root();
	test_nobody();
	test_silent_server();
	if (argc > 1)
		test_stopped_fsd(argv[1]);
	printf("sigprobe: all passed\n");
	return 0;
}
