/*
 * The exception vectors (VBAR_EL1, Arm ARM D1.10.2): sixteen entries of
 * 128 bytes, by where the exception came from (EL1 with SP_EL0, EL1 with
 * SP_EL1, EL0 in AArch64, EL0 in AArch32) and its kind (synchronous,
 * IRQ, FIQ, SError). Each used one saves a struct trapframe (<arch/trap.h>)
 * on the kernel stack and calls trap.c; the rest panic. Also the switch
 * between kernel stacks, a new thread's first return and the FP/SIMD
 * registers' save and load.
 */
#include <arch/trap.h>

	.macro save_frame, el
	sub	sp, sp, #TF_SIZE
	stp	x0, x1, [sp, #16 * 0]
	stp	x2, x3, [sp, #16 * 1]
	stp	x4, x5, [sp, #16 * 2]
	stp	x6, x7, [sp, #16 * 3]
	stp	x8, x9, [sp, #16 * 4]
	stp	x10, x11, [sp, #16 * 5]
	stp	x12, x13, [sp, #16 * 6]
	stp	x14, x15, [sp, #16 * 7]
	stp	x16, x17, [sp, #16 * 8]
	stp	x18, x19, [sp, #16 * 9]
	stp	x20, x21, [sp, #16 * 10]
	stp	x22, x23, [sp, #16 * 11]
	stp	x24, x25, [sp, #16 * 12]
	stp	x26, x27, [sp, #16 * 13]
	stp	x28, x29, [sp, #16 * 14]
	.if \el == 0
	mrs	x21, sp_el0
	.else
	add	x21, sp, #TF_SIZE
	.endif
	stp	x30, x21, [sp, #16 * 15]
	mrs	x22, elr_el1
	mrs	x23, spsr_el1
	stp	x22, x23, [sp, #16 * 16]
	mrs	x24, esr_el1
	mrs	x25, far_el1
	stp	x24, x25, [sp, #16 * 17]
	mov	x0, sp
	.endm

	.macro restore_frame, el
	ldp	x22, x23, [sp, #16 * 16]
	msr	elr_el1, x22
	msr	spsr_el1, x23
	.if \el == 0
	ldr	x21, [sp, #16 * 15 + 8]
	msr	sp_el0, x21
	.endif
	ldp	x0, x1, [sp, #16 * 0]
	ldp	x2, x3, [sp, #16 * 1]
	ldp	x4, x5, [sp, #16 * 2]
	ldp	x6, x7, [sp, #16 * 3]
	ldp	x8, x9, [sp, #16 * 4]
	ldp	x10, x11, [sp, #16 * 5]
	ldp	x12, x13, [sp, #16 * 6]
	ldp	x14, x15, [sp, #16 * 7]
	ldp	x16, x17, [sp, #16 * 8]
	ldp	x18, x19, [sp, #16 * 9]
	ldp	x20, x21, [sp, #16 * 10]
	ldp	x22, x23, [sp, #16 * 11]
	ldp	x24, x25, [sp, #16 * 12]
	ldp	x26, x27, [sp, #16 * 13]
	ldp	x28, x29, [sp, #16 * 14]
	ldr	x30, [sp, #16 * 15]
	add	sp, sp, #TF_SIZE
	eret
	.endm

	/* One vector: a branch to its handler, or a panic naming it. */
	.macro vector, target
	.balign	0x80
	b	\target
	.endm
	.macro bad_vector, which
	.balign	0x80
	mov	x0, #\which
	b	trap_bad_vector
	.endm

	.text
	.balign	2048
	.globl	vectors
vectors:
	bad_vector 0		/* EL1 with SP_EL0: never used */
	bad_vector 1
	bad_vector 2
	bad_vector 3
	vector	el1_sync	/* EL1 with SP_EL1: the kernel */
	vector	el1_irq
	bad_vector 6		/* FIQ */
	bad_vector 7		/* SError */
	vector	el0_sync	/* EL0, AArch64 */
	vector	el0_irq
	bad_vector 10
	bad_vector 11
	bad_vector 12		/* EL0, AArch32: not supported */
	bad_vector 13
	bad_vector 14
	bad_vector 15

el1_sync:
	save_frame 1
	bl	trap_kernel_sync
	restore_frame 1

el1_irq:
	save_frame 1
	bl	trap_irq
	restore_frame 1

el0_sync:
	save_frame 0
	bl	trap_user_sync
	restore_frame 0

el0_irq:
	save_frame 0
	bl	trap_irq
	restore_frame 0

/* A new thread's first run: switch_stacks left sp on its trapframe. */
	.globl	thread_trampoline
thread_trampoline:
	bl	thread_first_run
	mov	x0, sp
	bl	trap_return_to_user
	restore_frame 0

/* switch_stacks(save_sp, load_sp): the AAPCS64 callee-saved registers. */
	.globl	switch_stacks
switch_stacks:
	sub	sp, sp, #96
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	mov	x9, sp
	str	x9, [x0]
	mov	sp, x1
	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #80]
	add	sp, sp, #96
	ret

	.arch_extension fp
	.arch_extension simd
	.globl	fpsimd_save
fpsimd_save:
	stp	q0, q1, [x0, #32 * 0]
	stp	q2, q3, [x0, #32 * 1]
	stp	q4, q5, [x0, #32 * 2]
	stp	q6, q7, [x0, #32 * 3]
	stp	q8, q9, [x0, #32 * 4]
	stp	q10, q11, [x0, #32 * 5]
	stp	q12, q13, [x0, #32 * 6]
	stp	q14, q15, [x0, #32 * 7]
	stp	q16, q17, [x0, #32 * 8]
	stp	q18, q19, [x0, #32 * 9]
	stp	q20, q21, [x0, #32 * 10]
	stp	q22, q23, [x0, #32 * 11]
	stp	q24, q25, [x0, #32 * 12]
	stp	q26, q27, [x0, #32 * 13]
	stp	q28, q29, [x0, #32 * 14]
	stp	q30, q31, [x0, #32 * 15]
	mrs	x9, fpsr
	mrs	x10, fpcr
	str	w9, [x0, #512]
	str	w10, [x0, #516]
	ret

	.globl	fpsimd_load
fpsimd_load:
	ldp	q0, q1, [x0, #32 * 0]
	ldp	q2, q3, [x0, #32 * 1]
	ldp	q4, q5, [x0, #32 * 2]
	ldp	q6, q7, [x0, #32 * 3]
	ldp	q8, q9, [x0, #32 * 4]
	ldp	q10, q11, [x0, #32 * 5]
	ldp	q12, q13, [x0, #32 * 6]
	ldp	q14, q15, [x0, #32 * 7]
	ldp	q16, q17, [x0, #32 * 8]
	ldp	q18, q19, [x0, #32 * 9]
	ldp	q20, q21, [x0, #32 * 10]
	ldp	q22, q23, [x0, #32 * 11]
	ldp	q24, q25, [x0, #32 * 12]
	ldp	q26, q27, [x0, #32 * 13]
	ldp	q28, q29, [x0, #32 * 14]
	ldp	q30, q31, [x0, #32 * 15]
	ldr	w9, [x0, #512]
	ldr	w10, [x0, #516]
	msr	fpsr, x9
	msr	fpcr, x10
	ret
