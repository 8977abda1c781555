/*
 * A handler's frame that cannot be written (its alternate stack made
 * read-only) forces a SIGSEGV, as Linux's force_sigsegv: SIGSEGV's own
 * handler, on the normal stack, runs with si_code SI_KERNEL, the first
 * handler never does, and the program goes on. When it is SIGSEGV's own
 * frame that cannot be written, or SIGSEGV is blocked, the process dies
 * of SIGSEGV. (LTP's signal06 makes the stack read-only from another
 * thread while signals arrive.)
 */
#include "abi.h"

#include <sys/mman.h>

#define ALT_SIZE (64 * 1024)

static volatile int usr1_runs, segv_runs, segv_code;

static void
on_usr1(int sig)
{
	(void)sig;
	usr1_runs++;
}

static void
on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	segv_runs++;
	segv_code = si->si_code;
}

/* An alternate stack, then made read-only. */
static void
readonly_altstack(void)
{
	void *alt = mmap(NULL, ALT_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	stack_t st = { .ss_sp = alt, .ss_size = ALT_SIZE };
	sigaltstack(&st, NULL);
	mprotect(alt, ALT_SIZE, PROT_READ);
}

static void
handler(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa = { .sa_handler = fn, .sa_flags = flags };
	sigaction(sig, &sa, NULL);
}

/* In a child: SIGSEGV's own handler on the read-only stack, or a
 * SIGSEGV it blocks; the child's wait status. */
static const char *
child_status(int segv_flags, int block)
{
	pid_t pid = fork();
	if (pid == 0) {
		segv_runs = 0;
		readonly_altstack();
		struct sigaction sa = { .sa_sigaction = on_segv,
					.sa_flags = SA_SIGINFO | segv_flags };
		sigaction(SIGSEGV, &sa, NULL);
		handler(SIGUSR1, on_usr1, SA_ONSTACK);
		if (block) {
			sigset_t set;
			sigemptyset(&set);
			sigaddset(&set, SIGSEGV);
			sigprocmask(SIG_BLOCK, &set, NULL);
		}
		raise(SIGUSR1);
		_exit(segv_runs == 1 ? 3 : 4);
	}
	int status;
	waitpid(pid, &status, 0);
	return status_str(status);
}

int
main(void)
{
	abi_init();
	readonly_altstack();
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
	sigaction(SIGSEGV, &sa, NULL);
	handler(SIGUSR1, on_usr1, SA_ONSTACK);
	raise(SIGUSR1);
	CHECK_EQ("SIGUSR1's handler runs", usr1_runs, 0);
	CHECK_EQ("SIGSEGV's handler runs", segv_runs, 1);
	CHECK_EQ("its si_code is SI_KERNEL", segv_code, SI_KERNEL);
	raise(SIGUSR1);
	CHECK_EQ("and again", segv_runs, 2);
	CHECK_STR("SIGSEGV's own frame", child_status(SA_ONSTACK, 0),
		  "killed by SIGSEGV");
	CHECK_STR("SIGSEGV blocked", child_status(0, 1), "killed by SIGSEGV");
	CHECK_STR("SIGSEGV caught", child_status(0, 0), "exited 3");
	return abi_done("sigframe_fault");
}
