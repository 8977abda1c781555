/*
 * Local APIC registers and helpers (arch/x86_64/apic.c).
 */
#ifndef ARCH_APIC_H
#define ARCH_APIC_H

#include <kernel/types.h>

#define LAPIC_ID 0x20
#define LAPIC_TPR 0x80
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_TIMER 0x320
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0

void lapic_init(void);
uint32_t lapic_read(uint32_t reg);
void lapic_write(uint32_t reg, uint32_t v);
uint32_t lapic_id(void);
void lapic_send_ipi(uint32_t apic_id, uint32_t icr);
void pic_disable(void);

#endif
