/*
 * The 16550 UART at COM1 (I/O port 0x3f8): the kernel's console. Output is
 * polled; input raises IRQ 4, which the tty layer drains with arch_console_getc.
 */
#include <kernel/arch.h>
#include <arch/cpu.h>
#include <arch/entry.h>

#define COM1 0x3f8
#define UART_DATA 0
#define UART_IER 1
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20

/*
 * The FIFO control register is left alone: switching the FIFOs on (or off)
 * flushes them, and input may already be arriving while the kernel boots
 * (a host pipe forwarded by ./petrel). Without the FIFO the UART holds one
 * byte and the host side waits until it is read, so nothing is lost; with a
 * FIFO the firmware enabled, the same holds for sixteen.
 */
void
arch_console_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, 0x80);	/* divisor latch: 115200 baud */
	outb(COM1 + 0, 1);
	outb(COM1 + 1, 0);
	outb(COM1 + UART_LCR, 0x03);	/* 8N1 */
	outb(COM1 + UART_MCR, 0x0b);	/* DTR, RTS, OUT2 (interrupt gate) */
}

/* Asks the UART to interrupt when a byte arrives. */
void
console_enable_irq(void)
{
	outb(COM1 + UART_IER, 0x01);
}

void
arch_console_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		while (!(inb(COM1 + UART_LSR) & LSR_THR_EMPTY))
			pause();
		outb(COM1 + UART_DATA, (uint8_t)s[i]);
	}
}

int
arch_console_getc(void)
{
	if (!(inb(COM1 + UART_LSR) & LSR_DATA_READY))
		return -1;
	return inb(COM1 + UART_DATA);
}
