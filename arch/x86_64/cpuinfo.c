/*
 * One CPU's block of /proc/cpuinfo, as Linux's arch/x86/kernel/cpu/proc.c
 * writes it: identification from CPUID, and the feature flags decoded
 * from leaves 1, 6, 7, 0xd, 0x80000001, 0x80000007 and 0x80000008 with
 * Linux's names, in Linux's order (the words of its cpufeatures.h).
 */
#include <kernel/arch.h>
#include <kernel/cpu.h>
#include <kernel/string.h>
#include <kernel/printk.h>
#include <arch/cpu.h>

enum { EAX, EBX, ECX, EDX };

/* A word of flags: a CPUID leaf's register, and its bits' names ("" for
 * bits Linux does not show). */
struct flag_word {
	uint32_t leaf, sub;
	int reg;
	const char *names[32];
};

static const struct flag_word words[] = {
	{ 1, 0, EDX, { "fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce",
		"cx8", "apic", "", "sep", "mtrr", "pge", "mca", "cmov", "pat",
		"pse36", "pn", "clflush", "", "dts", "acpi", "mmx", "fxsr",
		"sse", "sse2", "ss", "ht", "tm", "ia64", "pbe" } },
	{ 0x80000001, 0, EDX, { [11] = "syscall", [19] = "mp", [20] = "nx",
		[22] = "mmxext", [25] = "fxsr_opt", [26] = "pdpe1gb",
		[27] = "rdtscp", [29] = "lm", [30] = "3dnowext",
		[31] = "3dnow" } },
	{ 1, 0, ECX, { "pni", "pclmulqdq", "dtes64", "monitor", "ds_cpl",
		"vmx", "smx", "est", "tm2", "ssse3", "cid", "sdbg", "fma",
		"cx16", "xtpr", "pdcm", "", "pcid", "dca", "sse4_1", "sse4_2",
		"x2apic", "movbe", "popcnt", "tsc_deadline_timer", "aes",
		"xsave", "", "avx", "f16c", "rdrand", "hypervisor" } },
	{ 0x80000001, 0, ECX, { "lahf_lm", "cmp_legacy", "svm", "extapic",
		"cr8_legacy", "abm", "sse4a", "misalignsse", "3dnowprefetch",
		"osvw", "ibs", "xop", "skinit", "wdt", "", "lwp", "fma4", "tce",
		"", "nodeid_msr", "", "tbm", "topoext", "perfctr_core",
		"perfctr_nb", "", "bpext", "ptsc", "perfctr_llc", "mwaitx" } },
	{ 7, 0, EBX, { "fsgsbase", "tsc_adjust", "sgx", "bmi1", "hle", "avx2",
		"", "smep", "bmi2", "erms", "invpcid", "rtm", "cqm", "", "mpx",
		"rdt_a", "avx512f", "avx512dq", "rdseed", "adx", "smap",
		"avx512ifma", "", "clflushopt", "clwb", "intel_pt", "avx512pf",
		"avx512er", "avx512cd", "sha_ni", "avx512bw", "avx512vl" } },
	{ 0xd, 1, EAX, { "xsaveopt", "xsavec", "xgetbv1", "xsaves" } },
	{ 0x80000008, 0, EBX, { [0] = "clzero", [1] = "irperf",
		[2] = "xsaveerptr", [4] = "rdpru", [9] = "wbnoinvd" } },
	{ 6, 0, EAX, { [0] = "dtherm", [1] = "ida", [2] = "arat", [4] = "pln",
		[6] = "pts", [7] = "hwp", [8] = "hwp_notify",
		[9] = "hwp_act_window", [10] = "hwp_epp",
		[11] = "hwp_pkg_req" } },
	{ 7, 0, ECX, { [1] = "avx512vbmi", [2] = "umip", [3] = "pku",
		[4] = "ospke", [5] = "waitpkg", [6] = "avx512_vbmi2",
		[8] = "gfni", [9] = "vaes", [10] = "vpclmulqdq",
		[11] = "avx512_vnni", [12] = "avx512_bitalg", [13] = "tme",
		[14] = "avx512_vpopcntdq", [16] = "la57", [22] = "rdpid",
		[24] = "bus_lock_detect", [25] = "cldemote", [27] = "movdiri",
		[28] = "movdir64b", [29] = "enqcmd", [30] = "sgx_lc" } },
	{ 0x80000007, 0, EBX, { [0] = "overflow_recov", [1] = "succor",
		[3] = "smca" } },
	{ 7, 0, EDX, { [2] = "avx512_4vnniw", [3] = "avx512_4fmaps",
		[4] = "fsrm", [8] = "avx512_vp2intersect", [10] = "md_clear",
		[14] = "serialize", [16] = "tsxldtrk", [18] = "pconfig",
		[19] = "arch_lbr", [20] = "ibt", [22] = "amx_bf16",
		[23] = "avx512_fp16", [24] = "amx_tile", [25] = "amx_int8",
		[28] = "flush_l1d", [29] = "arch_capabilities" } },
};

/* Text appended to a buffer, cut short when it is full. */
struct text {
	char *buf;
	size_t len, size;
};

static void __attribute__((format(printf, 2, 3)))
tprintf(struct text *t, const char *fmt, ...)
{
	va_list ap;
	if (t->len + 1 >= t->size)
		return;
	va_start(ap, fmt);
	int n = vsnprintk(t->buf + t->len, t->size - t->len, fmt, ap);
	va_end(ap);
	t->len = MIN(t->len + (size_t)(n > 0 ? n : 0), t->size - 1);
}

static uint32_t
max_leaf(uint32_t base)
{
	uint32_t r[4];
	cpuid(base, 0, r);
	return r[EAX];
}

/* Leaf's register, or 0 where the CPU has no such leaf. */
static uint32_t
leaf_reg(uint32_t leaf, uint32_t sub, int reg)
{
	uint32_t r[4];
	if (leaf > max_leaf(leaf & 0x80000000))
		return 0;
	cpuid(leaf, sub, r);
	return r[reg];
}

/*
 * Linux's own flags (word 3) that say what the CPU's counters can be
 * trusted for; the others it defines are left out.
 */
static void
linux_flags(struct text *t)
{
	uint32_t apm = leaf_reg(0x80000007, 0, EDX);
	if (apm & (1u << 8))	/* invariant TSC */
		tprintf(t, " constant_tsc");
	tprintf(t, " nopl");
	if (leaf_reg(0xb, 0, EBX))
		tprintf(t, " xtopology");
	if (apm & (1u << 8))
		tprintf(t, " nonstop_tsc");
	tprintf(t, " cpuid");
}

static void
gen_flags(struct text *t)
{
	tprintf(t, "flags\t\t:");
	for (size_t w = 0; w < ARRAY_SIZE(words); w++) {
		if (w == 2)	/* Linux's word 3 comes before leaf 1's ECX */
			linux_flags(t);
		uint32_t v = leaf_reg(words[w].leaf, words[w].sub, words[w].reg);
		for (int bit = 0; bit < 32; bit++)
			if ((v & (1u << bit)) && words[w].names[bit] &&
			    words[w].names[bit][0])
				tprintf(t, " %s", words[w].names[bit]);
	}
	tprintf(t, "\n");
}

/* The largest cache's size in KiB, as Linux's x86_cache_size: leaf 4's
 * last level (Intel), else leaf 0x80000006's L2 (AMD). */
static uint32_t
cache_kib(void)
{
	uint32_t r[4], best = 0;
	for (uint32_t i = 0; max_leaf(0) >= 4 && i < 16; i++) {
		cpuid(4, i, r);
		if ((r[EAX] & 0x1f) == 0)
			break;
		uint64_t size = (uint64_t)((r[EBX] >> 22) + 1) *
				(((r[EBX] >> 12) & 0x3ff) + 1) *
				((r[EBX] & 0xfff) + 1) * ((uint64_t)r[ECX] + 1);
		best = (uint32_t)(size >> 10);	/* the last level is last */
	}
	return best ? best : leaf_reg(0x80000006, 0, ECX) >> 16;
}

static void
gen_ident(struct text *t, int cpu)
{
	uint32_t r[4];
	char vendor[13], model[49] = "";
	cpuid(0, 0, r);
	memcpy(vendor, &r[EBX], 4);
	memcpy(vendor + 4, &r[EDX], 4);
	memcpy(vendor + 8, &r[ECX], 4);
	vendor[12] = 0;
	if (max_leaf(0x80000000) >= 0x80000004) {
		for (uint32_t i = 0; i < 3; i++) {
			cpuid(0x80000002 + i, 0, r);
			memcpy(model + 16 * i, r, 16);
		}
		model[48] = 0;
	}
	const char *name = model;
	while (*name == ' ')
		name++;
	cpuid(1, 0, r);
	uint32_t family = (r[EAX] >> 8) & 0xf, mod = (r[EAX] >> 4) & 0xf;
	if (family == 0xf)
		family += (r[EAX] >> 20) & 0xff;
	if (family >= 6)
		mod += ((r[EAX] >> 16) & 0xf) << 4;
	uint64_t khz = arch_tsc_khz();
	/* microcode: not read (the MSR faults under some hypervisors);
	 * QEMU's and KVM's own answer is 0x1. */
	tprintf(t, "processor\t: %d\nvendor_id\t: %s\ncpu family\t: %u\n"
		"model\t\t: %u\nmodel name\t: %s\nstepping\t: %u\n"
		"microcode\t: 0x1\ncpu MHz\t\t: %lu.%03lu\ncache size\t: %u KB\n",
		cpu, vendor, family, mod, name[0] ? name : "unknown",
		r[EAX] & 0xf, khz / 1000, khz % 1000, cache_kib());
}

size_t
arch_cpuinfo(int cpu, char *buf, size_t size)
{
	struct text t = { buf, 0, size };
	uint32_t r[4];
	buf[0] = 0;
	gen_ident(&t, cpu);
	uint32_t apic = cpus[cpu].arch.apic_id;
	tprintf(&t, "physical id\t: 0\nsiblings\t: %d\ncore id\t\t: %d\n"
		"cpu cores\t: %d\napicid\t\t: %u\ninitial apicid\t: %u\n"
		"fpu\t\t: %s\nfpu_exception\t: yes\ncpuid level\t: %u\n"
		"wp\t\t: yes\n", cpu_count, cpu, cpu_count, apic, apic,
		(leaf_reg(1, 0, EDX) & 1) ? "yes" : "no", max_leaf(0));
	gen_flags(&t);
	cpuid(1, 0, r);
	uint32_t clflush = ((r[EBX] >> 8) & 0xff) * 8;
	uint32_t sizes = leaf_reg(0x80000008, 0, EAX);
	uint64_t bogo = arch_tsc_khz() * 2 / 10;	/* Linux: twice the MHz */
	tprintf(&t, "bogomips\t: %lu.%02lu\nclflush size\t: %u\n"
		"cache_alignment\t: %u\naddress sizes\t: %u bits physical, "
		"%u bits virtual\npower management:\n\n", bogo / 100, bogo % 100,
		clflush, clflush, sizes & 0xff, (sizes >> 8) & 0xff);
	return t.len;
}
