/*
 * Copies where one side is a user address (checked by the caller): a
 * fault inside [usercopy_start, usercopy_end) that the VM cannot resolve
 * resumes at usercopy_fixup (trap.c), which returns -EFAULT. Byte by
 * byte, for now: simple to restart at any fault. Where the CPU has PAN
 * (cpu.c), it is off for the copy alone.
 */
#define PAN_OFF .inst 0xd500409f	/* msr pan, #0 (Armv8.1) */
#define PAN_ON .inst 0xd500419f		/* msr pan, #1 */

	.macro pan_off
	adrp	x9, cpu_has_pan
	ldrb	w9, [x9, :lo12:cpu_has_pan]
	cbz	w9, 9f
	PAN_OFF
9:
	.endm

	.macro pan_on
	adrp	x9, cpu_has_pan
	ldrb	w9, [x9, :lo12:cpu_has_pan]
	cbz	w9, 9f
	PAN_ON
9:
	.endm

	.text
	.globl	usercopy_start, usercopy_end, usercopy_fixup
	.globl	arch_copy_user, arch_zero_user
usercopy_start:
/* long arch_copy_user(void *dst, const void *src, size_t n) */
arch_copy_user:
	pan_off
	cbz	x2, 2f
1:	ldrb	w3, [x1], #1
	strb	w3, [x0], #1
	subs	x2, x2, #1
	b.ne	1b
2:	pan_on
	mov	x0, #0
	ret

/* long arch_zero_user(void *dst, size_t n) */
arch_zero_user:
	pan_off
	cbz	x1, 2f
1:	strb	wzr, [x0], #1
	subs	x1, x1, #1
	b.ne	1b
2:	pan_on
	mov	x0, #0
	ret
usercopy_end:

usercopy_fixup:
	pan_on
	mov	x0, #-14		/* -EFAULT */
	ret
