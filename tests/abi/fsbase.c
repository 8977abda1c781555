/*
 * The FS base across switches between two processes of one static
 * program, which have their TLS at the same address: a child that changes
 * its own FS base behind the kernel's back, by loading the user data
 * selector into FS (the base becomes the descriptor's, 0), must not leave
 * its parent running with that base. Petrel writes the
 * FS base register on a switch only when the next thread's base differs
 * from what the register holds, read back at the switch
 * (arch/x86_64/switch.c); a kernel that compared the bases it recorded
 * would skip the write here, and the parent would fault on its next TLS
 * access.
 */
#include "abi.h"

#include <sys/syscall.h>

#define ROUNDS 200

/* A system call with no libc: the child has no TLS (no errno) left. */
static long
raw3(long nr, long a, long b, long c)
{
	long r;
	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}

/* The TLS block's self pointer, read through FS: its own address when
 * the FS base is right. */
static unsigned long
fs_self(void)
{
	unsigned long v;
	__asm__ volatile("movq %%fs:0, %0" : "=r"(v));
	return v;
}

/* Passes a byte back and forth ROUNDS times, loading FS with SS's
 * selector (base 0) before each answer. */
static _Noreturn void
child(int in, int out)
{
	char b = 0;
	for (int i = 0; i < ROUNDS; i++) {
		if (raw3(SYS_read, in, (long)&b, 1) != 1)
			raw3(SYS_exit_group, 2, 0, 0);
		__asm__ volatile("movw %%ss, %%ax\n\tmovw %%ax, %%fs" : : :
				 "rax", "memory");
		if (raw3(SYS_write, out, (long)&b, 1) != 1)
			raw3(SYS_exit_group, 2, 0, 0);
	}
	raw3(SYS_exit_group, 0, 0, 0);
	for (;;)
		;
}

int
main(void)
{
	abi_init();
	int to_child[2], to_parent[2];
	CHECK("pipes", pipe(to_child) == 0 && pipe(to_parent) == 0);
	unsigned long self = fs_self();
	pid_t pid = fork();
	if (pid == 0)
		child(to_child[0], to_parent[1]);
	int intact = 1;
	char b = 0;
	for (int i = 0; i < ROUNDS; i++) {
		if (write(to_child[1], &b, 1) != 1 || read(to_parent[0], &b, 1) != 1)
			break;
		if (fs_self() != self)
			intact = 0;
	}
	int status = -1;
	waitpid(pid, &status, 0);
	CHECK("the child passed every byte and exited 0",
	      WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK("the parent's TLS is intact after each switch back", intact);
	return abi_done("fsbase");
}
