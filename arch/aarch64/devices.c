/*
 * Boot-time device setup on AArch64: the GIC, the timer, the console's
 * receive interrupt; the device tree's virtio-mmio transports for the
 * servers; and QEMU's fw_cfg (memory-mapped on virt), through which
 * ./petrel passes the per-run command line.
 */
#include <kernel/arch.h>
#include <kernel/irq.h>
#include <kernel/printk.h>
#include <kernel/tty.h>
#include <kernel/string.h>
#include <arch/boot.h>
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <arch/trap.h>

/* What the boot found, once the command line has said whether to be
 * quiet. */
static void
report_machine(void)
{
	pr_info("aarch64: device tree at %#lx, kernel at %#lx; GICv%d, "
		"timer PPI %d, PSCI by %s, %d CPU%s in the tree, %d virtio-mmio "
		"transports; PAN %s\n",
		fdt.blob, kernel_phys_base, fdt.gic_version, fdt.timer_ppi,
		fdt.psci ? (fdt.psci_hvc ? "hvc" : "smc") : "(none)",
		fdt.cpus, fdt.cpus == 1 ? "" : "s", fdt.virtio_count,
		cpu_has_pan ? "on" : "absent");
}

void
arch_devices_init(void)
{
	report_machine();
	gic_init();
	arch_timer_init();
	if (fdt.uart_irq) {
		irq_register(IRQ_VECTOR_CONSOLE, tty_console_irq);
		console_enable_irq();
	}
}

/*
 * The transports in the reverse of the tree's order: QEMU virt lists them
 * lowest address first but gives the first -device the highest, so the
 * devices come in the order of QEMU's command line (./petrel's first
 * --disk is the first virtio-blk), as on microvm. An empty transport
 * (device ID 0) is left out by the caller.
 */
unsigned
arch_virtio_mmio_slots(struct mmio_slot *slots, unsigned max)
{
	unsigned n = 0;
	for (int i = fdt.virtio_count - 1; i >= 0 && n < max; i--)
		slots[n++] = (struct mmio_slot){ fdt.virtio[i].base,
						 fdt.virtio[i].size,
						 (uint32_t)fdt.virtio[i].intid };
	return n;
}

/* fw_cfg's registers (QEMU's docs/specs/fw_cfg.rst): data, then the
 * selector, big-endian. */
#define FW_CFG_DATA 0x0
#define FW_CFG_SEL 0x8
#define FW_CFG_SIGNATURE 0x0000
#define FW_CFG_FILE_DIR 0x0019
#define FW_CFG_FILES_MAX 4096

static volatile uint8_t *fw_cfg;

static void
fw_select(uint16_t key)
{
	*(volatile uint16_t *)(fw_cfg + FW_CFG_SEL) = __builtin_bswap16(key);
}

static void
fw_read(void *buf, size_t n)
{
	uint8_t *p = buf;
	for (size_t i = 0; i < n; i++)
		p[i] = fw_cfg[FW_CFG_DATA];
}

static uint32_t
fw_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* The file "opt/petrel/cmdline" into buf, newlines as spaces, up to a
 * NUL; its length, 0 if there is none. */
size_t
arch_fw_cmdline(char *buf, size_t size)
{
	if (!fdt.fw_cfg || size == 0)
		return 0;
	fw_cfg = phys_to_virt(fdt.fw_cfg);
	char sig[4];
	fw_select(FW_CFG_SIGNATURE);
	fw_read(sig, sizeof(sig));
	if (memcmp(sig, "QEMU", 4) != 0)
		return 0;
	uint8_t count[4];
	fw_select(FW_CFG_FILE_DIR);
	fw_read(count, sizeof(count));
	uint32_t n = fw_be32(count);
	for (uint32_t i = 0; i < n && i < FW_CFG_FILES_MAX; i++) {
		uint8_t e[64];	/* size, select, reserved, name[56] */
		fw_read(e, sizeof(e));
		if (strncmp((char *)e + 8, "opt/petrel/cmdline", 56) != 0)
			continue;
		size_t take = MIN((size_t)fw_be32(e), size - 1);
		fw_select((uint16_t)(e[4] << 8 | e[5]));
		fw_read(buf, take);
		buf[take] = 0;
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
