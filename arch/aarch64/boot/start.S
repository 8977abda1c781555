/*
 * The first instructions: the arm64 Linux Image header (Linux's
 * Documentation/arch/arm64/booting.rst), so that QEMU -kernel, Cloud
 * Hypervisor and Firecracker load this kernel as they load Linux; then EL2
 * down to EL1, the BSS, the boot page tables (early_map.c) and the jump to
 * the kernel's own addresses in the top 2 GiB.
 *
 * Entry as the protocol gives it: x0 the device tree's physical address,
 * MMU and D-cache off, interrupts masked, at EL2 or EL1; the Image at a
 * 2 MiB boundary of RAM plus text_offset (0).
 */
#include <arch/mmu.h>

/* TCR_EL1: 48-bit VAs in TTBR0 and TTBR1 (T0SZ = T1SZ = 16), 4 KiB granules,
 * write-back inner-shareable table walks; IPS is filled from the CPU. */
#define TCR_T0SZ 16
#define TCR_T1SZ (16 << 16)
#define TCR_WALK0 ((1 << 8) | (1 << 10) | (3 << 12))
#define TCR_WALK1 ((1 << 24) | (1 << 26) | (3 << 28))
#define TCR_TG1_4K (2 << 30)
#define TCR_VALUE (TCR_T0SZ | TCR_T1SZ | TCR_WALK0 | TCR_WALK1 | TCR_TG1_4K)
#define TCR_IPS_SHIFT 32
/* SCTLR_EL1: MMU, caches, stack alignment checks, user space's cache
 * maintenance (UCT 15: CTR_EL0 readable at EL0; UCI 26: DC CVAU and IC IVAU
 * at EL0, as Linux allows: __builtin___clear_cache after writing code), and
 * the bits that are RES1 in Armv8.0 (11, 20, 22, 23, 28, 29). */
#define SCTLR_RES1 ((1 << 11) | (1 << 20) | (3 << 22) | (3 << 28))
#define SCTLR_MMU_ON (SCTLR_RES1 | (1 << 0) | (1 << 2) | (1 << 3) | \
		      (1 << 4) | (1 << 12) | (1 << 15) | (1 << 26))
/* HCR_EL2.RW: EL1 runs AArch64. */
#define HCR_RW (1 << 31)
/* SPSR: EL1 with SP_EL1 (EL1h), D, A, I and F masked. */
#define SPSR_EL1H_MASKED 0x3c5

	/*
	 * At EL2: EL1 runs AArch64 with no traps of the counter and timer
	 * (CNTHCTL_EL2.EL1PCTEN, EL1PCEN) and, where the CPU has GICv3's
	 * system registers, may use them (ICC_SRE_EL2.Enable, SRE); then
	 * eret to `target` at EL1, interrupts masked. Uses x9.
	 */
	.macro drop_to_el1, target
	mov	x9, #HCR_RW
	msr	hcr_el2, x9
	mrs	x9, cnthctl_el2
	orr	x9, x9, #3
	msr	cnthctl_el2, x9
	msr	cntvoff_el2, xzr
	mrs	x9, id_aa64pfr0_el1
	ubfx	x9, x9, #24, #4		/* GIC system registers */
	cbz	x9, 1f
	mrs	x9, S3_4_C12_C9_5	/* ICC_SRE_EL2 */
	orr	x9, x9, #1		/* SRE */
	orr	x9, x9, #8		/* Enable: EL1 may too */
	msr	S3_4_C12_C9_5, x9
	isb
1:	mov	x9, #0x33ff		/* CPTR_EL2: no FP/SIMD traps */
	msr	cptr_el2, x9
	ldr	x9, =SCTLR_RES1
	msr	sctlr_el1, x9
	mov	x9, #SPSR_EL1H_MASKED
	msr	spsr_el2, x9
	adr	x9, \target
	msr	elr_el2, x9
	eret
	.endm

	/* The MMU on with the tables in TTBR0 (physical: the identity map)
	 * and x10 (TTBR1). Uses x9 and x11. */
	.macro mmu_on
	ldr	x9, =MAIR_VALUE
	msr	mair_el1, x9
	ldr	x9, =TCR_VALUE
	mrs	x11, id_aa64mmfr0_el1
	and	x11, x11, #7		/* PARange */
	orr	x9, x9, x11, lsl #TCR_IPS_SHIFT
	msr	tcr_el1, x9
	adrp	x9, boot_ttbr0_l0
	msr	ttbr0_el1, x9
	msr	ttbr1_el1, x10
	isb
	tlbi	vmalle1
	dsb	nsh
	ldr	x9, =SCTLR_MMU_ON
	msr	sctlr_el1, x9
	isb
	.endm

	.section .head.text, "ax"
	.globl _start
_start:
	b	entry			/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset: at the 2 MiB boundary */
	.quad	kernel_image_size	/* image_size, BSS included */
	/* flags: little-endian (bit 0 clear), 4 KiB pages (bits 1-2 = 1),
	 * anywhere in RAM (bit 3) */
	.quad	(1 << 1) | (1 << 3)
	.quad	0, 0, 0			/* reserved */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* no PE/COFF header */

	.section .boot.text, "ax"
entry:
	mov	x19, x0			/* the device tree, physical */
	mrs	x21, CurrentEL
	lsr	x21, x21, #2		/* the exception level we came in at */
	cmp	x21, #2
	b.ne	at_el1

	drop_to_el1 at_el1

at_el1:
	msr	daifset, #0xf
	/* With the MMU off, adrp gives physical addresses (it is relative
	 * to the pc): a stack for early_map, which zeroes its tables. */
	adrp	x9, boot_stack_top
	add	sp, x9, :lo12:boot_stack_top
	adrp	x0, kernel_start
	mov	x20, x0			/* the kernel's physical base */
	mov	x1, x19
	bl	early_map
	/* The tables were written with the caches off: drop any stale
	 * lines of them before the walks read them cached. */
	adrp	x9, boot_tables_start
	add	x9, x9, :lo12:boot_tables_start
	adrp	x10, boot_tables_end
	add	x10, x10, :lo12:boot_tables_end
3:	dc	ivac, x9
	add	x9, x9, #64
	cmp	x9, x10
	b.lo	3b
	dsb	sy

	adrp	x10, boot_ttbr1_l0
	mmu_on
	/* Now the identity mapping runs this code; go up to the link address. */
	ldr	x9, =high
	br	x9
high:
	/* Zero the BSS through the caches, now on. */
	ldr	x9, =bss_start
	ldr	x10, =bss_end
2:	stp	xzr, xzr, [x9], #16
	cmp	x9, x10
	b.lo	2b
	ldr	x9, =boot_stack_top
	mov	sp, x9
	mov	x29, xzr		/* the backtrace ends here */
	mov	x30, xzr
	ldr	x9, =vectors
	msr	vbar_el1, x9
	isb
	mov	x0, x19
	mov	x1, x20
	mov	x2, x21
	bl	arch_early_main
4:	wfe
	b	4b

/*
 * Another CPU, started by PSCI CPU_ON (smp.c) as the boot CPU was: MMU
 * off, at EL2 or EL1, x0 the physical address of a struct ap_boot
 * (<arch/boot.h>): the kernel's TTBR1, a stack, its struct cpu.
 */
	.globl	secondary_entry
secondary_entry:
	mov	x19, x0
	mrs	x9, CurrentEL
	lsr	x9, x9, #2
	cmp	x9, #2
	b.ne	ap_at_el1
	drop_to_el1 ap_at_el1
ap_at_el1:
	msr	daifset, #0xf
	ldr	x10, [x19, #0]		/* ttbr1 */
	mmu_on
	ldr	x9, =ap_high
	br	x9
ap_high:
	ldr	x9, =vectors
	msr	vbar_el1, x9
	isb
	/* The identity map still holds x19's page: read the rest there. */
	ldr	x9, [x19, #8]		/* sp */
	mov	sp, x9
	ldr	x0, [x19, #16]		/* cpu */
	mov	x29, xzr
	mov	x30, xzr
	bl	smp_ap_entry
5:	wfe
	b	5b
	.ltorg

	.bss
	.balign 16
	.globl boot_stack_top
boot_stack:
	.space 16384
boot_stack_top:
