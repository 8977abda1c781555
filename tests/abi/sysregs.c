/*
 * What a system call leaves in the registers, on its fast way back and on
 * the full one: rax the result, rcx the address after the SYSCALL
 * instruction, r11 the flags, every other register as it was. A signal
 * that arrives while a thread makes nothing but fast calls is still taken
 * (the fast path's one test covers pending signals).
 */
#include "abi.h"

#include <sys/syscall.h>
#include <sys/time.h>

/* The registers around one call: set to patterns, read back after. */
struct regs {
	unsigned long rbx, rbp, r12, r13, r14, r15;
	unsigned long rdi, rsi, rdx, r10, r8, r9;
	unsigned long rax, rcx, r11, after, flags;
};

#define PATTERN(i) (0x1111111111111111ul * (i))

/*
 * Loads every register but rsp with a pattern, makes call nr (arguments
 * are patterns too: getppid and getpid ignore them), and stores what
 * came back; `after` is the address the call returned to.
 */
static void
call_with_patterns(long nr, struct regs *out)
{
	__asm__ volatile(
	    "subq $128, %%rsp\n"	/* past the red zone */
	    "pushq %%rbp\n"
	    "pushq %%rbx\n"
	    "pushq %%r12\n"
	    "pushq %%r13\n"
	    "pushq %%r14\n"
	    "pushq %%r15\n"
	    "pushq %1\n"		/* out, for after the call */
	    "movq %0, %%rax\n"
	    "movabsq $0x1111111111111111, %%rbx\n"
	    "movabsq $0x2222222222222222, %%rbp\n"
	    "movabsq $0x3333333333333333, %%r12\n"
	    "movabsq $0x4444444444444444, %%r13\n"
	    "movabsq $0x5555555555555555, %%r14\n"
	    "movabsq $0x6666666666666666, %%r15\n"
	    "movabsq $0x7777777777777777, %%rdi\n"
	    "movabsq $0x8888888888888888, %%rsi\n"
	    "movabsq $0x9999999999999999, %%rdx\n"
	    "movabsq $0xaaaaaaaaaaaaaaaa, %%r10\n"
	    "movabsq $0xbbbbbbbbbbbbbbbb, %%r8\n"
	    "movabsq $0xcccccccccccccccc, %%r9\n"
	    "syscall\n"
	    "1:\n"
	    "xchgq %%rax, (%%rsp)\n"	/* rax kept; rax = out */
	    "movq %%rbx, 0(%%rax)\n"
	    "movq %%rbp, 8(%%rax)\n"
	    "movq %%r12, 16(%%rax)\n"
	    "movq %%r13, 24(%%rax)\n"
	    "movq %%r14, 32(%%rax)\n"
	    "movq %%r15, 40(%%rax)\n"
	    "movq %%rdi, 48(%%rax)\n"
	    "movq %%rsi, 56(%%rax)\n"
	    "movq %%rdx, 64(%%rax)\n"
	    "movq %%r10, 72(%%rax)\n"
	    "movq %%r8, 80(%%rax)\n"
	    "movq %%r9, 88(%%rax)\n"
	    "popq %%rbx\n"
	    "movq %%rbx, 96(%%rax)\n"
	    "movq %%rcx, 104(%%rax)\n"
	    "movq %%r11, 112(%%rax)\n"
	    "leaq 1b(%%rip), %%rbx\n"
	    "movq %%rbx, 120(%%rax)\n"
	    "pushfq\n"
	    "popq %%rbx\n"
	    "movq %%rbx, 128(%%rax)\n"
	    "popq %%r15\n"
	    "popq %%r14\n"
	    "popq %%r13\n"
	    "popq %%r12\n"
	    "popq %%rbx\n"
	    "popq %%rbp\n"
	    "addq $128, %%rsp\n"
	    :
	    : "r"(nr), "r"(out)
	    : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11",
	      "memory", "cc");
}

static void
check_call(const char *name, long nr, long want)
{
	struct regs r;
	char what[80];

	call_with_patterns(nr, &r);
	const unsigned long kept[] = { r.rbx, r.rbp, r.r12, r.r13, r.r14,
		r.r15, r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9 };
	const char *names[] = { "rbx", "rbp", "r12", "r13", "r14", "r15",
		"rdi", "rsi", "rdx", "r10", "r8", "r9" };
	for (int i = 0; i < 12; i++) {
		snprintf(what, sizeof(what), "%s: %s kept", name, names[i]);
		CHECK(what, kept[i] == PATTERN(i + 1));
	}
	snprintf(what, sizeof(what), "%s: rax is the result", name);
	CHECK(what, (long)r.rax == want);
	snprintf(what, sizeof(what), "%s: rcx is the return address", name);
	CHECK(what, r.rcx == r.after);
	/* The flags after the call are r11's (the arithmetic ones aside). */
	snprintf(what, sizeof(what), "%s: r11 holds the flags", name);
	CHECK(what, (r.r11 & 0x200) && (r.r11 & ~0x8d5ul) == (r.flags & ~0x8d5ul));
}

static volatile int alarms;

static void
on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* A thread making only getppid calls still takes an interval timer's
 * signals. */
static void
test_signal_in_loop(void)
{
	struct itimerval it = { { 0, 2000 }, { 0, 2000 } };
	struct itimerval off = { { 0, 0 }, { 0, 0 } };
	signal(SIGALRM, on_alarm);
	setitimer(ITIMER_REAL, &it, NULL);
	for (long i = 0; i < 100000000 && alarms < 3; i++)
		syscall(SYS_getppid);
	setitimer(ITIMER_REAL, &off, NULL);
	signal(SIGALRM, SIG_DFL);
	CHECK("SIGALRM taken during a getppid loop", alarms >= 3);
}

int
main(void)
{
	abi_init();
	long ppid = getppid();
	check_call("getppid", SYS_getppid, ppid);
	check_call("getpid", SYS_getpid, getpid());
	/* An unknown call leaves by the fast path with -ENOSYS. */
	check_call("unknown call", 1000, -ENOSYS);
	test_signal_in_loop();
	return abi_done("sysregs");
}
