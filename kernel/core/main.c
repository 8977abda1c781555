/*
 * kmain: the portable boot sequence, from a working console to init.
 */
#include <kernel/boot.h>
#include <kernel/arch.h>
#include <kernel/cmdline.h>
#include <kernel/trace.h>
#include <kernel/cpu.h>
#include <kernel/irq.h>
#include <kernel/mmu.h>
#include <kernel/page.h>
#include <kernel/printk.h>
#include <kernel/ipc.h>
#include <kernel/sockfile.h>
#include <kernel/proc.h>
#include <kernel/string.h>
#include <kernel/tmpfs.h>
#include <kernel/tty.h>
#include <kernel/version.h>
#include <kernel/errno.h>
#include <kernel/vfs.h>
#include <kernel/vdso.h>
#include <kernel/lock.h>
#include <kernel/kmalloc.h>

static struct cmdline cmdline;

/*
 * boottrace on the command line: the TSC cycles each boot phase took, in
 * one line as init starts. Under QEMU's -icount shift=0 a cycle is a guest
 * instruction (docs/performance-boot.md, "Where Petrel's boot time
 * goes").
 */
#define BOOT_PHASES_MAX 16
static struct {
	const char *name;
	uint64_t cycles;
} boot_phases[BOOT_PHASES_MAX];
static unsigned boot_nphases;
static uint64_t boot_phase_start;

/* The phase that just ended, named. */
static void
boot_phase(const char *name)
{
	uint64_t now = arch_cycles();
	if (boot_nphases < BOOT_PHASES_MAX) {
		boot_phases[boot_nphases].name = name;
		boot_phases[boot_nphases++].cycles = now - boot_phase_start;
	}
	boot_phase_start = now;
}

static void
boot_phases_report(void)
{
	char line[512];
	size_t n = 0;
	if (!cmdline_has(&cmdline, "boottrace"))
		return;
	for (unsigned i = 0; i < boot_nphases && n < sizeof(line); i++)
		n += (size_t)snprintk(line + n, sizeof(line) - n, " %s %lu",
				      boot_phases[i].name,
				      boot_phases[i].cycles);
	printk("boottrace (TSC cycles):%s\n", line);
}

/* Appends the per-run part QEMU passes through fw_cfg, if any. */
static void
extend_cmdline(void)
{
	size_t len = strlen(boot_info.cmdline);
	if (len + 2 >= BOOT_CMDLINE_MAX)
		return;
	char *tail = boot_info.cmdline + len;
	size_t n = arch_fw_cmdline(tail + 1, BOOT_CMDLINE_MAX - len - 2);
	if (n > 0) {
		tail[0] = ' ';
		tail[1 + n] = 0;
	}
}

/*
 * Says on the console (printk: shown even with "quiet") what of the
 * command line was lost, never dropping words silently: a line cut at
 * BOOT_CMDLINE_MAX bytes, words past the parse's text, parameters past
 * CMDLINE_PARAMS_MAX. Linux panics on too many init arguments; here
 * init's have no limit but the line's length.
 */
static void
report_cmdline_loss(int parsed)
{
	if (strlen(boot_info.cmdline) >= BOOT_CMDLINE_MAX - 2)
		printk("command line: %d bytes, the most kept: anything past "
		       "them is lost\n", BOOT_CMDLINE_MAX - 2);
	if (parsed < 0 && cmdline.dropped == 0)
		printk("command line: words past %d bytes dropped\n",
		       CMDLINE_TEXT_MAX);
	if (cmdline.dropped > 0)
		printk("command line: %u parameters past the first %d dropped\n",
		       cmdline.dropped, CMDLINE_PARAMS_MAX);
}

/* Makes the directory /name in the root if it is missing (a mount point). */
static void
make_root_dir(struct inode *root, const char *name)
{
	struct inode *dir = root->iops->lookup(root, name, strlen(name));
	if (IS_ERR(dir) && root->iops->create(root, name, strlen(name),
					      S_IFDIR | 0755, &dir) < 0)
		return;
	inode_put(dir);
}

/*
 * Where the usable RAM has gone as init is about to start: what the
 * smallest --mem is made of (docs/performance.md §3).
 */
static void
report_memory(void)
{
	uint64_t usable = 0;
	for (int i = 0; i < boot_info.mem_count; i++)
		if (boot_info.mem[i].usable)
			usable += boot_info.mem[i].size;
	uint64_t image = ALIGN_UP(KERNEL_IMAGE_PHYS(kernel_end), PAGE_SIZE) -
			 KERNEL_IMAGE_PHYS(kernel_start);
	uint64_t managed = page_total(), files = tmpfs_page_count();
	uint64_t heap = kmalloc_page_count(), free = page_free_count();
	uint64_t kib = PAGE_SIZE / 1024;
	pr_info("memory: %lu KiB usable = kernel image %lu + page array and "
		"holes %lu + root files %lu + heap %lu + page tables, stacks "
		"and the rest %lu + free %lu KiB\n", usable / 1024, image / 1024,
		(usable - image) / 1024 - managed * kib, files * kib, heap * kib,
		(managed - files - heap - free) * kib, free * kib);
}

/* Called as init first enters user mode: reports the boot time. */
void
boot_report_init(void)
{
	uint64_t cycles = arch_cycles() - boot_info.tsc_at_entry;
	uint64_t us = arch_cycles_to_ns(cycles) / 1000;
	boot_phase("init-exec");
	pr_info("init started %lu us (%lu TSC cycles) after the first kernel instruction\n",
		us, cycles);
	boot_phases_report();
}

_Noreturn void
kmain(void)
{
	bkl_lock();	/* held by whichever CPU runs kernel code */
	boot_phase_start = boot_info.tsc_at_entry;
	boot_phase("arch-early");
	extend_cmdline();
	int parsed = cmdline_parse(&cmdline, boot_info.cmdline);
	printk_quiet = cmdline_has(&cmdline, "quiet");
	trace_init(&cmdline);
	pr_info("Petrel %s (%s), booted by %s\n", PETREL_VERSION, PETREL_ARCH,
		boot_info.loader);
	pr_info("command line: %s\n", boot_info.cmdline);
	report_cmdline_loss(parsed);
	if (ASSERTS_ENABLED)
		pr_info("assert-enabled kernel (KASSERT checks on)\n");
	/* `selftest=panic`: a panic, to show its report and backtrace
	   (tests/system/panic-report.py). */
	const char *selftest = cmdline_get(&cmdline, "selftest");
	if (selftest && !strcmp(selftest, "panic"))
		panic("selftest");

	boot_phase("cmdline");
	page_init();
	boot_phase("page_init");
	mmu_init();
	boot_phase("mmu_init");
	arch_devices_init();
	boot_phase("devices");
	sched_init();
	ipc_init();
	signal_init();
	tty_init();
	tty_console_irq();	/* input that arrived while booting */
	pr_info("memory: %lu KiB usable, %lu KiB free; %d CPU%s\n",
		page_total() * 4, page_free_count() * 4, cpu_count,
		cpu_count == 1 ? "" : "s");
	boot_phase("sched-ipc-tty");

	struct inode *root = tmpfs_new_root("tmpfs");
	if (!root)
		panic("no memory for the root file system");
	vfs_set_root(root);
	initramfs_unpack(root, boot_info.initrd, boot_info.initrd_size);
	page_check_free();	/* the archive's pages given back right */
	boot_phase("initramfs");
	/* init mounts /proc and /dev itself; make sure the mount points exist. */
	make_root_dir(root, "dev");
	make_root_dir(root, "proc");

	const char *init = cmdline_get(&cmdline, "init");
	if (!init || !*init)
		init = "/sbin/init";
	unsigned argc = cmdline_init_argc(&cmdline);
	const char **argv = kmalloc((argc + 2) * sizeof(*argv));
	if (!argv)
		panic("no memory for init's %u arguments", argc);
	argv[0] = init;
	cmdline_init_argv(&cmdline, argv + 1);
	boot_phase("root-dirs");
	arch_timer_calibrate();	/* the boot so far was the measuring window */
	boot_phase("timer");
	const char *vdso = cmdline_get(&cmdline, "vdso");
	vdso_init(!vdso || strcmp(vdso, "0") != 0);	/* needs the clock's rate */
	arch_smp_init();	/* needs the clock for its start-up delays */
	boot_phase("smp");
	report_memory();
	proc_spawn_init(init, argv, (int)argc + 1);
	sched_start();
}
