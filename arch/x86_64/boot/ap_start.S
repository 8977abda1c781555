/*
 * Application processor start-up code, copied to physical 0x8000 before the
 * INIT-SIPI-SIPI sequence: real mode -> protected mode -> long mode on the
 * kernel's page tables, then a jump to ap_entry() on the stack given in the
 * parameter block at the end of the page.
 */
#define BASE 0x8000
#define REL(x) ((x) - ap_tramp_start + BASE)

	.section .rodata
	.globl ap_tramp_start, ap_tramp_end
	.code16
ap_tramp_start:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl REL(ap_gdt_ptr)
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $0x08, $REL(ap_prot)

	.code32
ap_prot:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %cr4, %eax
	orl $0x20, %eax			/* PAE */
	movl %eax, %cr4
	movl REL(ap_param_cr3), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx
	rdmsr
	orl $0x900, %eax		/* LME, NXE */
	wrmsr
	movl %cr0, %eax
	orl $0x80010001, %eax		/* PG, WP, PE */
	movl %eax, %cr0
	ljmpl $0x18, $REL(ap_long)

	.code64
ap_long:
	movq REL(ap_param_stack), %rsp
	movq REL(ap_param_cpu), %rdi
	movq REL(ap_param_entry), %rax
	xorl %ebp, %ebp
	jmp *%rax

	.balign 8
ap_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08 32-bit code */
	.quad 0x00cf92000000ffff	/* 0x10 data */
	.quad 0x00af9a000000ffff	/* 0x18 64-bit code */
ap_gdt_ptr:
	.word ap_gdt_ptr - ap_gdt - 1
	.long REL(ap_gdt)

	.balign 8
	.globl ap_param_cr3, ap_param_stack, ap_param_entry, ap_param_cpu
ap_param_cr3: .quad 0
ap_param_stack: .quad 0
ap_param_entry: .quad 0
ap_param_cpu: .quad 0
ap_tramp_end:

	.section .note.GNU-stack, "", @progbits
