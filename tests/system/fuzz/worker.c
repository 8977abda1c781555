/*
 * The fuzzer's workers (docs/fuzzing.md): each opens descriptors of every
 * kind, then makes random calls with arguments drawn by kind from valid and
 * invalid values, within the limits that keep the run and the machine up.
 */
#include "fuzz.h"

/* ---- Random numbers: xorshift64*, seeded through splitmix64 -------------- */

static __thread uint64_t rng_state;	/* each thread its own */

uint64_t
splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15UL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9UL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebUL;
	return x ^ (x >> 31);
}

static uint64_t
rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dUL;
}

static uint64_t
below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static int
chance(int percent)
{
	return (int)below(100) < percent;
}

/* ---- The raw call: a child of clone, fork or vfork exits at once ------- */

long fuzz_syscall(long nr, long a, long b, long c, long d, long e, long f);
long fuzz_clone_call(long nr, long a, long b, long c, long d, long e, long f);

/*
 * The child of a fuzzed clone may have a random stack, or share the
 * worker's memory: it must not touch either, so it exits (SYS_exit, its
 * own thread only) in the same few instructions that made the call.
 */
__asm__(".text\n"
	".globl fuzz_syscall\n"
	"fuzz_syscall:\n"
	"	mov %rdi, %rax\n"
	"	mov %rsi, %rdi\n"
	"	mov %rdx, %rsi\n"
	"	mov %rcx, %rdx\n"
	"	mov %r8, %r10\n"
	"	mov %r9, %r8\n"
	"	mov 8(%rsp), %r9\n"
	"	syscall\n"
	"	ret\n"
	".globl fuzz_clone_call\n"
	"fuzz_clone_call:\n"
	"	mov %rdi, %rax\n"
	"	mov %rsi, %rdi\n"
	"	mov %rdx, %rsi\n"
	"	mov %rcx, %rdx\n"
	"	mov %r8, %r10\n"
	"	mov %r9, %r8\n"
	"	mov 8(%rsp), %r9\n"
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jnz 1f\n"
	"	mov $60, %eax\n"
	"	xor %edi, %edi\n"
	"	syscall\n"
	"1:	ret\n");

/* ---- A worker's descriptors, paths and pointers ------------------------ */

static long pool[96];
static int npool;
static int worker_index;
static int worker_root;
static int worker_pid;

static const char *const paths[] = {
	/* the worker's own directory (its cwd): anything goes */
	"a", "b", "d", "d/x", "l", "fifo", "sock", "d/y", "c",
	"a/../a", "d/../d/z", "/tmp/fz-shared", "d/x/w",
	/* the rest of the system: read, looked at, refused */
	".", "", "..", "../fz-missing", "/", "/etc/passwd", "/proc",
	"/proc/self/stat", "/proc/self/maps", "/proc/self/fd/3",
	"/proc/1/status", "/proc/stat", "/dev/null",
	"/dev/zero", "/dev/urandom", "/dev", "/tmp", "/test/bin/fuzz",
	"/nonexistent/x", "/proc/self/exe", "/proc/self/cwd",
};
#define SAFE_PATHS 13	/* paths[0..12]: a root worker may change only these */

static void
pool_add(long d)
{
	if (d >= 0 && npool < (int)(sizeof(pool) / sizeof(pool[0])))
		pool[npool++] = d;
}

static void
pool_open(const char *path, int flags)
{
	pool_add(open(path, flags | O_CLOEXEC, 0666));
}

static void
pool_pair(long ret, int ends[2])
{
	if (ret == 0) {
		pool_add(ends[0]);
		pool_add(ends[1]);
	}
}

static void
pool_sockets(void)
{
	static const int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };
	static const int families[] = { AF_UNIX, AF_INET, AF_INET6 };
	int ends[2];

	for (unsigned f = 0; f < 3; f++)
		for (unsigned t = 0; t < 3; t++)
			pool_add(socket(families[f], types[t] | SOCK_NONBLOCK,
					0));
	pool_pair(socketpair(AF_UNIX, SOCK_STREAM, 0, ends), ends);
	pool_pair(socketpair(AF_UNIX, SOCK_DGRAM, 0, ends), ends);
}

static void
pool_native(void)
{
	pt_handle_t ends[2];

	pool_add(pt_notify_create());
	pool_add(pt_mem_create(8192, 0));
	pool_pair(pt_channel_create(ends), (int *)ends);
}

/* Opens one descriptor of every kind the kernel has, and native handles. */
static void
pool_fill(void)
{
	int ends[2];

	npool = 0;
	pool_open("a", O_RDWR | O_CREAT);
	pool_open("d", O_RDONLY | O_DIRECTORY);
	pool_open("/", O_RDONLY | O_DIRECTORY);
	pool_open("/etc/passwd", O_RDONLY);
	pool_open("/proc/self/stat", O_RDONLY);
	pool_open("/proc/stat", O_RDONLY);
	pool_open("/proc", O_RDONLY | O_DIRECTORY);
	pool_open("/dev/null", O_RDWR);
	pool_open("/dev/zero", O_RDONLY);
	pool_open("/dev/urandom", O_RDONLY);
	pool_open("fifo", O_RDWR | O_NONBLOCK);
	pool_pair(pipe2(ends, O_NONBLOCK), ends);
	pool_pair(pipe(ends), ends);
	pool_add(eventfd(0, EFD_NONBLOCK));
	pool_add(eventfd(3, EFD_SEMAPHORE));
	pool_add(epoll_create1(0));
	pool_add(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
	pool_add(timerfd_create(CLOCK_REALTIME, 0));
	pool_sockets();
	pool_native();
}

static const long bad_pointers[] = {
	0, 1, 0xfff, 0x7ffffffff000, 0x7fffffffffff, 0x800000000000,
	0xffff800000000000, 0xffffffff80000000, 0xffffffffffffffff,
	(long)SCRATCH + SCRATCH_LEN, (long)SCRATCH + SCRATCH_LEN - 1,
	(long)SCRATCH - 8,
};
#define NBAD (sizeof(bad_pointers) / sizeof(bad_pointers[0]))

static long
scratch_pointer(void)
{
	if (chance(10))	/* a few bytes before the unmapped page */
		return (long)SCRATCH + SCRATCH_LEN - below(64);
	return (long)SCRATCH + (below(SCRATCH_LEN) & ~(chance(80) ? 7UL : 0));
}

/* Words that make plausible structures: iovecs, pollfds, sigactions. */
static long
scratch_word(void)
{
	switch (below(6)) {
	case 0: return 0;
	case 1: return (long)below(64);
	case 2: return scratch_pointer();
	case 3: return npool ? pool[below(npool)] : 0;
	case 4: return (long)bad_pointers[below(NBAD)];
	default: return (long)rnd();
	}
}

static void
scratch_fill(void)
{
	long *w = (long *)SCRATCH;

	for (unsigned i = 0; i < SCRATCH_LEN / sizeof(long); i++)
		w[i] = scratch_word();
}

/* ---- Arguments by kind -------------------------------------------------- */

static long
arg_fd(void)
{
	if (chance(85) && npool)
		return pool[below(npool)];
	switch (below(4)) {
	case 0: return -1;
	case 1: return AT_FDCWD;
	case 2: return (long)below(1100);
	default: return (long)(int)rnd();
	}
}

static long
arg_path(void)
{
	if (chance(85))
		return (long)paths[below(sizeof(paths) / sizeof(paths[0]))];
	if (chance(50))
		return scratch_pointer();
	return bad_pointers[below(NBAD)];
}

static long
arg_pointer(void)
{
	int r = (int)below(100);

	if (r < 75)
		return scratch_pointer();
	if (r < 92)
		return bad_pointers[below(NBAD)];
	return (long)paths[below(SAFE_PATHS)];	/* read-only memory */
}

static long
arg_address(void)
{
	if (chance(85))
		return (long)(PLAYGROUND + (below(PLAYGROUND_LEN) &
					    ~(chance(90) ? 0xfffUL : 0)));
	return bad_pointers[below(NBAD)];
}

static long
arg_length(void)
{
	static const long lengths[] = {
		0, 1, 2, 4, 8, 16, 64, 100, 4095, 4096, 4097, 8192, 65536,
		1 << 20, 0x7fffffff, 0x80000000L, -1L, 1L << 47, 1L << 62,
	};
	if (chance(40))
		return (long)below(32);
	return lengths[below(sizeof(lengths) / sizeof(lengths[0]))];
}

static long
arg_flags(void)
{
	switch (below(6)) {
	case 0: return 0;
	case 1: return 1L << below(32);
	case 2: return (1L << below(32)) | (1L << below(32)) | below(4);
	case 3: return (long)(uint32_t)rnd();
	case 4: return (long)below(16);
	default: return -1;
	}
}

static long
arg_pid(void)
{
	switch (below(6)) {
	case 0: return 0;
	case 1: case 2: return worker_pid;
	case 3: return 99999;
	case 4: return -99999;
	default: return getppid();
	}
}

static long
arg_int(void)
{
	static const long ints[] = {
		0, 1, 2, 3, -1, -2, 16, 64, 255, 256, 4096, 0x7fffffff,
		-0x80000000L, 0xffffffffL, 1L << 32, 1L << 63,
	};
	if (chance(50))
		return ints[below(sizeof(ints) / sizeof(ints[0]))];
	return chance(50) ? (long)below(100) : (long)rnd();
}

static long
arg_of(enum fuzz_kind kind)
{
	switch (kind) {
	case FZ_FD: return arg_fd();
	case FZ_PATH: return arg_path();
	case FZ_PTR: return arg_pointer();
	case FZ_ADDR: return arg_address();
	case FZ_LEN: return arg_length();
	case FZ_FLAGS: return arg_flags();
	case FZ_PID: return arg_pid();
	case FZ_SIG: return chance(95) ? (long)below(65) : arg_int();
	default: return arg_int();
	}
}

/* ---- What the fuzzer must not do --------------------------------------- */

/*
 * Where signals go. Most signals to oneself kill: keep workers alive long
 * enough with mild ones. A root worker signals only itself (root may end
 * any process: the run, the shell, init); an unprivileged one aims
 * anywhere, and the kernel must refuse it root's processes.
 */
static void
target_self(long nr, long *a)
{
	static const long mild[] = { 0, SIGALRM, SIGCHLD, SIGURG, SIGWINCH };
	int sig = nr == SYS_tgkill ? 2 : 1;

	if ((nr == SYS_kill || nr == SYS_tkill || nr == SYS_tgkill ||
	     nr == SYS_rt_sigqueueinfo) && chance(75))
		a[sig] = mild[below(5)];
	if (!worker_root)
		return;
	if (nr == SYS_tgkill) {
		a[0] = worker_pid;
		a[1] = chance(80) ? worker_pid : 99999;
	} else if (nr == SYS_tkill || nr == SYS_rt_sigqueueinfo ||
		   nr == SYS_kill || nr == SYS_rt_tgsigqueueinfo) {
		if (a[0] != 0 && a[0] != 99999 && a[0] != -99999)
			a[0] = worker_pid;
		if (nr == SYS_rt_tgsigqueueinfo)
			a[1] = worker_pid;
	}
}

/*
 * A root worker's descriptors signal only itself. Root may make any
 * process a file's owner (F_SETOWN, F_SETOWN_EX, FIOSETOWN, SIOCSPGRP,
 * TIOCSPGRP), and with F_SETSIG the owner gets any signal at the next
 * I/O event, as on Linux: the fuzzer's parent, a small pid, once died so
 * of SIGSEGV (seed 80, 2.1 million calls).
 */
static void
root_owner_self(long nr, long *a)
{
	static struct { int type, pid; } owner_ex;
	static int owner;

	if (nr == SYS_fcntl && a[1] == F_SETOWN) {
		a[2] = chance(50) ? 0 : worker_pid;
	} else if (nr == SYS_fcntl && a[1] == F_SETOWN_EX) {
		owner_ex.type = F_OWNER_PID;
		owner_ex.pid = worker_pid;
		a[2] = (long)&owner_ex;
	} else if (nr == SYS_ioctl && (a[1] == FIOSETOWN ||
				       a[1] == SIOCSPGRP ||
				       a[1] == TIOCSPGRP)) {
		owner = worker_pid;
		a[2] = (long)&owner;
	}
}

/*
 * A root worker's calls that act on another process by pid act on itself
 * (or on no one): root may trace, write into, or reschedule any process,
 * and one PTRACE_ATTACH to the fuzzer's parent stopped it for good when
 * the worker died (the SIGSTOP of the attach outlives its tracer, as on
 * Linux), which left the whole run waiting. An unprivileged worker aims
 * them anywhere: the kernel must refuse it root's processes.
 */
static void
root_pids_self(const struct fuzz_call *c, long *a)
{
	int first = 0, last = -1;

	switch (c->nr) {
	case SYS_ptrace:
		first = last = 1;
		break;
	case SYS_kcmp:
		last = 1;
		break;
	case SYS_process_vm_readv:
	case SYS_process_vm_writev:
	case SYS_pidfd_open:
	case SYS_sched_setscheduler:
	case SYS_sched_setparam:
	case SYS_sched_setattr:
	case SYS_sched_setaffinity:
		last = 0;
		break;
	}
	for (int i = first; i <= last; i++)
		if (a[i] != 0 && a[i] != 99999 && a[i] != -99999)
			a[i] = worker_pid;
	root_owner_self(c->nr, a);
}

/* Root's calls that would end the run, or the machine, or silence it. */
static int
root_must_not(long nr, long *a)
{
	switch (nr) {
	case SYS_mount:
	case SYS_umount2:
	case SYS_move_mount:	/* the new mount API can do what mount does */
	case SYS_fsmount:
	case SYS_fsconfig:
	case SYS_mount_setattr:
	case SYS_vhangup:	/* the console the run reports on */
		return 1;
	case SYS_syslog:	/* clearing the log or muting the console */
		return a[0] >= 5 && a[0] <= 8;
	case SYS_fchmod:	/* only its own file and directory */
	case SYS_fchown:
		return npool < 2 || (a[0] != pool[0] && a[0] != pool[1]);
	}
	return 0;
}

/* A root worker changes only the paths of its own directory. */
static void
safe_paths(const struct fuzz_call *c, long *a)
{
	for (int i = 0; i < c->nargs; i++) {
		if (c->kinds[i] != FZ_PATH)
			continue;
		for (unsigned p = SAFE_PATHS;
		     p < sizeof(paths) / sizeof(paths[0]); p++)
			if (a[i] == (long)paths[p])
				a[i] = (long)paths[below(SAFE_PATHS)];
	}
}

/* Whether call nr may change the files its paths name (for root). */
static int
path_changer(long nr, long *a)
{
	if (nr == SYS_open || nr == SYS_creat)
		return nr == SYS_creat || (a[1] & (O_ACCMODE | O_CREAT |
						   O_TRUNC)) != 0;
	if (nr == SYS_openat)
		return (a[2] & (O_ACCMODE | O_CREAT | O_TRUNC)) != 0;
	if (nr == SYS_mount || nr == SYS_umount2)
		return 0;
	if (nr == SYS_statfs || nr == SYS_stat || nr == SYS_lstat ||
	    nr == SYS_newfstatat || nr == SYS_statx || nr == SYS_access ||
	    nr == SYS_faccessat || nr == SYS_faccessat2 ||
	    nr == SYS_readlink || nr == SYS_readlinkat || nr == SYS_chdir ||
	    nr == SYS_getcwd || nr == SYS_chroot)
		return 0;
	return nr < 4096;
}

/*
 * Returns 1 when the call must be skipped: it would end the machine
 * (reboot), replace the worker (execve, execveat), or break the fuzzer's own
 * footing (its alarm signal); the rest are rewritten to stay in bounds.
 */
static int
fuzz_limit(const struct fuzz_call *c, long *a)
{
	if (c->nr == SYS_reboot || c->nr == SYS_execve ||
	    c->nr == SYS_execveat)
		return 1;
	if (c->nr == SYS_rt_sigaction && a[0] == SIGALRM)
		return 1;
	if (worker_root && root_must_not(c->nr, a))
		return 1;
	if (worker_root && path_changer(c->nr, a))
		safe_paths(c, a);
	if (worker_root)
		root_pids_self(c, a);
	target_self(c->nr, a);
	/* Root's prlimit64 on the run's other processes could starve it. */
	if (worker_root && c->nr == SYS_prlimit64)
		a[0] = chance(50) ? 0 : worker_pid;
	return 0;
}

/* ---- The worker --------------------------------------------------------- */

static void
on_alarm(int sig)
{
	(void)sig;
}

static void
count(int call, long ret)
{
	long e = ret < 0 && ret > -4096 ? -ret : 0;

	if (e > MAX_ERRNO)
		e = MAX_ERRNO;
	__atomic_fetch_add(&shared->per_call[call], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&shared->errors[e], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&shared->calls, 1, __ATOMIC_RELAXED);
}

static void
trace(long nr, const long *a)
{
	char line[200];
	int n = snprintf(line, sizeof(line),
			 "fuzz: w%d %ld(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx)\n",
			 worker_index, nr, a[0], a[1], a[2], a[3], a[4], a[5]);

	fuzz_syscall(SYS_write, 1000, (long)line, n, 0, 0, 0);
}

static int
is_clone(long nr)
{
	return nr == SYS_clone || nr == SYS_fork || nr == SYS_vfork;
}

/*
 * The fork mix (-f): a fork whose child exits at once, as LTP's fcntl14
 * makes 10,000, while the worker (and its second thread, if any) write a
 * word of every scratch page, so that their copy-on-write faults meet the
 * child's exit; then the worker waits for it. Counted as a fork call.
 */
static long
fork_burst(struct fuzz_slot *slot)
{
	long *w = (long *)SCRATCH;
	long ret;

	slot->nr = SYS_fork;
	ret = fuzz_clone_call(SYS_fork, 0, 0, 0, 0, 0, 0);
	for (unsigned long i = 0; i < SCRATCH_LEN / sizeof(long); i += 512)
		w[i + below(512)] = scratch_word();
	if (ret > 0)
		fuzz_syscall(SYS_wait4, ret, 0, 0, 0, 0, 0);
	slot->nr = -1;
	slot->progress++;
	__atomic_fetch_add(&shared->calls, 1, __ATOMIC_RELAXED);
	return ret;
}

/* One random call; returns what the kernel returned. */
static long
fuzz_one(struct fuzz_slot *slot)
{
	int index = (int)below(NCALLS);
	struct fuzz_call other = { 0, "other", 6, { FZ_INT, FZ_INT, FZ_INT,
						     FZ_INT, FZ_INT, FZ_INT } };
	const struct fuzz_call *c = &fuzz_calls[index];
	long a[6] = { 0 }, ret;

	if (opts.fork_percent && chance(opts.fork_percent))
		return fork_burst(slot);
	if (chance(3)) {	/* numbers no call has, near those that do */
		other.nr = chance(50) ? (long)below(512) :
					4096 + (long)below(64);
		c = &other;
		index = OTHER_CALL;
	}
	for (int i = 0; i < c->nargs; i++)
		a[i] = arg_of(c->kinds[i]);
	if (fuzz_limit(c, a))
		return 0;
	slot->nr = c->nr;
	for (int i = 0; i < 6; i++)
		slot->args[i] = a[i];
	if (opts.verbose)
		trace(c->nr, a);
	if (is_clone(c->nr))
		ret = fuzz_clone_call(c->nr, a[0], a[1], a[2], a[3], a[4],
				      a[5]);
	else
		ret = fuzz_syscall(c->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	count(index, ret);
	slot->nr = -1;
	slot->progress++;
	return ret;
}

static void
drop_privileges(void)
{
	if (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 ||
	    setuid(NOBODY) < 0)
		_exit(3);
}

static void
worker_memory(void)
{
	if (mmap(SCRATCH, SCRATCH_LEN, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != SCRATCH)
		_exit(4);
	mmap((void *)PLAYGROUND, PLAYGROUND_LEN / 4, PROT_READ | PROT_WRITE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
}

/* The worker's footing: own session, quiet stdio, its directory, alarm. */
static void
worker_setup(int index, int root)
{
	char dir[32];
	int null = open("/dev/null", O_RDWR);
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval alarm = { { 0, 10000 }, { 0, 10000 } };

	worker_index = index;
	worker_root = root;
	worker_pid = getpid();
	setsid();
	if (opts.verbose)
		dup2(1, 1000);
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	if (!root)
		drop_privileges();
	snprintf(dir, sizeof(dir), "/tmp/fz%d", index);
	if (chdir(dir) < 0)
		_exit(5);
	mkdir("d", 0777);
	mkfifo("fifo", 0666);
	worker_memory();
	pool_fill();
	scratch_fill();
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &alarm, NULL);
}

/* Makes life calls, or fewer if the run's budget is spent first. */
static void
fuzz_loop(struct fuzz_slot *slot, uint64_t life)
{
	for (uint64_t i = 0; i < life; i++) {
		if (__atomic_load_n(&shared->calls, __ATOMIC_RELAXED) >=
		    opts.budget)
			break;
		if (i % 64 == 63)
			scratch_fill();
		fuzz_one(slot);
	}
}

struct second {
	struct fuzz_slot *slot;
	uint64_t seed, life;
};

/*
 * A second thread in half the workers, fuzzing the same descriptors, so
 * that calls race and exit_group, signals and futexes meet sleeping
 * threads. Whichever thread ends its life first ends the worker.
 */
static void *
second_thread(void *arg)
{
	struct second *s = arg;

	rng_state = splitmix(s->seed) | 1;
	fuzz_loop(s->slot, s->life);
	_exit(0);
}

_Noreturn void
worker(int index, uint64_t seed)
{
	static struct second second;
	struct fuzz_slot *slot = &shared->slots[index];
	uint64_t life = 200 + seed % 2000;
	pthread_t thread;

	rng_state = splitmix(seed) | 1;
	worker_setup(index, index % 2 == 0);
	if (chance(50)) {
		second = (struct second){ slot, rnd(), life };
		pthread_create(&thread, NULL, second_thread, &second);
	}
	fuzz_loop(slot, life);
	_exit(0);
}
