/*
 * Device interrupts: handlers by vector, and the acknowledgement.
 */
#ifndef KERNEL_IRQ_H
#define KERNEL_IRQ_H

#define IRQ_VECTOR_TIMER 0x20
#define IRQ_VECTOR_CONSOLE 0x24
#define IRQ_VECTOR_IPI 0xf0
#define IRQ_VECTOR_FLUSH 0xf1
#define IRQ_VECTOR_SPURIOUS 0xff

/* Calls fn (interrupts off, big lock not held) on each interrupt at vector. */
void irq_register(int vector, void (*fn)(void));
/* Signals end of interrupt to the local interrupt controller. */
void irq_eoi(void);
/* Routes legacy ISA interrupt `irq` to `vector` on the boot CPU. */
void irq_route_isa(int irq, int vector);

#endif
