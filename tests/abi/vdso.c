/*
 * The vDSO, found as glibc and musl find it: getauxval(AT_SYSINFO_EHDR),
 * then its own dynamic symbol table, parsed here (DT_HASH, versions
 * LINUX_2.6). Each function is called and compared with its system call:
 * every clock the vDSO reads lies between two system-call reads around
 * it, monotonic clocks never go back across threads on every CPU, getcpu
 * agrees with the system call on each CPU, clock_getres says the same,
 * bad clock ids give the system call's errors, a bad pointer is never
 * written through, a fork keeps the vDSO and a time namespace's child
 * sees its offsets through it. /proc/self/maps shows [vvar] and [vdso].
 * Measured times print only "ok".
 *
 * Run in Petrel only (tests/system/vdso.py): "vdso settime" sets the
 * wall clock as root and checks the vDSO follows it; "vdso none" checks
 * a boot with vdso=0 gives no vDSO and the clocks still work; "vdso wx"
 * that neither page can be made writable. "vdso bench N" prints TSC cycles per call, vDSO against system call.
 */
#include "abi.h"

#include <elf.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>

typedef int (*gettime_fn)(clockid_t, struct timespec *);
typedef int (*gettimeofday_fn)(struct timeval *, struct timezone *);
typedef long (*time_fn)(time_t *);
typedef int (*getcpu_fn)(unsigned *, unsigned *, void *);

static struct {
	uintptr_t bias;
	const Elf64_Sym *sym;
	const char *str;
	uint32_t nsym;
	const Elf64_Versym *versym;
	const Elf64_Verdef *verdef;
	int relocs;
} vd;

static gettime_fn v_gettime, v_getres;
static gettimeofday_fn v_gettimeofday;
static time_fn v_time;
static getcpu_fn v_getcpu;

/* Reads the vDSO's dynamic section; 0, or -1 if it is not an ELF image. */
static int
vdso_parse(uintptr_t base)
{
	const Elf64_Ehdr *eh = (const void *)base;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return -1;
	const Elf64_Phdr *ph = (const void *)(base + eh->e_phoff);
	const Elf64_Dyn *dyn = NULL;
	int loads = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && loads++ == 0)
			vd.bias = base + ph[i].p_offset - ph[i].p_vaddr;
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = (const void *)(base + ph[i].p_offset);
	}
	if (!loads || !dyn)
		return -1;
	const uint32_t *hash = NULL;
	for (; dyn->d_tag != DT_NULL; dyn++) {
		uintptr_t a = vd.bias + dyn->d_un.d_ptr;
		switch (dyn->d_tag) {
		case DT_SYMTAB: vd.sym = (const void *)a; break;
		case DT_STRTAB: vd.str = (const void *)a; break;
		case DT_HASH: hash = (const void *)a; break;
		case DT_VERSYM: vd.versym = (const void *)a; break;
		case DT_VERDEF: vd.verdef = (const void *)a; break;
		case DT_REL: case DT_RELA: case DT_JMPREL: vd.relocs++; break;
		}
	}
	if (!vd.sym || !vd.str || !hash)
		return -1;
	vd.nsym = hash[1];	/* nchain: one per symbol */
	return 0;
}

/* Whether symbol i is of version `version` (its verdef's first name). */
static int
version_is(uint32_t i, const char *version)
{
	if (!vd.versym || !vd.verdef)
		return 1;
	unsigned ndx = vd.versym[i] & 0x7fff;
	const Elf64_Verdef *d = vd.verdef;
	for (;;) {
		if (!(d->vd_flags & VER_FLG_BASE) && d->vd_ndx == ndx) {
			const Elf64_Verdaux *aux =
			    (const void *)((const char *)d + d->vd_aux);
			return strcmp(vd.str + aux->vda_name, version) == 0;
		}
		if (!d->vd_next)
			return 0;
		d = (const void *)((const char *)d + d->vd_next);
	}
}

static void *
vdso_sym(const char *name)
{
	for (uint32_t i = 1; i < vd.nsym; i++) {
		const Elf64_Sym *s = &vd.sym[i];
		int type = ELF64_ST_TYPE(s->st_info);
		int bind = ELF64_ST_BIND(s->st_info);
		if (type != STT_FUNC || s->st_shndx == SHN_UNDEF ||
		    (bind != STB_GLOBAL && bind != STB_WEAK))
			continue;
		if (strcmp(vd.str + s->st_name, name) == 0 &&
		    version_is(i, "LINUX_2.6"))
			return (void *)(vd.bias + s->st_value);
	}
	return NULL;
}

/* A vDSO call's result as a system call's: -errno becomes -1, errno. */
static long
ret(long r)
{
	if (r < 0 && r > -4096) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

static long long
ns_of(const struct timespec *ts)
{
	return ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static long long
sys_ns(clockid_t clock)
{
	struct timespec ts;
	syscall(SYS_clock_gettime, clock, &ts);
	return ns_of(&ts);
}

static long long
vdso_ns(clockid_t clock)
{
	struct timespec ts;
	if (v_gettime(clock, &ts) != 0)
		return -1;
	return ns_of(&ts);
}

/* Line of /proc/self/maps ending in tag, or NULL. */
static char *
maps_line(const char *tag, char *line, size_t size)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char *found = NULL;
	while (f && fgets(line, (int)size, f))
		if (strstr(line, tag)) {
			found = line;
			break;
		}
	if (f)
		fclose(f);
	return found;
}

static void
test_find(void)
{
	uintptr_t base = getauxval(AT_SYSINFO_EHDR);
	CHECK("AT_SYSINFO_EHDR", base != 0);
	CHECK_EQ("an ELF image with a symbol table", vdso_parse(base), 0);
	CHECK_EQ("no relocations", vd.relocs, 0);
	const char *names[] = { "clock_gettime", "gettimeofday", "time",
				"getcpu", "clock_getres" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char full[64], what[96];
		snprintf(full, sizeof(full), "__vdso_%s", names[i]);
		void *f = vdso_sym(full);
		snprintf(what, sizeof(what), "%s@LINUX_2.6", full);
		CHECK(what, f != NULL);
		snprintf(what, sizeof(what), "%s, the same", names[i]);
		CHECK(what, vdso_sym(names[i]) == f);
	}
	v_gettime = (gettime_fn)vdso_sym("__vdso_clock_gettime");
	v_getres = (gettime_fn)vdso_sym("__vdso_clock_getres");
	v_gettimeofday = (gettimeofday_fn)vdso_sym("__vdso_gettimeofday");
	v_time = (time_fn)vdso_sym("__vdso_time");
	v_getcpu = (getcpu_fn)vdso_sym("__vdso_getcpu");

	char line[512], vvar[512];
	char *text = maps_line("[vdso]", line, sizeof(line));
	CHECK("maps: [vdso]", text != NULL);
	CHECK("maps: [vdso] r-xp", text && strstr(text, " r-xp "));
	CHECK("maps: [vdso] at AT_SYSINFO_EHDR",
	      text && strtoul(text, NULL, 16) == base);
	char *data = maps_line("[vvar]", vvar, sizeof(vvar));
	CHECK("maps: [vvar] below it, read-only",
	      data && strchr(data, '-') &&
	      strtoul(strchr(data, '-') + 1, NULL, 16) <= base &&
	      strncmp(strchr(data, ' '), " r--", 4) == 0);
}

static const struct {
	clockid_t id;
	const char *name;
} clocks[] = {
	{ CLOCK_REALTIME, "REALTIME" }, { CLOCK_MONOTONIC, "MONOTONIC" },
	{ CLOCK_MONOTONIC_RAW, "MONOTONIC_RAW" },
	{ CLOCK_REALTIME_COARSE, "REALTIME_COARSE" },
	{ CLOCK_MONOTONIC_COARSE, "MONOTONIC_COARSE" },
	{ CLOCK_BOOTTIME, "BOOTTIME" }, { CLOCK_TAI, "TAI" },
	{ CLOCK_PROCESS_CPUTIME_ID, "PROCESS_CPUTIME_ID" },
	{ CLOCK_THREAD_CPUTIME_ID, "THREAD_CPUTIME_ID" },
};

/* Each clock through the vDSO lies between two system-call reads. */
static void
test_clocks(void)
{
	for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		char what[96];
		int bad = 0;
		for (int n = 0; n < 100; n++) {
			long long a = sys_ns(clocks[i].id);
			long long v = vdso_ns(clocks[i].id);
			long long b = sys_ns(clocks[i].id);
			bad += !(a <= v && v <= b);
		}
		snprintf(what, sizeof(what), "%s between system calls",
			 clocks[i].name);
		CHECK(what, bad == 0);
		struct timespec s, v;
		snprintf(what, sizeof(what), "%s getres as the system call",
			 clocks[i].name);
		syscall(SYS_clock_getres, clocks[i].id, &s);
		CHECK(what, v_getres(clocks[i].id, &v) == 0 &&
			    s.tv_sec == v.tv_sec && s.tv_nsec == v.tv_nsec);
	}
	struct timeval a, v, b;
	int bad = 0;
	for (int n = 0; n < 100; n++) {
		syscall(SYS_gettimeofday, &a, NULL);
		v_gettimeofday(&v, NULL);
		syscall(SYS_gettimeofday, &b, NULL);
		long long ua = a.tv_sec * 1000000LL + a.tv_usec;
		long long uv = v.tv_sec * 1000000LL + v.tv_usec;
		long long ub = b.tv_sec * 1000000LL + b.tv_usec;
		bad += !(ua <= uv && uv <= ub);
	}
	CHECK("gettimeofday between system calls", bad == 0);
	struct timezone tz = { 1, 1 };
	CHECK_EQ("gettimeofday with a zone", v_gettimeofday(&v, &tz), 0);
	CHECK_EQ("gettimeofday NULL, NULL", v_gettimeofday(NULL, NULL), 0);
	time_t ta = syscall(SYS_time, NULL), tv = 0;
	time_t tr = v_time(&tv);
	time_t tb = syscall(SYS_time, NULL);
	CHECK("time between system calls", ta <= tr && tr <= tb && tv == tr);
	CHECK("time(NULL)", v_time(NULL) >= ta);
	CHECK_EQ("clock_getres NULL", v_getres(CLOCK_MONOTONIC, NULL), 0);
}

/* clockid 100, a CPU clock of no process, and bad pointers where the
 * system call answers EFAULT. */
static void
test_errors(void)
{
	struct timespec ts;
	clockid_t nobody = (clockid_t)(~999999u << 3 | 2);
	CHECK_ERR("clock 100", ret(v_gettime(100, &ts)), EINVAL);
	CHECK_ERR("clock -1", ret(v_gettime(-1, &ts)), EINVAL);
	CHECK_ERR("CPU clock of no process", ret(v_gettime(nobody, &ts)),
		  EINVAL);
	CHECK_ERR("getres clock 100", ret(v_getres(100, &ts)), EINVAL);
	CHECK_ERR("CPU clock, bad pointer",
		  ret(v_gettime(CLOCK_PROCESS_CPUTIME_ID, (void *)1)), EFAULT);
	CHECK_ERR("getres CPU clock, bad pointer",
		  ret(v_getres(CLOCK_THREAD_CPUTIME_ID, (void *)1)), EFAULT);
}

/* In a child, since Linux's vDSO writes where it is told (SIGSEGV) and
 * Petrel's asks the kernel (EFAULT): either refuses. */
static void
refused(const char *what, int which)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		void *bad = which & 1 ? (void *)8 : (void *)0xffff800000000000ul;
		long r = which < 2 ? v_gettime(CLOCK_MONOTONIC, bad) :
			 which < 4 ? v_gettimeofday(bad, NULL) :
				     v_time(bad);
		_exit(r == -EFAULT ? 0 : 1);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK(what, (WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
		    (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV));
}

static void
test_bad_pointers(void)
{
	refused("clock_gettime, low pointer: refused", 1);
	refused("clock_gettime, kernel pointer: refused", 0);
	refused("gettimeofday, low pointer: refused", 3);
	refused("gettimeofday, kernel pointer: refused", 2);
	refused("time, low pointer: refused", 5);
}

static int
cpus_allowed(cpu_set_t *set)
{
	CPU_ZERO(set);
	return sched_getaffinity(0, sizeof(*set), set);
}

static void
test_getcpu(void)
{
	cpu_set_t all;
	CHECK_EQ("sched_getaffinity", cpus_allowed(&all), 0);
	int bad = 0;
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &all))
			continue;
		abi_pin(c);
		unsigned sc = ~0u, sn = ~0u, vc = ~0u, vn = ~0u;
		syscall(SYS_getcpu, &sc, &sn, NULL);
		long r = v_getcpu(&vc, &vn, NULL);
		bad += r != 0 || vc != sc || vn != sn || (int)vc != c;
	}
	sched_setaffinity(0, sizeof(all), &all);
	CHECK("getcpu as the system call, on every CPU", bad == 0);
	CHECK_EQ("getcpu NULL, NULL", v_getcpu(NULL, NULL, NULL), 0);
}

/* The highest CLOCK_MONOTONIC any thread has seen: a read that began
 * after it was published may not be below it. */
static _Atomic long long seen;
static _Atomic int backwards;

static void *
reader(void *arg)
{
	int cpu = (int)(intptr_t)arg;
	if (cpu >= 0)
		abi_pin(cpu);
	for (int n = 0; n < 20000; n++) {
		long long before = atomic_load(&seen);
		long long now = n & 1 ? vdso_ns(CLOCK_MONOTONIC) :
					sys_ns(CLOCK_MONOTONIC);
		if (now < before)
			atomic_fetch_add(&backwards, 1);
		long long cur = before;
		while (cur < now &&
		       !atomic_compare_exchange_weak(&seen, &cur, now))
			;
	}
	return NULL;
}

static void
test_monotonic(void)
{
	cpu_set_t all;
	cpus_allowed(&all);
	int cpu[2] = { -1, -1 }, n = 0;
	for (int c = 0; c < CPU_SETSIZE && n < 2; c++)
		if (CPU_ISSET(c, &all))
			cpu[n++] = c;
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, reader,
			       (void *)(intptr_t)(cpu[i] >= 0 ? cpu[i] : cpu[0]));
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ("monotonic never back, vDSO and system call, two threads",
		 atomic_load(&backwards), 0);
}

/* A fork keeps the vDSO; the child may move it or unmap it. */
static void
test_fork(void)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		char line[512];
		int ok = vdso_ns(CLOCK_MONOTONIC) > 0;
		unsigned long text[2] = { 0 }, data[2] = { 0 };
		if (maps_line("[vdso]", line, sizeof(line)))
			sscanf(line, "%lx-%lx", &text[0], &text[1]);
		if (maps_line("[vvar]", line, sizeof(line)))
			sscanf(line, "%lx-%lx", &data[0], &data[1]);
		ok &= text[0] && data[0];
		size_t len = text[1] - text[0];
		void *moved = mremap((void *)text[0], len, len,
				     MREMAP_MAYMOVE | MREMAP_FIXED,
				     (void *)0x200000000ul);
		ok &= moved != MAP_FAILED;
		ok &= munmap((void *)data[0], data[1] - data[0]) == 0;
		ok &= munmap((void *)0x200000000ul, len) == 0;
		ok &= syscall(SYS_getpid) > 0;
		_exit(ok ? 0 : 1);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK_STR("fork: the child's vDSO, moved, unmapped",
		  status_str(status), "exited 0");
}

static int
write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	int r = write(fd, text, strlen(text)) < 0 ? -1 : 0;
	close(fd);
	return r;
}

/* A time namespace moving CLOCK_MONOTONIC by 1000 s: its child reads
 * the moved clock through the vDSO as through the system call, and so
 * does the process that made it once setns takes it in. */
static void
test_timens(void)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWTIME) != 0 ||
		    write_file("/proc/self/timens_offsets",
			       "monotonic 1000 0") != 0)
			_exit(2);
		long long host = sys_ns(CLOCK_MONOTONIC);
		pid_t child = fork();
		if (child == 0) {
			long long a = sys_ns(CLOCK_MONOTONIC);
			long long v = vdso_ns(CLOCK_MONOTONIC);
			long long b = sys_ns(CLOCK_MONOTONIC);
			_exit(a <= v && v <= b && v - host >= 1000000000000LL ?
			      0 : 1);
		}
		int status;
		waitpid(child, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			_exit(3);
		/* setns moves the caller itself: its vDSO follows. */
		int fd = open("/proc/self/ns/time_for_children", O_RDONLY);
		if (fd < 0 || setns(fd, CLONE_NEWTIME) != 0)
			_exit(4);
		long long a = sys_ns(CLOCK_MONOTONIC);
		long long v = vdso_ns(CLOCK_MONOTONIC);
		long long b = sys_ns(CLOCK_MONOTONIC);
		_exit(a <= v && v <= b && v - host >= 1000000000000LL ? 0 : 5);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK_STR("time namespace: the child's vDSO is offset, and after setns",
		  status_str(status), "exited 0");
}

/* Petrel only, as root: the wall clock set, the vDSO follows at once. */
static int
settime(void)
{
	struct timespec was, set = { 1935990489, 0 }, v;	/* 2031-05-06 */
	syscall(SYS_clock_gettime, CLOCK_REALTIME, &was);
	CHECK_EQ("clock_settime", clock_settime(CLOCK_REALTIME, &set), 0);
	CHECK("the vDSO's REALTIME follows",
	      v_gettime(CLOCK_REALTIME, &v) == 0 && v.tv_sec >= set.tv_sec &&
	      v.tv_sec < set.tv_sec + 10);
	CHECK("its time follows", v_time(NULL) >= set.tv_sec);
	struct timeval tv = { was.tv_sec, 0 };
	CHECK_EQ("settimeofday back", settimeofday(&tv, NULL), 0);
	long long a = sys_ns(CLOCK_REALTIME);
	long long r = vdso_ns(CLOCK_REALTIME);
	long long b = sys_ns(CLOCK_REALTIME);
	CHECK("REALTIME back, between system calls", a <= r && r <= b &&
	      r / 1000000000 < set.tv_sec);
	return abi_failures != 0;
}

/* Petrel only: neither page can be made writable (W^X; Linux gives a
 * private writable copy of [vdso]), nor written through /proc/self/mem
 * in [vvar]; the vDSO still answers afterwards. */
static int
wx(void)
{
	uintptr_t base = getauxval(AT_SYSINFO_EHDR);
	CHECK_ERR("mprotect [vdso] writable",
		  mprotect((void *)base, 4096, PROT_READ | PROT_WRITE), EACCES);
	CHECK_ERR("mprotect [vvar] writable",
		  mprotect((void *)(base - 4096), 4096, PROT_READ | PROT_WRITE),
		  EACCES);
	CHECK_ERR("mprotect [vvar] executable",
		  mprotect((void *)(base - 4096), 4096, PROT_READ | PROT_EXEC),
		  EACCES);
	int fd = open("/proc/self/mem", O_RDWR);
	char zero[8] = { 0 };
	CHECK("no write to [vvar] through /proc/self/mem",
	      pwrite(fd, zero, sizeof(zero), (off_t)(base - 4096)) < 0);
	close(fd);
	CHECK("MONOTONIC still between system calls",
	      sys_ns(CLOCK_MONOTONIC) <= vdso_ns(CLOCK_MONOTONIC));
	return abi_failures != 0;
}

/* Petrel booted with vdso=0: no vDSO, and libc's clocks still work. */
static int
none(void)
{
	char line[512];
	struct timespec ts;
	CHECK_EQ("AT_SYSINFO_EHDR", getauxval(AT_SYSINFO_EHDR), 0);
	CHECK("no [vdso] in maps", !maps_line("[vdso]", line, sizeof(line)));
	CHECK("no [vvar] in maps", !maps_line("[vvar]", line, sizeof(line)));
	CHECK_EQ("clock_gettime", clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	CHECK("time", time(NULL) > 0);
	return abi_failures != 0;
}

static uint64_t
tsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* TSC cycles per call (under -icount shift=0: guest instructions),
 * through the vDSO and through the system call (docs/performance-net.md,
 * "The vDSO: guest instructions per call"). */
static int
bench(int n)
{
	struct timespec ts;
	struct timeval tv;
	unsigned cpu;
	uint64_t t[7];
	for (int i = 0; i < 100; i++)	/* warm up: pages, TLB */
		v_gettime(CLOCK_MONOTONIC, &ts);
	t[0] = tsc();
	for (int i = 0; i < n; i++)
		v_gettime(CLOCK_MONOTONIC, &ts);
	t[1] = tsc();
	for (int i = 0; i < n; i++)
		syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
	t[2] = tsc();
	for (int i = 0; i < n; i++)
		v_gettimeofday(&tv, NULL);
	t[3] = tsc();
	for (int i = 0; i < n; i++)
		syscall(SYS_gettimeofday, &tv, NULL);
	t[4] = tsc();
	for (int i = 0; i < n; i++)
		v_getcpu(&cpu, NULL, NULL);
	t[5] = tsc();
	for (int i = 0; i < n; i++)
		syscall(SYS_getcpu, &cpu, NULL, NULL);
	t[6] = tsc();
	const char *what[] = { "clock_gettime vdso", "clock_gettime syscall",
			       "gettimeofday vdso", "gettimeofday syscall",
			       "getcpu vdso", "getcpu syscall" };
	for (int i = 0; i < 6; i++)
		printf("vdso-bench: %s %llu\n", what[i],
		       (unsigned long long)((t[i + 1] - t[i]) / n));
	return 0;
}

int
main(int argc, char **argv)
{
	abi_init();
	if (argc > 1 && strcmp(argv[1], "none") == 0)
		return none();
	test_find();
	if (!v_gettime || !v_getres || !v_gettimeofday || !v_time || !v_getcpu)
		return 1;
	if (argc > 1 && strcmp(argv[1], "settime") == 0)
		return settime();
	if (argc > 1 && strcmp(argv[1], "wx") == 0)
		return wx();
	if (argc > 2 && strcmp(argv[1], "bench") == 0)
		return bench(atoi(argv[2]));
	test_clocks();
	test_errors();
	test_bad_pointers();
	test_getcpu();
	test_monotonic();
	test_fork();
	test_timens();
	return abi_done("vdso");
}
