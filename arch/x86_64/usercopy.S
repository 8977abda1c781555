/*
 * Copies to and from user memory. A page fault inside these instructions
 * that the VM cannot resolve resumes at the fixup, which returns -EFAULT
 * (arch/x86_64/trap.c), so no page is checked before the copy.
 */
	.text
	.global arch_copy_user, arch_zero_user
	.global usercopy_start, usercopy_end, usercopy_fixup

/* long arch_copy_user(void *dst, const void *src, size_t n): 0 or -EFAULT */
arch_copy_user:
	mov %rdx, %rcx
	shr $3, %rcx
	and $7, %edx
usercopy_start:
	rep movsq
	mov %edx, %ecx
	rep movsb
	xor %eax, %eax
	ret

/* long arch_zero_user(void *dst, size_t n): 0 or -EFAULT */
arch_zero_user:
	mov %rsi, %rcx
	xor %eax, %eax
	rep stosb
usercopy_end:
	ret

usercopy_fixup:
	mov $-14, %rax		/* -EFAULT */
	ret

	.section .note.GNU-stack, "", @progbits
