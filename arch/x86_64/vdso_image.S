/*
 * The vDSO's bytes: arch/x86_64/vdso/, linked by the build (mk/vdso.mk)
 * and included here as they are; kernel/linux/vdso.c maps them.
 */
	.section .rodata
	.balign 16
	.globl vdso_image
vdso_image:
	.incbin "vdso.so"
	.globl vdso_image_end
vdso_image_end:

	.section .note.GNU-stack, "", @progbits
