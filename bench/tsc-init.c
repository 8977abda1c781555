/*
 * tsc-init: a first user program for the boot benchmark (bench/run).
 * Its first instruction reads the TSC; it writes "bench: tsc-at-init N"
 * to /bench/tsc-at-init and then execs /sbin/init with the same argv.
 * Under QEMU with -icount shift=0 the guest TSC counts virtual nanoseconds
 * (one per guest instruction, plus any time the CPU spent halted) since
 * the machine started, so N is the virtual time at which the kernel first
 * entered user space. No libc: nothing runs before the rdtsc.
 * Build: gcc -static -nostdlib -O2 -fno-stack-protector -o tsc-init tsc-init.c
 */
typedef unsigned long u64;

#include "nolibc.h"

#define SYS_write 1
#define SYS_open 2
#define SYS_close 3
#define SYS_getpid 39
#define SYS_execve 59
#define SYS_exit 60

__attribute__((used)) void
tsc_main(u64 tsc, long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	char buf[64] = "bench: tsc-at-init ";
	char num[24];
	int n = 0, len = 19;

	do {
		num[n++] = '0' + tsc % 10;
		tsc /= 10;
	} while (tsc);
	while (n)
		buf[len++] = num[--n];
	buf[len++] = '\n';
	/*
	 * Into a file, not the console: Petrel gives init no open fds, and
	 * the one-shot command (`cat /bench/tsc-at-init`) shows it.
	 * Two getpid() first: on Petrel (as of this writing) the first
	 * syscalls of PID 1 came back wrong (open gave 2 on an empty fd
	 * table, then write(2) EBADF); after two harmless ones all is well.
	 */
	sys3(SYS_getpid, 0, 0, 0);
	sys3(SYS_getpid, 0, 0, 0);
	long fd = sys3(SYS_open, (long)"/bench/tsc-at-init",
		       01 | 0100 | 01000 /* O_WRONLY|O_CREAT|O_TRUNC */, 0644);
	if (fd >= 0) {
		sys3(SYS_write, fd, (long)buf, len);
		sys3(SYS_close, fd, 0, 0);
	}
	argv[0] = "/sbin/init";
	sys3(SYS_execve, (long)"/sbin/init", (long)argv, (long)envp);
	sys3(SYS_exit, 127, 0, 0);
}

__asm__(".globl _start\n"
	"_start:\n"
	"	rdtsc\n"
	"	shl $32, %rdx\n"
	"	or %rax, %rdx\n"
	"	mov %rdx, %rdi\n"
	"	mov %rsp, %rsi\n"
	"	and $-16, %rsp\n"
	"	call tsc_main\n"
	"	hlt\n");
