/*
 * clone3(2) and CLONE_PIDFD: struct clone_args of each known size and
 * longer ones (E2BIG unless the tail is zero), the flag and exit-signal
 * checks, a child with its own stack, CLONE_PIDFD's descriptor (it polls
 * readable at the child's exit and waitid(P_PIDFD) reaps by it), the
 * parent and child tid words, CLONE_CLEAR_SIGHAND, set_tid, CLONE_VFORK,
 * a thread, CLONE_INTO_CGROUP on a descriptor that is no cgroup2
 * directory, and clone(2)'s own CLONE_PIDFD.
 */
#include "abi.h"

#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#ifndef __NR_clone3
#define __NR_clone3 435
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x1000
#endif
#define CLONE_CLEAR_SIGHAND_ 0x100000000ULL
#define CLONE_INTO_CGROUP_ 0x200000000ULL
#define P_PIDFD_ 3

struct args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

static long
clone3(struct args *a, size_t size)
{
	return syscall(__NR_clone3, a, size);
}

/* The child's part of a clone3 that returned 0: exits with code. */
static void
child_exit(int code)
{
	syscall(SYS_exit_group, code);
}

static int
reap(pid_t pid)
{
	int status = 0;
	waitpid(pid, &status, __WALL);
	return status;
}

static void
test_sizes(void)
{
	struct args a = { .exit_signal = SIGCHLD };
	CHECK_ERR("size 0", clone3(&a, 0), EINVAL);
	CHECK_ERR("size 63", clone3(&a, 63), EINVAL);
	CHECK_ERR("size past a page", clone3(&a, 4097), E2BIG);
	CHECK_ERR("NULL args", clone3(NULL, sizeof(a)), EFAULT);
	/* A longer struct: a zero tail is fine, a set byte E2BIG. */
	struct { struct args a; uint64_t more; } big = { a, 1 };
	CHECK_ERR("non-zero tail", clone3(&big.a, sizeof(big)), E2BIG);
	big.more = 0;
	fflush(stdout);
	long pid = clone3(&big.a, sizeof(big));
	if (pid == 0)
		child_exit(3);
	CHECK_STR("zero tail: child", status_str(reap(pid)), "exited 3");
	/* Version 0 (64 bytes: up to tls). */
	fflush(stdout);
	pid = clone3(&a, 64);
	if (pid == 0)
		child_exit(4);
	CHECK_STR("size 64: child", status_str(reap(pid)), "exited 4");
}

static void
test_flags(void)
{
	struct args a = { .exit_signal = SIGCHLD };
	a.flags = SIGCHLD;
	CHECK_ERR("exit signal in the flags", clone3(&a, sizeof(a)), EINVAL);
	a.flags = 0;
	a.exit_signal = 0x100;
	CHECK_ERR("exit_signal 256", clone3(&a, sizeof(a)), EINVAL);
	a.exit_signal = SIGCHLD;
	a.flags = 1ULL << 40;
	CHECK_ERR("an unknown high flag", clone3(&a, sizeof(a)), EINVAL);
	a.flags = CLONE_SIGHAND | CLONE_VM | CLONE_CLEAR_SIGHAND_;
	CHECK_ERR("CLONE_SIGHAND with CLONE_CLEAR_SIGHAND", clone3(&a, sizeof(a)), EINVAL);
	a.flags = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;
	CHECK_ERR("CLONE_THREAD with an exit signal", clone3(&a, sizeof(a)), EINVAL);
	a.flags = 0;
	a.stack = 0x10000;
	CHECK_ERR("a stack without a size", clone3(&a, sizeof(a)), EINVAL);
	a.stack = 0;
	a.stack_size = 4096;
	CHECK_ERR("a size without a stack", clone3(&a, sizeof(a)), EINVAL);
	a.stack_size = 0;
	pid_t tid = 5;
	a.set_tid = (uint64_t)(uintptr_t)&tid;
	CHECK_ERR("set_tid without a size", clone3(&a, sizeof(a)), EINVAL);
	a.set_tid = 0;
	a.set_tid_size = 1;
	CHECK_ERR("a size without set_tid", clone3(&a, sizeof(a)), EINVAL);
	a.set_tid_size = 0;
	int fd = open("/", O_RDONLY | O_DIRECTORY);
	a = (struct args){ .flags = CLONE_INTO_CGROUP_, .exit_signal = SIGCHLD,
			   .cgroup = (uint64_t)fd };
	CHECK_ERR("CLONE_INTO_CGROUP, not a cgroup2 directory",
	    clone3(&a, sizeof(a)), EBADF);
	a.cgroup = 1ULL << 33;
	CHECK_ERR("CLONE_INTO_CGROUP, cgroup past INT_MAX", clone3(&a, sizeof(a)), EINVAL);
	close(fd);
}

/*
 * clone3 whose child, on its new stack, touches no memory: it exits at
 * once with 7 if its stack pointer is in [lo, hi], else 8 (C code would
 * use the parent's frame through a stack pointer that moved).
 */
static long
clone3_stack_probe(struct args *a, uintptr_t lo, uintptr_t hi)
{
#if defined(__x86_64__)
	long ret;
	register uintptr_t r12 __asm__("r12") = lo;
	register uintptr_t r13 __asm__("r13") = hi;
	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "mov $8, %%edi\n\t"
			 "cmp %%r12, %%rsp\n\t"
			 "jb 2f\n\t"
			 "cmp %%r13, %%rsp\n\t"
			 "ja 2f\n\t"
			 "mov $7, %%edi\n"
			 "2:\tmov $231, %%eax\n\t"	/* exit_group */
			 "syscall\n"
			 "1:"
			 : "=a"(ret)
			 : "a"(435L), "D"(a), "S"(sizeof(*a)), "r"(r12), "r"(r13)
			 : "rcx", "r11", "memory", "cc");
	return ret;
#elif defined(__aarch64__)
	register long x0 __asm__("x0") = (long)a;
	register long x1 __asm__("x1") = (long)sizeof(*a);
	register uintptr_t x2 __asm__("x2") = lo;
	register uintptr_t x3 __asm__("x3") = hi;
	register long x8 __asm__("x8") = 435;
	__asm__ volatile("svc #0\n\t"
			 "cbnz x0, 1f\n\t"
			 "mov x9, sp\n\t"
			 "mov x0, #8\n\t"
			 "cmp x9, x2\n\t"
			 "b.lo 2f\n\t"
			 "cmp x9, x3\n\t"
			 "b.hi 2f\n\t"
			 "mov x0, #7\n"
			 "2:\tmov x8, #94\n\t"	/* exit_group */
			 "svc #0\n"
			 "1:"
			 : "+r"(x0), "+r"(x8)
			 : "r"(x1), "r"(x2), "r"(x3)
			 : "x9", "memory", "cc");
	return x0;
#endif
}

/* A child on its own stack with a pidfd and both tid words. */
static void
test_pidfd_stack(void)
{
	size_t size = 64 * 1024;
	char *stack = mmap(NULL, size, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int pidfd = -1;
	pid_t ptid = 0, ctid = 0;
	struct args a = {
		.flags = CLONE_PIDFD | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID |
			 CLONE_VM,
		.pidfd = (uint64_t)(uintptr_t)&pidfd,
		.parent_tid = (uint64_t)(uintptr_t)&ptid,
		.child_tid = (uint64_t)(uintptr_t)&ctid,
		.exit_signal = SIGCHLD,
		.stack = (uint64_t)(uintptr_t)stack, .stack_size = size,
	};
	fflush(stdout);
	long pid = clone3_stack_probe(&a, (uintptr_t)stack,
				      (uintptr_t)stack + size);
	CHECK("clone3 with a stack", pid > 0);
	CHECK("pidfd set", pidfd >= 0);
	CHECK_EQ("pidfd is close-on-exec", fcntl(pidfd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	CHECK("parent_tid is the pid", ptid == pid);
	struct pollfd p = { .fd = pidfd, .events = POLLIN };
	CHECK_EQ("pidfd readable at exit", poll(&p, 1, 10000), 1);
	siginfo_t si = { 0 };
	CHECK_OK("waitid(P_PIDFD)", waitid(P_PIDFD_, pidfd, &si, WEXITED));
	CHECK_EQ("its code (7: it ran on the stack given)", si.si_status, 7);
	CHECK("pid by the pidfd", si.si_pid == pid);
	CHECK("child_tid in the shared memory", ctid == pid);
	close(pidfd);
	munmap(stack, size);
}

static void
handler(int sig)
{
	(void)sig;
}

static void
test_clear_sighand(void)
{
	signal(SIGUSR1, handler);
	signal(SIGUSR2, SIG_IGN);
	struct args a = { .flags = CLONE_CLEAR_SIGHAND_, .exit_signal = SIGCHLD };
	fflush(stdout);
	long pid = clone3(&a, sizeof(a));
	if (pid == 0) {
		struct sigaction u1, u2;
		sigaction(SIGUSR1, NULL, &u1);
		sigaction(SIGUSR2, NULL, &u2);
		child_exit((u1.sa_handler == SIG_DFL ? 1 : 0) |
			   (u2.sa_handler == SIG_IGN ? 2 : 0));
	}
	CHECK_STR("CLONE_CLEAR_SIGHAND: SIGUSR1 default, SIGUSR2 ignored",
	    status_str(reap(pid)), "exited 3");
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

/* CLONE_NEWTIME: the child in a time namespace of its own, its
 * handlers kept (CLONE_CLEAR_SIGHAND is another flag). */
static void
test_newtime(void)
{
	char mine[64] = "", theirs[64] = "";
	readlink("/proc/self/ns/time", mine, sizeof(mine) - 1);
	signal(SIGUSR1, handler);
	struct args a = { .flags = 0x80 /* CLONE_NEWTIME */, .exit_signal = SIGCHLD };
	fflush(stdout);
	long pid = clone3(&a, sizeof(a));
	if (pid == 0) {
		struct sigaction u1;
		sigaction(SIGUSR1, NULL, &u1);
		readlink("/proc/self/ns/time", theirs, sizeof(theirs) - 1);
		child_exit((strcmp(mine, theirs) != 0 ? 1 : 0) |
			   (u1.sa_handler == handler ? 2 : 0));
	}
	if (pid < 0)
		printf("CLONE_NEWTIME: %s\n", errno_name(errno));
	else
		CHECK_STR("CLONE_NEWTIME: own time namespace, handler kept",
		    status_str(reap(pid)), "exited 3");
	signal(SIGUSR1, SIG_DFL);
}

/* set_tid: a free id given to the child; a taken one EEXIST. */
static void
test_set_tid(void)
{
	pid_t want = getpid();
	struct args a = { .exit_signal = SIGCHLD,
			  .set_tid = (uint64_t)(uintptr_t)&want, .set_tid_size = 1 };
	CHECK_ERR("set_tid of a taken id", clone3(&a, sizeof(a)), EEXIST);
	want = 0;
	CHECK_ERR("set_tid 0", clone3(&a, sizeof(a)), EINVAL);
	pid_t two[2] = { 0, 0 };
	a.set_tid = (uint64_t)(uintptr_t)two;
	a.set_tid_size = 2;
	CHECK_ERR("set_tid for a level that does not exist", clone3(&a, sizeof(a)), EINVAL);
	/* A free id: one past the next a fork would take, from a child
	   that is gone, so nothing else has it. */
	fflush(stdout);
	pid_t probe = fork();
	if (probe == 0)
		_exit(0);
	reap(probe);
	want = probe + 50;
	a.set_tid = (uint64_t)(uintptr_t)&want;
	a.set_tid_size = 1;
	fflush(stdout);
	long pid = clone3(&a, sizeof(a));
	if (pid == 0)
		child_exit(getpid() == want ? 0 : 1);
	CHECK("set_tid: the child has the id asked", pid == want);
	CHECK_STR("set_tid: the child sees it", status_str(reap(pid)), "exited 0");
}

static void
test_vfork(void)
{
	struct args a = { .flags = CLONE_VFORK | CLONE_VM, .exit_signal = SIGCHLD };
	static volatile int order;
	fflush(stdout);
	long pid = clone3(&a, sizeof(a));
	if (pid == 0) {
		order = 1;	/* before the parent goes on */
		child_exit(0);
	}
	CHECK("CLONE_VFORK: the child ran first", order == 1);
	reap(pid);
}

/* clone(2) with CLONE_PIDFD: the descriptor goes where parent_tid points. */
static void
test_clone_pidfd(void)
{
	int pidfd = -1;
	fflush(stdout);
	long pid = syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, 0, &pidfd, 0, 0);
	if (pid == 0)
		child_exit(9);
	CHECK("clone CLONE_PIDFD: a descriptor", pidfd >= 0);
	siginfo_t si = { 0 };
	CHECK_OK("clone CLONE_PIDFD: waitid", waitid(P_PIDFD_, pidfd, &si, WEXITED));
	CHECK_EQ("clone CLONE_PIDFD: code", si.si_status, 9);
	close(pidfd);
	CHECK_ERR("clone CLONE_PIDFD with CLONE_PARENT_SETTID",
	    syscall(SYS_clone, CLONE_PIDFD | CLONE_PARENT_SETTID | SIGCHLD, 0,
		    &pidfd, 0, 0), EINVAL);
}

int
main(void)
{
	abi_init();
	test_sizes();
	test_flags();
	test_pidfd_stack();
	test_clear_sighand();
	test_newtime();
	test_set_tid();
	test_vfork();
	test_clone_pidfd();
	return abi_done("clone3");
}
