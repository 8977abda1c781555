/*
 * /proc/cpuinfo's block for a CPU, in arm64 Linux's form (the fields
 * programs read: processor, BogoMIPS, Features, the CPU's identity from
 * MIDR_EL1).
 */
#include <kernel/arch.h>
#include <kernel/printk.h>
#include <arch/sysreg.h>

size_t
arch_cpuinfo(int cpu, char *buf, size_t size)
{
	uint64_t midr = read_sysreg(midr_el1);
	int n = snprintk(buf, size,
			 "processor\t: %d\n"
			 "BogoMIPS\t: %lu.00\n"
			 "Features\t: fp asimd\n"
			 "CPU implementer\t: 0x%02lx\n"
			 "CPU architecture: 8\n"
			 "CPU variant\t: 0x%lx\n"
			 "CPU part\t: 0x%03lx\n"
			 "CPU revision\t: %lu\n\n",
			 cpu, read_sysreg(cntfrq_el0) * 2 / 1000000,
			 midr >> 24 & 0xff, midr >> 20 & 0xf,
			 midr >> 4 & 0xfff, midr & 0xf);
	return n < 0 ? 0 : MIN((size_t)n, size);
}
