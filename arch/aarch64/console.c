/*
 * The console: the PL011 UART the device tree names (QEMU virt's at
 * 0x09000000) through the direct map's device memory; output polled, input
 * by its receive interrupt (devices.c). Output before the device tree is
 * read is dropped.
 */
#include <kernel/arch.h>
#include <arch/boot.h>
#include <arch/mmu.h>

#define UART_DR 0x00
#define UART_FR 0x18
#define UART_CR 0x30
#define UART_IMSC 0x38
#define UART_ICR 0x44
#define INT_RX_TIMEOUT ((1u << 4) | (1u << 6))	/* RXIM/RXIC, RTIM/RTIC */
#define FR_RXFE (1u << 4)	/* receive FIFO empty */
#define FR_TXFF (1u << 5)	/* transmit FIFO full */
#define CR_ENABLE 0x301u	/* UARTEN, TXE, RXE */

static volatile uint32_t *uart;

static uint32_t
uart_read(unsigned off)
{
	return uart[off / 4];
}

static void
uart_write(unsigned off, uint32_t v)
{
	uart[off / 4] = v;
}

void
arch_console_init(void)
{
	if (fdt.uart == 0)
		return;
	uart = phys_to_virt(fdt.uart);
	/* The firmware set the line up (QEMU needs none); make sure it is on. */
	if ((uart_read(UART_CR) & CR_ENABLE) != CR_ENABLE)
		uart_write(UART_CR, uart_read(UART_CR) | CR_ENABLE);
}

void
arch_console_write(const char *s, size_t n)
{
	if (!uart)
		return;
	for (size_t i = 0; i < n; i++) {
		while (uart_read(UART_FR) & FR_TXFF)
			;
		uart_write(UART_DR, (uint8_t)s[i]);
	}
}

/* Drained: the receive interrupts are cleared for the next byte. */
int
arch_console_getc(void)
{
	if (!uart)
		return -1;
	if (uart_read(UART_FR) & FR_RXFE) {
		uart_write(UART_ICR, INT_RX_TIMEOUT);
		return -1;
	}
	return (int)(uart_read(UART_DR) & 0xff);
}

void
console_enable_irq(void)
{
	if (uart)
		uart_write(UART_IMSC, INT_RX_TIMEOUT);
}
