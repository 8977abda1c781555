/*
 * Boot-time device setup on x86_64: ACPI tables, the interrupt controllers,
 * the timer, the console interrupt; and QEMU's fw_cfg, through which
 * ./petrel passes the per-run command line.
 */
#include <kernel/arch.h>
#include <kernel/irq.h>
#include <kernel/cpu.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/tty.h>
#include <arch/acpi.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/entry.h>

void
arch_devices_init(void)
{
	acpi_init();
	if (acpi.cpu_count > 0)
		cpu_count = acpi.cpu_count;
	pic_disable();
	lapic_init();
	cpus[0].arch.apic_id = lapic_id();
	arch_timer_init();
	irq_register(IRQ_VECTOR_CONSOLE, tty_console_irq);
	irq_route_isa(4, IRQ_VECTOR_CONSOLE);
	console_enable_irq();
}

/* No device tree here: virtio-mmio slots come from the command line and
 * the DSDT (kernel/ipc/virtio_mmio.c). */
unsigned
arch_virtio_mmio_slots(struct mmio_slot *slots, unsigned max)
{
	(void)slots;
	(void)max;
	return 0;
}

#define FW_CFG_SEL 0x510
#define FW_CFG_DATA 0x511
#define FW_CFG_SIGNATURE 0x0000
#define FW_CFG_FILE_DIR 0x0019

/* n bytes of the selected item, by one string instruction: the boot reads
 * some 600 (the file directory's entries up to the command line's). */
static void
fw_read(void *buf, size_t n)
{
	__asm__ volatile("rep insb"
			 : "+D"(buf), "+c"(n)
			 : "d"((uint16_t)FW_CFG_DATA)
			 : "memory");
}

static uint32_t
be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

size_t
arch_fw_cmdline(char *buf, size_t size)
{
	char sig[4];
	outw(FW_CFG_SEL, FW_CFG_SIGNATURE);
	fw_read(sig, 4);
	if (memcmp(sig, "QEMU", 4) != 0)
		return 0;
	uint8_t cnt[4];
	outw(FW_CFG_SEL, FW_CFG_FILE_DIR);
	fw_read(cnt, 4);
	uint32_t n = be32(cnt);
	for (uint32_t i = 0; i < n && i < 4096; i++) {
		uint8_t e[64];
		fw_read(e, sizeof(e));
		if (strncmp((char *)e + 8, "opt/petrel/cmdline", 56) != 0)
			continue;
		uint32_t len = be32(e);
		uint16_t sel = (uint16_t)((e[4] << 8) | e[5]);
		size_t take = MIN((size_t)len, size - 1);
		outw(FW_CFG_SEL, sel);
		fw_read(buf, take);
		buf[take] = 0;
		/* Newlines from a file become spaces; stop at a NUL. */
		for (size_t k = 0; k < take; k++) {
			if (buf[k] == 0) {
				take = k;
				break;
			}
			if (buf[k] == '\n' || buf[k] == '\r')
				buf[k] = ' ';
		}
		return take;
	}
	return 0;
}
