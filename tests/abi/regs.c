/*
 * Registers that user space hands the kernel: a TLS base for clone
 * (CLONE_SETTLS) or arch_prctl that is not a user address is refused with
 * EPERM; a signal frame whose RIP is not canonical, or is a kernel
 * address, and a handler at such an address end the process with SIGSEGV;
 * rt_sigreturn keeps IOPL and NT out of the flags; EFLAGS.AC set by the
 * program survives a system call and a page fault (the kernel clears it
 * only for itself).
 */
#include "abi.h"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>

#define NONCANONICAL 0x8000000000000000ul
#define KERNEL_ADDR 0xffff800000000000ul
#define FLAG_IOPL 0x3000ul
#define FLAG_NT 0x4000ul
#define FLAG_AC 0x40000ul

/* A raw clone that, if it makes a child, has it leave at once. */
static long
clone_settls(unsigned long tls)
{
	long r;
	register unsigned long r10 __asm__("r10") = 0;
	register unsigned long r8 __asm__("r8") = tls;

	__asm__ volatile("syscall\n"
			 "testq %%rax, %%rax\n"
			 "jnz 1f\n"
			 "movl $231, %%eax\n"	/* exit_group(0), no TLS touched */
			 "xorl %%edi, %%edi\n"
			 "syscall\n"
			 "1:"
			 : "=a"(r)
			 : "a"(SYS_clone), "D"(0x80000ul | SIGCHLD), "S"(0),
			   "d"(0), "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	return r;
}

static void
reap_any(void)
{
	int status;

	while (waitpid(-1, &status, WNOHANG) > 0)
		;
}

static void
test_tls(void)
{
	CHECK_STR("clone tls non-canonical",
	    errno_name((int)-clone_settls(NONCANONICAL)), "EPERM");
	CHECK_STR("clone tls kernel", errno_name((int)-clone_settls(KERNEL_ADDR)),
	    "EPERM");
	reap_any();
	CHECK_ERR("arch_prctl SET_FS non-canonical",
	    syscall(SYS_arch_prctl, 0x1002, NONCANONICAL), EPERM);
	CHECK_ERR("arch_prctl SET_FS kernel",
	    syscall(SYS_arch_prctl, 0x1002, KERNEL_ADDR), EPERM);
	CHECK_EQ("ARCH_GET_CPUID", syscall(SYS_arch_prctl, 0x1011, 0), 1);
}

static unsigned long return_rip;

static void
on_usr1_set_rip(int sig, siginfo_t *info, void *context)
{
	ucontext_t *uc = context;

	(void)sig, (void)info;
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)return_rip;
}

/* Child: returns from a handler to return_rip; must not come back. */
static void
child_sigreturn_to(unsigned long rip)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_usr1_set_rip;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	return_rip = rip;
	raise(SIGUSR1);
	_exit(3);
}

static void
on_segv_report(int sig, siginfo_t *info, void *context)
{
	char line[96];
	int n;

	(void)sig, (void)context;
	n = snprintf(line, sizeof(line), "  SIGSEGV si_code %d, si_addr %s\n",
	    info->si_code, info->si_addr == (void *)return_rip ? "rip" :
	    info->si_addr ? "other" : "0");
	write(1, line, n);
	_exit(0);
}

/* Child: as child_sigreturn_to, and reports the SIGSEGV it gets. */
static void
child_sigreturn_reported(unsigned long rip)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv_report;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	child_sigreturn_to(rip);
}

/* Child: a handler at an address no user code can be at. */
static void
child_handler_at(unsigned long rip)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = (void (*)(int))rip;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	_exit(3);
}

static const char *
run_child(void (*fn)(unsigned long), unsigned long arg)
{
	pid_t pid = abi_fork();

	if (pid == 0) {
		alarm(ABI_WATCHDOG);
		fn(arg);
	}
	return status_str(abi_wait(pid));
}

static void
test_bad_rip(void)
{
	CHECK_STR("sigreturn to non-canonical rip",
	    run_child(child_sigreturn_to, NONCANONICAL), "killed by SIGSEGV");
	CHECK_STR("sigreturn to 0x0000800000000000",
	    run_child(child_sigreturn_to, 0x0000800000000000ul),
	    "killed by SIGSEGV");
	CHECK_STR("sigreturn to kernel rip",
	    run_child(child_sigreturn_to, KERNEL_ADDR), "killed by SIGSEGV");
	fflush(stdout);
	CHECK_STR("non-canonical rip, reported",
	    run_child(child_sigreturn_reported, NONCANONICAL), "exited 0");
	fflush(stdout);
	CHECK_STR("kernel rip, reported",
	    run_child(child_sigreturn_reported, KERNEL_ADDR), "exited 0");
	CHECK_STR("handler at non-canonical address",
	    run_child(child_handler_at, NONCANONICAL), "killed by SIGSEGV");
}

static void
on_usr1_set_flags(int sig, siginfo_t *info, void *context)
{
	ucontext_t *uc = context;

	(void)sig, (void)info;
	uc->uc_mcontext.gregs[REG_EFL] |= FLAG_IOPL | FLAG_NT;
}

static unsigned long
read_flags(void)
{
	unsigned long f;

	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f;
}

static void
test_sigreturn_flags(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_usr1_set_flags;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	unsigned long f = read_flags();
	CHECK_EQ("sigreturn IOPL", f & FLAG_IOPL, 0);
	CHECK_EQ("sigreturn NT", f & FLAG_NT, 0);
	signal(SIGUSR1, SIG_DFL);
}

/*
 * With AC set, Linux checks alignment in user mode: everything between
 * setting and clearing it is in one asm block of aligned accesses.
 */
static unsigned long
ac_across_syscall(void)
{
	unsigned long f;

	__asm__ volatile("pushfq\n"
			 "orl $0x40000, (%%rsp)\n"
			 "popfq\n"
			 "movl $39, %%eax\n"	/* getpid */
			 "syscall\n"
			 "pushfq\n"
			 "popq %0\n"
			 "pushq %0\n"
			 "andl $~0x40000, (%%rsp)\n"
			 "popfq\n"
			 : "=r"(f)
			 :
			 : "rax", "rcx", "r11", "memory", "cc");
	return f;
}

static unsigned long
ac_across_fault(volatile char *fresh)
{
	unsigned long f;

	__asm__ volatile("pushfq\n"
			 "orl $0x40000, (%%rsp)\n"
			 "popfq\n"
			 "movb $1, (%1)\n"	/* first touch: a page fault */
			 "pushfq\n"
			 "popq %0\n"
			 "pushq %0\n"
			 "andl $~0x40000, (%%rsp)\n"
			 "popfq\n"
			 : "=&r"(f)
			 : "r"(fresh)
			 : "memory", "cc");
	return f;
}

static void
test_ac(void)
{
	char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK_EQ("AC kept across a system call", ac_across_syscall() & FLAG_AC,
	    FLAG_AC);
	CHECK_EQ("AC kept across a page fault", ac_across_fault(page) & FLAG_AC,
	    FLAG_AC);
	CHECK_EQ("page written", page[0], 1);
	CHECK_EQ("AC clear after", read_flags() & FLAG_AC, 0);
	munmap(page, 4096);
}

int
main(void)
{
	abi_init();
	test_tls();
	test_bad_rip();
	test_sigreturn_flags();
	test_ac();
	return abi_done("regs");
}
