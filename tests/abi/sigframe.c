/*
 * The signal frame a handler gets, and what rt_sigreturn takes back from
 * it: the ucontext 16-byte aligned below the red zone of the interrupted
 * stack or on the alternate stack, the FPU state (MXCSR and an
 * XMM register) saved in uc_mcontext.fpregs and restored on return, an
 * MXCSR the handler changes in the frame taking effect, and a blocking
 * read that a stop and continue interrupt starting over (no handler runs,
 * so the kernel restarts the call itself).
 */
#include "abi.h"

#include <fenv.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <ucontext.h>

#define MXCSR_ROUND 0x6000u	/* rounding-control bits of MXCSR */

static volatile uintptr_t seen_uc, seen_rsp;
static volatile int seen_fpregs, seen_fp_aligned;
static volatile unsigned seen_mxcsr;
static volatile int change_mxcsr;

static void
on_usr1(int sig, siginfo_t *info, void *context)
{
	ucontext_t *uc = context;

	(void)sig, (void)info;
	seen_uc = (uintptr_t)uc;
	seen_rsp = (uintptr_t)uc->uc_mcontext.gregs[REG_RSP];
	seen_fpregs = uc->uc_mcontext.fpregs != NULL;
	if (!seen_fpregs)
		return;
	seen_fp_aligned = ((uintptr_t)uc->uc_mcontext.fpregs & 15) == 0;
	seen_mxcsr = uc->uc_mcontext.fpregs->mxcsr;
	/* The handler's own FPU use must not leak back. */
	fesetround(FE_TOWARDZERO);
	__asm__ volatile("pcmpeqd %%xmm7, %%xmm7" ::: "xmm7");
	if (change_mxcsr)
		uc->uc_mcontext.fpregs->mxcsr =
		    (uc->uc_mcontext.fpregs->mxcsr & ~MXCSR_ROUND) | 0x4000u;
}

static void
handle_usr1(int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_usr1;
	sa.sa_flags = SA_SIGINFO | flags;
	sigaction(SIGUSR1, &sa, NULL);
}

static void
test_layout(void)
{
	handle_usr1(0);
	raise(SIGUSR1);
	CHECK("ucontext 16-byte aligned", (seen_uc & 15) == 0);
	CHECK("frame below the red zone", seen_uc + 128 <= seen_rsp);
	CHECK("fpregs given", seen_fpregs);
	CHECK("fpregs 16-byte aligned", seen_fp_aligned);
}

static void
test_altstack(void)
{
	static char stack[65536] __attribute__((aligned(16)));
	stack_t ss = { .ss_sp = stack, .ss_size = sizeof(stack) };

	sigaltstack(&ss, NULL);
	handle_usr1(SA_ONSTACK);
	raise(SIGUSR1);
	CHECK("frame on the altstack", seen_uc >= (uintptr_t)stack &&
	    seen_uc < (uintptr_t)stack + sizeof(stack));
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);
}

static void
test_fpu(void)
{
	uint64_t lane;
	long nr = SYS_kill;

	handle_usr1(0);
	fesetround(FE_DOWNWARD);
	change_mxcsr = 0;
	/* xmm7 holds a value across the kill; the handler fills it with
	 * ones. The call is made here so no library code touches xmm7. */
	__asm__ volatile("movq %2, %%xmm7\n\t"
			 "syscall\n\t"
			 "movq %%xmm7, %0"
			 : "=r"(lane), "+a"(nr)
			 : "r"(0x1234567890abcdefull),
			   "D"((long)getpid()), "S"((long)SIGUSR1)
			 : "rcx", "r11", "xmm7", "memory");
	CHECK_EQ("MXCSR rounding in the frame", seen_mxcsr & MXCSR_ROUND,
	    0x2000);
	CHECK("xmm7 kept across the handler", lane == 0x1234567890abcdefull);
	CHECK("rounding kept across the handler", fegetround() == FE_DOWNWARD);

	change_mxcsr = 1;
	raise(SIGUSR1);
	change_mxcsr = 0;
	CHECK("MXCSR changed in the frame takes effect",
	    fegetround() == FE_UPWARD);
	fesetround(FE_TONEAREST);
}

static void
test_stop_restart(void)
{
	int fds[2];
	char c = 0;

	if (pipe(fds) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[1]);
		ssize_t n = read(fds[0], &c, 1);
		_exit(n == 1 && c == 'x' ? 0 : n < 0 ? 10 + errno % 100 : 9);
	}
	close(fds[0]);
	struct timespec pause = { 0, 100 * 1000 * 1000 };
	nanosleep(&pause, NULL);
	kill(pid, SIGSTOP);
	int status;
	waitpid(pid, &status, WUNTRACED);
	CHECK_STR("reader", status_str(status), "stopped by SIGSTOP");
	kill(pid, SIGCONT);
	nanosleep(&pause, NULL);
	(void)!write(fds[1], "x", 1);
	waitpid(pid, &status, 0);
	CHECK_STR("read started over after stop and continue",
	    status_str(status), "exited 0");
	close(fds[1]);
}

int
main(void)
{
	abi_init();
	test_layout();
	test_altstack();
	test_fpu();
	test_stop_restart();
	return abi_done("sigframe");
}
