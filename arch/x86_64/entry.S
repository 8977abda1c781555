/*
 * Kernel entry and exit: exception/interrupt stubs, the SYSCALL entry, the
 * common return path and the thread context switch. The kernel runs with
 * interrupts off; only the idle loop enables them.
 */
#include <arch/percpu.h>
#include <arch/trap.h>

/*
 * PUSH_REGS builds struct trapframe (arch/trap.h) from its end down. The
 * six system-call arguments (rdi, rsi, rdx, r10, r8, r9) land at rising
 * addresses, so the dispatcher hands handlers a pointer into the frame
 * instead of copying them.
 */
.macro PUSH_REGS
	pushq %rax
	pushq %r9
	pushq %r8
	pushq %r10
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rcx
	pushq %rbx
	pushq %rbp
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
.endm

.macro POP_REGS
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %rbp
	popq %rbx
	popq %rcx
	popq %rdi
	popq %rsi
	popq %rdx
	popq %r10
	popq %r8
	popq %r9
	popq %rax
.endm

	.text
/* Vectors that push an error code themselves: 8, 10-14, 17, 21, 29, 30. */
.macro STUB n
	.balign 16
	.if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
	.else
	pushq $0
	.endif
	pushq $\n
	jmp trap_common
.endm

	.globl trap_stubs
	.balign 16
trap_stubs:
.altmacro
.set i, 0
.rept 256
	STUB %i
	.set i, i + 1
.endr
.noaltmacro

/*
 * An interrupt gate clears IF, TF and NT but not AC: user code may set it
 * (popf), and a fault inside a user copy arrives with it set (stac). With
 * AC set SMAP is off, so the kernel clears it first thing, as the SYSCALL
 * flag mask (MSR_FMASK) does for system calls. IRET restores the
 * interrupted code's own flags.
 */
trap_common:
	cld
	cmpb $0, cpu_has_smap(%rip)
	je 3f
	clac
3:
	testb $3, TF_CS_ABOVE_VECTOR(%rsp)	/* saved cs: from user? */
	jz 1f
	swapgs
1:	PUSH_REGS
	movq %rsp, %rdi
	call trap_handler
	.globl trap_return
trap_return:
	POP_REGS
	testb $3, TF_CS_ABOVE_VECTOR(%rsp)
	jz 2f
	swapgs
2:	addq $16, %rsp
	iretq

/*
 * SYSCALL: rcx = user rip, r11 = user rflags, interrupts masked by FMASK.
 * Build a trapframe on the thread's kernel stack.
 */
	.globl syscall_entry
syscall_entry:
	swapgs
	movq %rsp, %gs:CPU_USER_RSP
	movq %gs:CPU_KSTACK_TOP, %rsp
	pushq $USER_DS			/* ss */
	pushq %gs:CPU_USER_RSP		/* rsp */
	pushq %r11			/* rflags */
	pushq $USER_CS			/* cs */
	pushq %rcx			/* rip */
	pushq $0			/* error */
	pushq $TRAP_SYSCALL		/* vector */
	PUSH_REGS			/* no cld: MSR_FMASK clears DF */
	movq %rsp, %rdi
	call syscall_handler
	testb %al, %al
	jz trap_return
	/*
	 * The fast way out (syscall_exit_fast): the frame is the one built
	 * above, so rbx, rbp and r12-r15 in the CPU are still the user's
	 * (the C code kept them); the rest come from the frame.
	 */
	addq $32, %rsp			/* r15, r14, r13, r12 */
	popq %r11
	addq $16, %rsp			/* rbp, rbx */
	popq %rcx
	popq %rdi
	popq %rsi
	popq %rdx
	popq %r10
	popq %r8
	popq %r9
	popq %rax
	addq $16, %rsp			/* vector, error */
	swapgs
	iretq

/* void switch_stacks(uint64_t *save_sp, uint64_t load_sp) */
	.globl switch_stacks
switch_stacks:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

/* First run of a new thread: its stack holds a trapframe above this. */
	.globl thread_trampoline
thread_trampoline:
	call thread_first_run
	movq %rsp, %rdi			/* the trapframe */
	call trap_return_to_user
	jmp trap_return

	.section .note.GNU-stack, "", @progbits
