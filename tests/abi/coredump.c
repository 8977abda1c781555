/*
 * Core files (core(5)): a process ended by a signal that dumps core
 * leaves an ELF core named by core_pattern ("core" here) in its working
 * directory when RLIMIT_CORE allows it and it is dumpable, and its wait
 * status then says so (WCOREDUMP). The core is read back: its header,
 * one NT_PRSTATUS per thread, the crashing thread's first with the
 * signal and its tid, NT_PRPSINFO's name, NT_SIGINFO, NT_AUXV, NT_FILE
 * naming the program, memory a global and an anonymous mapping held,
 * and nothing of a range marked MADV_DONTDUMP.
 */
#include "abi.h"

#include <elf.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/utsname.h>

#define CORE_MAX (64 << 20)
#define PATTERN_AT(i) ((char)('a' + (i) % 23))

/* A global the core must hold as the program left it. */
static char global[3 * 4096];

static char *anon;		/* an anonymous mapping, written */
static char *dontdump;		/* one marked MADV_DONTDUMP */

static void *
sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* The child: limit, maybe a second thread, then the signal. */
static void
crash(rlim_t limit, int threads, int dumpable, int sig)
{
	struct rlimit rl = { limit, RLIM_INFINITY };
	setrlimit(RLIMIT_CORE, &rl);
	prctl(PR_SET_DUMPABLE, dumpable);
	prctl(PR_SET_NAME, "crasher");
	pthread_t t;
	if (threads > 1)
		pthread_create(&t, NULL, sleeper, NULL);
	for (int i = 0; i < (int)sizeof(global); i++)
		global[i] = PATTERN_AT(i);
	memset(anon, 'Q', 4096);
	memset(dontdump, 'D', 4096);
	signal(sig, SIG_DFL);
	raise(sig);
	_exit(99);
}

/* Runs crash in a child; returns its wait status. */
static int
run_child(rlim_t limit, int threads, int dumpable, int sig, pid_t *pid)
{
	fflush(stdout);
	*pid = fork();
	if (*pid == 0)
		crash(limit, threads, dumpable, sig);
	int status = 0;
	waitpid(*pid, &status, 0);
	return status;
}

static char *core;
static size_t core_len;

static int
load_core(void)
{
	int fd = open("core", O_RDONLY);
	if (fd < 0)
		return -1;
	struct stat st;
	fstat(fd, &st);
	core_len = (size_t)st.st_size;
	core = malloc(core_len + 1);
	size_t got = 0;
	while (got < core_len) {
		ssize_t n = read(fd, core + got, core_len - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	return got == core_len ? (int)(st.st_mode & 07777) : -1;
}

/* The notes: calls fn for each (type, name, desc, size). */
struct notes_seen {
	int prstatus, prpsinfo, siginfo, auxv, file, fpregs;
	int first_cursig, first_pid_ok, siginfo_signo;
	int auxv_pagesz, file_names_exe;
	char fname[17];
	char psargs_start[32];
};

static void
read_notes(const Elf64_Phdr *ph, pid_t pid, const char *exe,
	   struct notes_seen *s)
{
	size_t off = ph->p_offset, end = ph->p_offset + ph->p_filesz;
	while (off + 12 <= end && end <= core_len) {
		const Elf64_Nhdr *n = (const Elf64_Nhdr *)(core + off);
		const char *desc = core + off + 12 + ((n->n_namesz + 3) & ~3u);
		if (n->n_type == NT_PRSTATUS) {
			if (s->prstatus++ == 0) {
				short cursig;
				int prpid;
				memcpy(&cursig, desc + 12, 2);
				memcpy(&prpid, desc + 32, 4);
				s->first_cursig = cursig;
				s->first_pid_ok = prpid == pid;
			}
		} else if (n->n_type == NT_PRPSINFO) {
			s->prpsinfo++;
			memcpy(s->fname, desc + 40, 16);
			snprintf(s->psargs_start, sizeof(s->psargs_start), "%.*s",
			    (int)strcspn(desc + 56, " "), desc + 56);
		} else if (n->n_type == NT_SIGINFO) {
			s->siginfo++;
			memcpy(&s->siginfo_signo, desc, 4);
		} else if (n->n_type == NT_AUXV) {
			s->auxv++;
			for (size_t i = 0; i + 16 <= n->n_descsz; i += 16) {
				uint64_t a[2];
				memcpy(a, desc + i, 16);
				if (a[0] == AT_PAGESZ)
					s->auxv_pagesz = (int)a[1];
			}
		} else if (n->n_type == NT_FILE) {
			s->file++;
			uint64_t count;
			memcpy(&count, desc, 8);
			const char *name = desc + 16 + count * 24;
			for (uint64_t i = 0; i < count && name < desc + n->n_descsz; i++) {
				if (strcmp(name, exe) == 0)
					s->file_names_exe = 1;
				name += strlen(name) + 1;
			}
		} else if (n->n_type == NT_FPREGSET) {
			s->fpregs++;
		}
		off += 12 + ((n->n_namesz + 3) & ~3u) + ((n->n_descsz + 3) & ~3u);
	}
}

/* The segment holding va, or NULL. */
static const Elf64_Phdr *
load_of(const Elf64_Ehdr *eh, uintptr_t va)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(core + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && va >= ph[i].p_vaddr &&
		    va < ph[i].p_vaddr + ph[i].p_memsz)
			return &ph[i];
	return NULL;
}

/* Whether the core holds len bytes at va equal to want (across the
 * segments they span). */
static int
core_holds(const Elf64_Ehdr *eh, uintptr_t va, const char *want, size_t len)
{
	while (len) {
		const Elf64_Phdr *ph = load_of(eh, va);
		if (!ph)
			return 0;
		size_t n = ph->p_vaddr + ph->p_memsz - va;
		n = n < len ? n : len;
		size_t at = ph->p_offset + (va - ph->p_vaddr);
		if (va + n > ph->p_vaddr + ph->p_filesz || at + n > core_len ||
		    memcmp(core + at, want, n) != 0)
			return 0;
		va += n;
		want += n;
		len -= n;
	}
	return 1;
}

static void
test_full(const char *exe, const char *argv0, int mask)
{
	pid_t pid;
	int status = run_child(CORE_MAX, 2, 1, SIGABRT, &pid);
	CHECK("SIGABRT ended it", WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	CHECK("WCOREDUMP", WCOREDUMP(status));
	int mode = load_core();
	CHECK_EQ("core's mode", mode, 0600 & ~mask);
	if (mode < 0)
		return;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)core;
	CHECK("ELF magic", core_len > sizeof(*eh) && memcmp(eh->e_ident, ELFMAG, 4) == 0);
	CHECK_EQ("e_type", eh->e_type, ET_CORE);
	CHECK_EQ("e_ident class", eh->e_ident[EI_CLASS], ELFCLASS64);
	CHECK("e_phnum", eh->e_phnum > 3);
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(core + eh->e_phoff);
	CHECK_EQ("first segment", ph[0].p_type, PT_NOTE);
	struct notes_seen s = { 0 };
	read_notes(&ph[0], pid, exe, &s);
	CHECK_EQ("NT_PRSTATUS notes (threads)", s.prstatus, 2);
	CHECK_EQ("first thread's pr_cursig", s.first_cursig, SIGABRT);
	CHECK("first thread is the crashing one", s.first_pid_ok);
	CHECK_EQ("NT_PRPSINFO", s.prpsinfo, 1);
	CHECK_STR("pr_fname", s.fname, "crasher");
	CHECK("pr_psargs starts with argv[0]",
	    strncmp(s.psargs_start, argv0, sizeof(s.psargs_start) - 1) == 0);
	CHECK_EQ("NT_SIGINFO's si_signo", s.siginfo_signo, SIGABRT);
	CHECK_EQ("NT_AUXV's AT_PAGESZ", s.auxv_pagesz, 4096);
	CHECK("NT_FILE names the program", s.file_names_exe);
	CHECK_EQ("NT_FPREGSET notes", s.fpregs, 2);
	char want[sizeof(global)];
	for (int i = 0; i < (int)sizeof(global); i++)
		want[i] = PATTERN_AT(i);
	CHECK("the global's bytes", core_holds(eh, (uintptr_t)global, want, sizeof(want)));
	memset(want, 'Q', 4096);
	CHECK("the anonymous page's bytes", core_holds(eh, (uintptr_t)anon, want, 4096));
	const Elf64_Phdr *dd = load_of(eh, (uintptr_t)dontdump);
	CHECK("MADV_DONTDUMP's segment", dd != NULL);
	if (dd) {
		CHECK_EQ("MADV_DONTDUMP's p_filesz", dd->p_filesz, 0);
		CHECK_EQ("MADV_DONTDUMP's p_memsz", dd->p_memsz, 4096);
	}
	free(core);
	unlink("core");
}

/* No core: RLIMIT_CORE 0 or under a page, or not dumpable. */
static void
test_none(const char *what, rlim_t limit, int dumpable, int sig)
{
	pid_t pid;
	int status = run_child(limit, 1, dumpable, sig, &pid);
	char name[96];
	snprintf(name, sizeof(name), "%s: signal", what);
	CHECK(name, WIFSIGNALED(status) && WTERMSIG(status) == sig);
	snprintf(name, sizeof(name), "%s: no WCOREDUMP", what);
	CHECK(name, !WCOREDUMP(status));
	snprintf(name, sizeof(name), "%s: no file", what);
	CHECK_ERR(name, access("core", F_OK), ENOENT);
}

/* An existing file is replaced, and so is a symbolic link (unlinked
 * first, never followed); a umask that takes the owner's write bit
 * leaves no core. */
static void
test_existing(void)
{
	abi_touch("core", "old text, longer than nothing");
	pid_t pid;
	int status = run_child(CORE_MAX, 1, 1, SIGQUIT, &pid);
	CHECK("over an old file: WCOREDUMP", WCOREDUMP(status));
	char magic[4] = { 0 };
	int fd = open("core", O_RDONLY);
	CHECK("over an old file: ELF", fd >= 0 && read(fd, magic, 4) == 4 &&
	    memcmp(magic, ELFMAG, 4) == 0);
	close(fd);
	unlink("core");
	symlink("elsewhere", "core");
	status = run_child(CORE_MAX, 1, 1, SIGQUIT, &pid);
	CHECK("over a symlink: WCOREDUMP", WCOREDUMP(status));
	struct stat st;
	CHECK("over a symlink: a regular file", lstat("core", &st) == 0 &&
	    S_ISREG(st.st_mode));
	CHECK_ERR("the link's target not made", access("elsewhere", F_OK), ENOENT);
	unlink("core");
	mode_t old = umask(0277);
	status = run_child(CORE_MAX, 1, 1, SIGQUIT, &pid);
	umask(old);
	CHECK("umask 0277: no WCOREDUMP", !WCOREDUMP(status));
	unlink("core");
}

/* "coredump segv": the program tests/system/coredump-gdb.py runs in
 * Petrel and reads the core of with gdb; a second thread sleeps. */
__attribute__((noinline)) static void
crash_in_here(volatile int *where)
{
	*where = 42;
}

static int
mode_segv(void)
{
	pthread_t t;
	pthread_create(&t, NULL, sleeper, NULL);
	memcpy(global, "core-marker", 12);
	crash_in_here(NULL);
	return 1;
}

/* RLIMIT_CORE of one page: the core is cut short but counts. */
static void
test_short(void)
{
	pid_t pid;
	int status = run_child(4096, 1, 1, SIGBUS, &pid);
	CHECK("RLIMIT_CORE 4096: WCOREDUMP", WCOREDUMP(status));
	char magic[4] = { 0 };
	int fd = open("core", O_RDONLY);
	CHECK("RLIMIT_CORE 4096: the header", fd >= 0 &&
	    read(fd, magic, 4) == 4 && memcmp(magic, ELFMAG, 4) == 0);
	close(fd);
	unlink("core");
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "segv") == 0)
		return mode_segv();
	/* abi_init's state, but for the hard RLIMIT_CORE it would make 0:
	   the host's container may not raise it again. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int sig = 1; sig < _NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	umask(022);
	alarm(ABI_WATCHDOG);
	struct rlimit rl;
	getrlimit(RLIMIT_CORE, &rl);
	rl.rlim_cur = 0;
	if (setrlimit(RLIMIT_CORE, &rl) < 0 || rl.rlim_max < CORE_MAX) {
		printf("abi coredump: skip: RLIMIT_CORE's hard limit is too low\n");
		return 77;
	}
	char dir[64];
	abi_tmpname(dir, sizeof(dir), "core");
	mkdir(dir, 0755);
	if (chdir(dir) < 0) {
		printf("chdir: %s\n", errno_name(errno));
		return 1;
	}
	char exe[256] = "";
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0)
		exe[n] = 0;
	mode_t mask = umask(022);
	anon = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dontdump = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* The middle page alone: the region splits. */
	munmap(dontdump, 4096);
	dontdump += 4096;
	munmap(dontdump + 4096, 4096);
	CHECK_OK("MADV_DONTDUMP", madvise(dontdump, 4096, MADV_DONTDUMP));
	CHECK_ERR("MADV_DONTDUMP on a hole", madvise(dontdump + 4096, 4096,
	    MADV_DONTDUMP), ENOMEM);
	test_full(exe, argv[0], 022);
	test_none("RLIMIT_CORE 0", 0, 1, SIGSEGV);
	test_none("RLIMIT_CORE 4095", 4095, 1, SIGSEGV);
	test_none("not dumpable", CORE_MAX, 0, SIGABRT);
	test_existing();
	test_short();
	umask(mask);
	chdir("/");
	rmdir(dir);
	return abi_done("coredump");
}
