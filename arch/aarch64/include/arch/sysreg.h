/*
 * AArch64 system registers, barriers and the few instructions C needs,
 * for arch/aarch64/ alone.
 */
#ifndef ARCH_SYSREG_H
#define ARCH_SYSREG_H

#include <kernel/types.h>

#define read_sysreg(name) ({                                          \
	uint64_t v_;                                                  \
	__asm__ volatile("mrs %0, " #name : "=r"(v_));                \
	v_;                                                           \
})
#define write_sysreg(name, v) \
	__asm__ volatile("msr " #name ", %0" : : "r"((uint64_t)(v)) : "memory")

#define isb() __asm__ volatile("isb" : : : "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt : : : "memory")

/* ESR_EL1's exception classes this kernel names (Arm ARM D17.2.37). */
#define ESR_EC(esr) (((esr) >> 26) & 0x3f)
#define EC_UNKNOWN 0x00
#define EC_WFX 0x01
#define EC_FPSIMD 0x07
#define EC_ILLEGAL 0x0e
#define EC_SVC64 0x15
#define EC_SYSREG 0x18
#define EC_IABT_LOW 0x20
#define EC_IABT_CUR 0x21
#define EC_PC_ALIGN 0x22
#define EC_DABT_LOW 0x24
#define EC_DABT_CUR 0x25
#define EC_SP_ALIGN 0x26
#define EC_SERROR 0x2f
#define EC_BRK64 0x3c

#endif
