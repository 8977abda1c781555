/*
 * /proc/self/maps, smaps, smaps_rollup, status, statm, meminfo and
 * cpuinfo: a mapped file is named by its path at column 74, with its
 * offset, device and inode as stat gives them, and " (deleted)" once
 * unlinked; shared anonymous memory is "/dev/zero (deleted)", a memfd
 * "/memfd:NAME (deleted)", the stack "[stack]"; an anonymous mapping has
 * no name. smaps counts the pages touched as private, dirty, anonymous;
 * status has the fields ps, top and glibc read, in Linux's order, and its
 * signal masks follow sigaction and sigprocmask; meminfo, vmstat and
 * cpuinfo have the lines free, vmstat and top look for.
 */
#include "abi.h"

#include <sys/mman.h>
#include <sys/sysmacros.h>

#define PAGE 4096
#define FILE_PATH "/dev/shm/abi-procmaps"

/* The line of `file` (maps or smaps) about the mapping at addr, or "". */
static const char *
line_of(const char *file, void *addr)
{
	static char line[1024];
	char want[32];
	snprintf(want, sizeof(want), "%lx-", (unsigned long)addr);
	FILE *f = fopen(file, "r");
	if (!f)
		return "";
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, want, strlen(want)) == 0) {
			fclose(f);
			line[strcspn(line, "\n")] = 0;
			return line;
		}
	fclose(f);
	return "";
}

/* What follows the address range: "rw-p 00000000 00:00 0 ...". */
static const char *
after_range(const char *line)
{
	const char *sp = strchr(line, ' ');
	return sp ? sp + 1 : "";
}

/* The name column: what follows the inode and the padding. */
static const char *
name_of(const char *line)
{
	const char *p = line;
	for (int field = 0; field < 5 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p)
		return "";
	while (*p == ' ')
		p++;
	return p;
}

static void
check_file_maps(void)
{
	unlink(FILE_PATH);
	int fd = open(FILE_PATH, O_RDWR | O_CREAT, 0600);
	char page[PAGE] = { 1 };
	for (int i = 0; i < 3; i++)
		if (write(fd, page, PAGE) != PAGE)
			printf("write failed\n");
	struct stat st;
	fstat(fd, &st);
	char *whole = mmap(NULL, 3 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	char *second = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, PAGE);
	const char *line = line_of("/proc/self/maps", whole);
	printf("file map: %s\n", name_of(line));
	const char *slash = strchr(line, '/');
	printf("name at column %ld\n", slash ? (long)(slash - line) : -1L);
	unsigned maj, min;
	unsigned long ino;
	char perm[8];
	unsigned long off;
	if (sscanf(after_range(line), "%4s %lx %x:%x %lu", perm, &off, &maj,
		   &min, &ino) == 5)
		printf("perm %s offset %lx dev is st_dev %s inode is st_ino %s\n",
		       perm, off, maj == major(st.st_dev) && min == minor(st.st_dev) ?
		       "yes" : "no", ino == st.st_ino ? "yes" : "no");
	line = line_of("/proc/self/maps", second);
	if (sscanf(after_range(line), "%4s %lx", perm, &off) == 2)
		printf("second map: %s %lx %s\n", perm, off, name_of(line));
	unlink(FILE_PATH);
	printf("unlinked: %s\n", name_of(line_of("/proc/self/maps", whole)));
	munmap(whole, 3 * PAGE);
	munmap(second, PAGE);
	close(fd);
}

static void
check_anon_maps(void)
{
	char *shared = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	const char *line = line_of("/proc/self/maps", shared);
	char perm[8];
	sscanf(after_range(line), "%4s", perm);
	printf("shared anonymous: %s %s\n", perm, name_of(line));
	char *anon = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("anonymous: \"%s\"\n", after_range(line_of("/proc/self/maps", anon)));
	int mfd = memfd_create("abi-maps", 0);
	ftruncate(mfd, PAGE);
	char *m = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, mfd, 0);
	printf("memfd: %s\n", name_of(line_of("/proc/self/maps", m)));
	int stack = 0;
	FILE *f = fopen("/proc/self/maps", "r");
	char buf[1024];
	int stacks = 0;
	while (f && fgets(buf, sizeof(buf), f)) {
		unsigned long lo, hi;
		if (sscanf(buf, "%lx-%lx", &lo, &hi) == 2 &&
		    (unsigned long)&stack >= lo && (unsigned long)&stack < hi)
			stacks += strstr(buf, "[stack]") != NULL;
	}
	if (f)
		fclose(f);
	printf("our stack is [stack]: %s\n", stacks == 1 ? "yes" : "no");
	munmap(shared, 2 * PAGE);
	munmap(anon, PAGE);
	munmap(m, PAGE);
	close(mfd);
}

/* The value of "Key:" in the smaps entry of the mapping at addr. */
static long
smaps_value(void *addr, const char *key)
{
	char want[32], line[512];
	snprintf(want, sizeof(want), "%lx-", (unsigned long)addr);
	FILE *f = fopen("/proc/self/smaps", "r");
	int inside = 0;
	long v = -1;
	while (f && fgets(line, sizeof(line), f)) {
		int header = (line[0] >= '0' && line[0] <= '9') ||
			     (line[0] >= 'a' && line[0] <= 'f');
		if (header) {
			if (inside)
				break;	/* the next mapping's */
			inside = strncmp(line, want, strlen(want)) == 0;
		} else if (inside && strncmp(line, key, strlen(key)) == 0 &&
			   line[strlen(key)] == ':') {
			v = strtol(line + strlen(key) + 1, NULL, 10);
			break;
		}
	}
	if (f)
		fclose(f);
	return v;
}

static void
check_smaps(void)
{
	/* Inaccessible pages around it: Linux merges it with no neighbour. */
	char *guard = mmap(NULL, 6 * PAGE, PROT_NONE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *p = guard + PAGE;
	mprotect(p, 4 * PAGE, PROT_READ | PROT_WRITE);
	p[0] = 1;
	p[2 * PAGE] = 1;
	static const char *keys[] = {
		"Size", "KernelPageSize", "MMUPageSize", "Rss", "Pss",
		"Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty",
		"Anonymous", "Swap", "Locked",
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		printf("smaps %s: %ld kB\n", keys[i], smaps_value(p, keys[i]));
	char want[32], line[512];
	snprintf(want, sizeof(want), "%lx-", (unsigned long)p);
	FILE *f = fopen("/proc/self/smaps", "r");
	int inside = 0;
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, want, strlen(want)) == 0)
			inside = 1;
		if (inside && strncmp(line, "VmFlags:", 8) == 0) {
			printf("VmFlags has rd wr: %s, ac: %s, no ex: %s\n",
			       strstr(line, " rd wr ") ? "yes" : "no",
			       strstr(line, " ac") ? "yes" : "no",
			       strstr(line, " ex") ? "no" : "yes");
			break;
		}
	}
	if (f)
		fclose(f);
	munmap(guard, 6 * PAGE);
	f = fopen("/proc/self/smaps_rollup", "r");
	int rollup = 0, rss = 0;
	while (f && fgets(line, sizeof(line), f)) {
		rollup += strstr(line, "---p 00000000 00:00 0") && strstr(line, " [rollup]");
		rss += strncmp(line, "Rss:", 4) == 0 || strncmp(line, "Pss_Anon:", 9) == 0;
	}
	if (f)
		fclose(f);
	printf("smaps_rollup: header %d, Rss and Pss_Anon %d\n", rollup, rss);
}

/* Prints whether each key (then sep) is in file, in this order. */
static void
check_keys_sep(const char *file, const char *const *keys, size_t n, char sep)
{
	char line[4096];
	size_t next = 0;
	FILE *f = fopen(file, "r");
	while (f && next < n && fgets(line, sizeof(line), f)) {
		size_t len = strlen(keys[next]);
		if (strncmp(line, keys[next], len) == 0 && line[len] == sep)
			next++;
	}
	if (f)
		fclose(f);
	printf("%s: keys in order up to %s\n", file,
	       next == n ? "the last" : keys[next]);
}

static void
check_keys(const char *file, const char *const *keys, size_t n)
{
	check_keys_sep(file, keys, n, ':');
}

/* The hexadecimal value of "Key:" in /proc/self/status. */
static unsigned long long
status_hex(const char *key)
{
	char line[256];
	unsigned long long v = ~0ull;
	FILE *f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, key, strlen(key)) == 0 && line[strlen(key)] == ':')
			v = strtoull(line + strlen(key) + 1, NULL, 16);
	if (f)
		fclose(f);
	return v;
}

static void
check_status(void)
{
	static const char *const keys[] = {
		"Name", "Umask", "State", "Tgid", "Ngid", "Pid", "PPid",
		"TracerPid", "Uid", "Gid", "FDSize", "Groups", "NStgid", "NSpid",
		"NSpgid", "NSsid", "VmPeak", "VmSize", "VmLck", "VmPin", "VmHWM",
		"VmRSS", "RssAnon", "RssFile", "RssShmem", "VmData", "VmStk",
		"VmExe", "VmLib", "VmPTE", "VmSwap", "HugetlbPages",
		"CoreDumping", "THP_enabled", "Threads", "SigQ", "SigPnd",
		"ShdPnd", "SigBlk", "SigIgn", "SigCgt", "CapInh", "CapPrm",
		"CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp",
		"Seccomp_filters", "Cpus_allowed", "Cpus_allowed_list",
		"Mems_allowed", "Mems_allowed_list", "voluntary_ctxt_switches",
		"nonvoluntary_ctxt_switches",
	};
	check_keys("/proc/self/status", keys, sizeof(keys) / sizeof(keys[0]));
	signal(SIGUSR1, SIG_IGN);
	signal(SIGUSR2, (void (*)(int))check_status);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	printf("SigIgn has SIGUSR1: %llu\n", status_hex("SigIgn") >> (SIGUSR1 - 1) & 1);
	printf("SigCgt has SIGUSR2: %llu\n", status_hex("SigCgt") >> (SIGUSR2 - 1) & 1);
	printf("SigBlk is SIGTERM: %s\n",
	       status_hex("SigBlk") == 1ull << (SIGTERM - 1) ? "yes" : "no");
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	unsigned long v[7];
	FILE *f = fopen("/proc/self/statm", "r");
	int n = f ? fscanf(f, "%lu %lu %lu %lu %lu %lu %lu", &v[0], &v[1],
			   &v[2], &v[3], &v[4], &v[5], &v[6]) : 0;
	if (f)
		fclose(f);
	printf("statm: %d fields, resident <= size: %s\n", n,
	       n == 7 && v[1] <= v[0] ? "yes" : "no");
}

static void
check_meminfo(void)
{
	static const char *const keys[] = {
		"MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached",
		"SwapCached", "Active", "Inactive", "SwapTotal", "SwapFree",
		"AnonPages", "Shmem", "Slab", "SReclaimable", "SUnreclaim",
		"CommitLimit", "Committed_AS", "VmallocTotal", "HugePages_Total",
		"HugePages_Free", "Hugepagesize",
	};
	check_keys("/proc/meminfo", keys, sizeof(keys) / sizeof(keys[0]));
	unsigned long total = 0, free = ~0ul;
	char line[256];
	FILE *f = fopen("/proc/meminfo", "r");
	while (f && fgets(line, sizeof(line), f)) {
		sscanf(line, "MemTotal: %lu kB", &total);
		sscanf(line, "MemFree: %lu kB", &free);
	}
	if (f)
		fclose(f);
	printf("MemFree below MemTotal: %s\n", free < total ? "yes" : "no");
}

/* /proc/vmstat: what procps' vmstat reads (it refuses to run without). */
static void
check_vmstat(void)
{
	static const char *const keys[] = {
		"nr_free_pages", "nr_inactive_anon", "nr_active_anon",
		"nr_anon_pages", "nr_file_pages", "nr_shmem", "pgpgin",
		"pgpgout", "pswpin", "pswpout", "pgfault", "pgmajfault",
	};
	check_keys_sep("/proc/vmstat", keys, sizeof(keys) / sizeof(keys[0]),
		       ' ');
}

static void
check_cpuinfo(void)
{
	static const char *const keys[] = {
		"processor", "vendor_id", "cpu family", "model", "model name",
		"stepping", "cpu MHz", "cache size", "physical id",
		"siblings", "core id", "cpu cores", "apicid", "initial apicid",
		"fpu", "fpu_exception", "cpuid level", "wp", "flags", "bogomips",
		"clflush size", "cache_alignment", "address sizes",
	};
	char line[4096];
	int processors = 0, sse2 = 0;
	FILE *f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof(line), f)) {
		processors += strncmp(line, "processor\t:", 11) == 0;
		sse2 += strncmp(line, "flags\t\t:", 8) == 0 && strstr(line, " sse2 ");
	}
	if (f)
		fclose(f);
	/* Each key is "name<tabs>: value": compare on the name alone. */
	size_t next = 0;
	f = fopen("/proc/cpuinfo", "r");
	while (f && next < sizeof(keys) / sizeof(keys[0]) &&
	       fgets(line, sizeof(line), f)) {
		size_t len = strlen(keys[next]);
		if (strncmp(line, keys[next], len) == 0 &&
		    (line[len] == '\t' || line[len] == ':'))
			next++;
	}
	if (f)
		fclose(f);
	printf("cpuinfo: keys in order up to %s\n",
	       next == sizeof(keys) / sizeof(keys[0]) ? "the last" : keys[next]);
	printf("a block per CPU: %s, each with sse2: %s\n",
	       processors == sysconf(_SC_NPROCESSORS_ONLN) ? "yes" : "no",
	       sse2 == processors ? "yes" : "no");
}

int
main(void)
{
	alarm(ABI_WATCHDOG);
	setvbuf(stdout, NULL, _IONBF, 0);
	check_file_maps();
	check_anon_maps();
	check_smaps();
	check_status();
	check_meminfo();
	check_vmstat();
	check_cpuinfo();
	return 0;
}
