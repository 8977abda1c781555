/*
 * First instructions: the PVH and Multiboot2 entries (32-bit protected mode,
 * paging off), the switch to long mode with boot page tables, and the jump to
 * the higher-half kernel. Both entries end in boot_start(kind, info_paddr).
 */
#define KERNEL_VBASE 0xffffffff80000000
#define PHYS(x) ((x) - KERNEL_VBASE)
#define MB2_MAGIC 0xe85250d6
#define BOOT_PVH 1
#define BOOT_MB2 2

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long 0
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + (mb2_header_end - mb2_header))
	/* entry address tag: GRUB jumps here, not to the higher-half e_entry */
	.balign 8
	.word 3, 0
	.long 12
	.long PHYS(mb2_start32)
	.balign 8
	.word 0, 0
	.long 8
mb2_header_end:

	.section .note.pvh, "a"
	.balign 4
	.long 4				/* name size */
	.long 4				/* desc size */
	.long 18			/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long PHYS(pvh_start32)

	.section .boot.text, "ax"
	.code32
	.globl pvh_start32
pvh_start32:
	rdtsc
	movl %eax, PHYS(boot_tsc)
	movl %edx, PHYS(boot_tsc) + 4
	movl $BOOT_PVH, %esi
	jmp common32

mb2_start32:
	movl %eax, %ecx
	rdtsc
	movl %eax, PHYS(boot_tsc)
	movl %edx, PHYS(boot_tsc) + 4
	movl $BOOT_MB2, %esi
	cmpl $0x36d76289, %ecx
	je common32
	movl $0, %esi

common32:
	/* esi = boot kind, ebx = boot information (physical) */
	movl $PHYS(boot_stack_top), %esp
	movl %esi, PHYS(boot_kind)
	movl %ebx, PHYS(boot_info)

	/* PML4[0] and PML4[256] -> identity/direct map of 4 GiB; PML4[511] -> kernel */
	movl $PHYS(boot_pdpt_low), %eax
	orl $3, %eax
	movl %eax, PHYS(boot_pml4)
	movl %eax, PHYS(boot_pml4) + 256 * 8
	movl $PHYS(boot_pdpt_high), %eax
	orl $3, %eax
	movl %eax, PHYS(boot_pml4) + 511 * 8

	/*
	 * 0..4 GiB in four 1 GiB pages where the CPU has them (CPUID
	 * 0x80000001: EDX bit 26): the 2,048 entries of 2 MiB pages
	 * below took 16 k instructions, most of the boot before kmain.
	 */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb 3f
	movl $0x80000001, %eax
	cpuid
	btl $26, %edx
	jnc 3f
	movl $0x00000083, PHYS(boot_pdpt_low)	/* present, writable, 1 GiB */
	movl $0x40000083, PHYS(boot_pdpt_low) + 8
	movl $0x80000083, PHYS(boot_pdpt_low) + 16
	movl $0xc0000083, PHYS(boot_pdpt_low) + 24
	movl $0x00000083, PHYS(boot_pdpt_high) + 510 * 8
	movl $0x40000083, PHYS(boot_pdpt_high) + 511 * 8
	jmp 4f
3:	/* else four page directories of 2 MiB pages */
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax			/* present, writable, 2 MiB */
	movl %ecx, %edx
	shrl $11, %edx			/* high bits of ecx << 21 */
	movl %eax, PHYS(boot_pd)(,%ecx,8)
	movl %edx, PHYS(boot_pd) + 4(,%ecx,8)
	incl %ecx
	cmpl $2048, %ecx
	jne 1b
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $12, %eax
	addl $PHYS(boot_pd), %eax
	orl $3, %eax
	movl %eax, PHYS(boot_pdpt_low)(,%ecx,8)
	incl %ecx
	cmpl $4, %ecx
	jne 2b
	/* -2 GiB: PDPT[510] -> first GiB, PDPT[511] -> second GiB */
	movl $PHYS(boot_pd), %eax
	orl $3, %eax
	movl %eax, PHYS(boot_pdpt_high) + 510 * 8
	addl $4096, %eax
	movl %eax, PHYS(boot_pdpt_high) + 511 * 8

4:	movl %cr4, %eax
	orl $0x20, %eax			/* PAE */
	movl %eax, %cr4
	movl $PHYS(boot_pml4), %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx		/* EFER: long mode, NX */
	rdmsr
	orl $0x900, %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80010001, %eax		/* paging, write protect, protected mode */
	movl %eax, %cr0
	lgdt PHYS(boot_gdt_ptr)
	ljmp $0x08, $PHYS(long64)

	.code64
long64:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movabsq $higher_half, %rax
	jmp *%rax

	.text
higher_half:
	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	movl boot_kind(%rip), %edi
	movl boot_info(%rip), %esi
	call boot_start
3:	cli
	hlt
	jmp 3b

	.section .rodata
	.balign 16
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 64-bit code */
	.quad 0x00cf92000000ffff	/* data */
boot_gdt_end:
	.section .boot.text, "ax"
	.balign 8
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.long PHYS(boot_gdt)

	.data
	.globl boot_tsc
	.balign 8
boot_tsc: .quad 0
boot_kind: .long 0
boot_info: .long 0

	.bss
	.balign 4096
	.globl boot_pml4
boot_pml4: .skip 4096
boot_pdpt_low: .skip 4096
boot_pdpt_high: .skip 4096
boot_pd: .skip 4 * 4096
	.globl boot_stack_top
boot_stack: .skip 16384
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
