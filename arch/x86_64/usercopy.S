/*
 * Copies to and from user memory. A page fault inside these instructions
 * that the VM cannot resolve resumes at the fixup, which returns -EFAULT
 * (arch/x86_64/trap.c), so no page is checked before the copy. SMAP is
 * lifted (stac) only between the two macros, for the copy itself; the
 * callers (kernel/include/kernel/vm.h) check the range first.
 */
	.text
	.global arch_copy_user, arch_zero_user
	.global usercopy_start, usercopy_end, usercopy_fixup

.macro USER_BEGIN
	cmpb $0, cpu_has_smap(%rip)
	je 1f
	stac
1:
.endm

.macro USER_END
	cmpb $0, cpu_has_smap(%rip)
	je 1f
	clac
1:
.endm

/* long arch_copy_user(void *dst, const void *src, size_t n): 0 or -EFAULT */
arch_copy_user:
	USER_BEGIN
	mov %rdx, %rcx
	shr $3, %rcx
	and $7, %edx
usercopy_start:
	rep movsq
	mov %edx, %ecx
	rep movsb
	USER_END
	xor %eax, %eax
	ret

/* long arch_zero_user(void *dst, size_t n): 0 or -EFAULT */
arch_zero_user:
	USER_BEGIN
	mov %rsi, %rcx
	xor %eax, %eax
	rep stosb
usercopy_end:
	USER_END
	ret

usercopy_fixup:
	USER_END
	mov $-14, %rax		/* -EFAULT */
	ret

	.section .note.GNU-stack, "", @progbits
