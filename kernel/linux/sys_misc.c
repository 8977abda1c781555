/*
 * System-wide calls: uname, sysinfo, host and domain names, random bytes,
 * reboot.
 */
#include <kernel/proc.h>
#include <kernel/vm.h>
#include <kernel/page.h>
#include <kernel/tmpfs.h>
#include <kernel/random.h>
#include <kernel/syscall.h>
#include <syscall_table.h>
#include <kernel/version.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/arch.h>
#include <kernel/printk.h>
#include <kernel/ns.h>

/* The host and domain names are the caller's UTS namespace's
 * (kernel/linux/namespace.c): "petrel" and Linux's "(none)" at first. */
const char *
sys_hostname(void)
{
	return ns_current(NS_UTS)->uts.hostname;
}

long
sys_uname(uaddr_t buf)
{
	char u[6][65];
	memset(u, 0, sizeof(u));
	memcpy(u[0], UNAME_SYSNAME, sizeof(UNAME_SYSNAME));
	memcpy(u[1], sys_hostname(), 65);
	memcpy(u[2], PETREL_RELEASE, sizeof(PETREL_RELEASE));
	memcpy(u[3], "#1 SMP " PETREL_SYSNAME " " PETREL_VERSION,
	       sizeof("#1 SMP " PETREL_SYSNAME " " PETREL_VERSION));
	memcpy(u[4], PETREL_ARCH, sizeof(PETREL_ARCH));
	memcpy(u[5], sys_domainname(), 65);
	return copyout(buf, u, sizeof(u));
}

const char *
sys_domainname(void)
{
	return ns_current(NS_UTS)->uts.domainname;
}

static char *
uts_field(bool domain)
{
	struct ns *uts = ns_current(NS_UTS);
	return domain ? uts->uts.domainname : uts->uts.hostname;
}

int
sys_set_uts_name(bool domain, const char *name, size_t len)
{
	if (len > 64)
		return -EINVAL;
	char *dst = uts_field(domain);
	memcpy(dst, name, len);
	dst[len] = 0;
	return 0;
}

/* sethostname and setdomainname: Linux's order of checks, then the copy. */
static long
uts_set(bool domain, uaddr_t name, size_t len)
{
	if (!ns_admin(current()->proc, ns_current(NS_UTS)->owner))
		return -EPERM;
	if (len > 64)
		return -EINVAL;
	char k[65];
	if (copyin(k, name, len) < 0)
		return -EFAULT;
	k[len] = 0;
	memcpy(uts_field(domain), k, len + 1);
	return 0;
}

long
sys_sethostname(uaddr_t name, size_t len)
{
	return uts_set(false, name, len);
}

long
sys_setdomainname(uaddr_t name, size_t len)
{
	return uts_set(true, name, len);
}

long
sys_sysinfo(uaddr_t info)
{
	struct {
		int64_t uptime;
		uint64_t loads[3];
		uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
		uint16_t procs, pad;
		uint32_t pad2;
		uint64_t totalhigh, freehigh;
		uint32_t mem_unit;
		char pad3[4];
	} s;
	memset(&s, 0, sizeof(s));
	/* rounded up, as Linux's: never behind /proc/uptime's seconds */
	uint64_t boot = timens_from_host(CLOCK_BOOTTIME, arch_now_ns());
	s.uptime = (int64_t)((boot + 999999999) / 1000000000);
	memcpy(s.loads, loadavg, sizeof(s.loads));
	s.totalram = page_total() * 4096;
	s.freeram = page_free_count() * 4096;
	s.sharedram = tmpfs_page_count() * 4096;	/* meminfo's Shmem */
	int n = 0;	/* Linux's nr_threads: threads, not processes */
	list_for_each(it, &all_procs)
		n += list_entry(it, struct proc, all_link)->nthreads;
	s.procs = (uint16_t)n;
	s.mem_unit = 1;
	return copyout(info, &s, sizeof(s));
}

long
sys_getrandom(uaddr_t buf, size_t len, unsigned flags)
{
	uint8_t k[256];
	size_t done = 0;
	if (flags & ~7u)
		return -EINVAL;
	len = MIN(len, (size_t)33554431);
	while (done < len) {
		size_t n = MIN(len - done, sizeof(k));
		random_bytes(k, n);
		if (copyout(buf + done, k, n) < 0)
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)done;
}

#define REBOOT_MAGIC1 0xfee1dead
#define REBOOT_CMD_RESTART 0x01234567
#define REBOOT_CMD_HALT 0xcdef0123
#define REBOOT_CMD_POWER_OFF 0x4321fedc
#define REBOOT_CMD_CAD_ON 0x89abcdef
#define REBOOT_CMD_CAD_OFF 0

long
sys_reboot(int magic1, int magic2, unsigned cmd, uaddr_t arg)
{
	(void)arg;
	if (!capable(CAP_SYS_BOOT))
		return -EPERM;
	if ((unsigned)magic1 != REBOOT_MAGIC1 ||
	    (magic2 != 672274793 && magic2 != 85072278 && magic2 != 369367448 && magic2 != 537993216))
		return -EINVAL;
	switch (cmd) {
	case REBOOT_CMD_RESTART:
		pr_info("petrel: restarting\n");
		arch_reboot();
	case REBOOT_CMD_HALT:
	case REBOOT_CMD_POWER_OFF:
		pr_info("petrel: power off\n");
		arch_poweroff();
	case REBOOT_CMD_CAD_ON:
	case REBOOT_CMD_CAD_OFF:
		return 0;
	}
	return -EINVAL;
}
