/*
 * Petrel's system-call fuzzer (docs/fuzzing.md), its parent: worker
 * processes, half of them root and half uid 65534, make random Linux and
 * native calls with arguments drawn from valid and invalid values (live
 * descriptors of every kind, scratch, unmapped and kernel pointers, odd
 * lengths and flags).
 * The parent respawns workers that die, kills ones that stop making
 * progress, reports a worker that SIGKILL cannot end, and prints a report.
 *
 * usage: fuzz [-s SEED] [-n CALLS] [-w WORKERS] [-t STALL_S] [-v]
 * Exit status 0 when the budget was spent with no worker stuck and no
 * stall (a minute without a call), else 1.
 */
#include "fuzz.h"

#include <sys/prctl.h>

struct fuzz_shared *shared;
struct fuzz_opts opts;

/* ---- The parent: respawn, watch, report --------------------------------- */

struct watch {
	int pid;
	uint64_t progress;
	double since;		/* when progress last moved */
	double killed;		/* when the watchdog sent SIGKILL, or 0 */
	int reported;
	uint64_t generation;
};

static struct watch watches[MAX_WORKERS];
/* The calls workers were in when the watchdog killed them. */
static uint64_t stalled[NCALLS + 1];
static uint64_t deaths[65], exits[8], watchdog_kills, stuck, respawns;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* nr's place in fuzz_calls, or OTHER_CALL. */
static int
call_index(long nr)
{
	for (int i = 0; i < NCALLS; i++)
		if (fuzz_calls[i].nr == nr)
			return i;
	return OTHER_CALL;
}

static const char *
call_name(long nr)
{
	int i = call_index(nr);

	return i < NCALLS ? fuzz_calls[i].name : "?";
}

static int
remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type;
	if (ftw->level > 0 && remove(path) < 0 && errno == EBUSY) {
		umount2(path, MNT_DETACH);	/* a worker mounted there */
		remove(path);
	}
	return 0;
}

/*
 * Empties a directory (errors ignored). What a worker wrote stays after
 * it dies; a long run would otherwise fill the tmpfs until new workers
 * died in their setup, making no call (a 5-million-call run stalled so).
 */
static void
empty_dir(const char *dir)
{
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* A worker's directory, emptied, writable by the unprivileged ones. */
static void
make_dir(int index)
{
	char dir[32];

	snprintf(dir, sizeof(dir), "/tmp/fz%d", index);
	empty_dir(dir);
	mkdir("/tmp", 01777);
	chmod("/tmp", 01777);
	mkdir(dir, 0777);
	chmod(dir, 0777);
	mkdir("/tmp/fz-shared", 0777);
	chmod("/tmp/fz-shared", 0777);
}

static void reset_fatal(void);

static int fork_failing;

static void
spawn(int index)
{
	struct watch *w = &watches[index];
	/* Hashed in turn: seed 1's generation 3 must not be seed 2's 0. */
	uint64_t seed = splitmix(splitmix(splitmix(opts.seed) ^ index) ^
				 w->generation++);
	int pid;

	shared->slots[index].nr = -1;
	make_dir(index);	/* a worker may have removed or locked it */
	pid = fork();
	if (pid == 0) {
		reset_fatal();	/* a worker's faults are its own */
		worker(index, seed);
	}
	if (pid < 0) {
		/* Said once per stretch of failures: fork failing for root
		 * is what the report must show (a leak of processes or
		 * memory), else the run only stalls. */
		if (!fork_failing)
			printf("fuzz: fork for worker %d: %s\n", index,
			       strerror(errno));
		fflush(stdout);
		fork_failing = 1;
		w->pid = 0;
		return;
	}
	fork_failing = 0;
	respawns++;
	w->pid = pid;
	w->progress = shared->slots[index].progress;
	w->since = now();
	w->killed = 0;
	w->reported = 0;
}

/*
 * A worker that cannot enter its directory makes no call (exit 5); once
 * per slot, say what the directory has become (a run once lost a slot so
 * for 90,000 workers, and the cause was never seen).
 */
static void
report_no_dir(int index)
{
	static char said[MAX_WORKERS];
	char dir[32];
	struct stat st;

	if (said[index])
		return;
	said[index] = 1;
	snprintf(dir, sizeof(dir), "/tmp/fz%d", index);
	if (lstat(dir, &st) < 0)
		printf("fuzz: worker %d cannot enter %s: %s\n", index, dir,
		       strerror(errno));
	else
		printf("fuzz: worker %d cannot enter %s: mode %o uid %d "
		       "dev %lx ino %lu\n", index, dir, st.st_mode,
		       (int)st.st_uid, (unsigned long)st.st_dev,
		       (unsigned long)st.st_ino);
	fflush(stdout);
}

static void
reaped(int pid, int status)
{
	for (int i = 0; i < opts.workers; i++) {
		if (watches[i].pid != pid)
			continue;
		/* What it forked and left behind in its process group goes
		 * with it: such orphans piled up until, after 4.4 million
		 * calls, no process could be made (seed 81: fork EAGAIN). */
		kill(-pid, SIGKILL);
		if (WIFSIGNALED(status) && !watches[i].killed)
			deaths[WTERMSIG(status) & 63]++;
		else if (WIFEXITED(status))
			exits[MIN(WEXITSTATUS(status), 7)]++;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 5)
			report_no_dir(i);
		watches[i].pid = 0;
	}
}

static void
report_stuck(int index)
{
	volatile struct fuzz_slot *s = &shared->slots[index];
	long nr = s->nr;

	printf("fuzz: HANG worker %d (pid %d, %s) did not die of SIGKILL "
	       "in %s(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx)\n", index,
	       watches[index].pid, index % 2 ? "uid 65534" : "root",
	       call_name(nr), s->args[0], s->args[1], s->args[2], s->args[3],
	       s->args[4], s->args[5]);
	fflush(stdout);
	stuck++;
}

/*
 * A worker whose progress has not moved for stall_s seconds gets SIGKILL
 * (a blocked call its alarm could not interrupt). One that outlives the
 * SIGKILL by 10 s is a kernel bug: it is reported, and its slot given to
 * a fresh worker so the run goes on.
 */
static void
watchdog(int index)
{
	struct watch *w = &watches[index];
	uint64_t progress = shared->slots[index].progress;
	double t = now();

	if (progress != w->progress) {
		w->progress = progress;
		w->since = t;
		return;
	}
	if (!w->killed && t - w->since > opts.stall_s) {
		kill(w->pid, SIGKILL);
		kill(-w->pid, SIGKILL);	/* and its process group */
		w->killed = t;
		watchdog_kills++;
		stalled[call_index(shared->slots[index].nr)]++;
	} else if (w->killed && t - w->killed > 10) {
		report_stuck(index);
		w->pid = 0;
	}
}

static void
reap_all(void)
{
	int status, pid;

	while ((pid = waitpid(-1, &status, WNOHANG | __WALL)) > 0)
		reaped(pid, status);
}

static void
print_report(void)
{
	printf("fuzz: calls=%lu workers-started=%lu watchdog-kills=%lu "
	       "stuck=%lu\n", (unsigned long)shared->calls,
	       (unsigned long)respawns, (unsigned long)watchdog_kills,
	       (unsigned long)stuck);
	printf("fuzz: exits (status 0..6, 7 and up):");
	for (int e = 0; e < 8; e++)
		printf(" %lu", (unsigned long)exits[e]);
	printf("\n");
	printf("fuzz: deaths:");
	for (int s = 1; s < 65; s++)
		if (deaths[s])
			printf(" %s=%lu", strsignal(s),
			       (unsigned long)deaths[s]);
	printf("\nfuzz: stalled in:");
	for (int i = 0; i <= NCALLS; i++)
		if (stalled[i])
			printf(" %s=%lu", i < NCALLS ? fuzz_calls[i].name :
			       "between-calls", (unsigned long)stalled[i]);
	printf("\nfuzz: per-call:");
	for (int i = 0; i <= NCALLS; i++)
		if (shared->per_call[i])
			printf(" %s=%lu", i < NCALLS ? fuzz_calls[i].name :
			       "other", (unsigned long)shared->per_call[i]);
	printf("\nfuzz: errno:");
	for (int e = 0; e <= MAX_ERRNO; e++)
		if (shared->errors[e])
			printf(" %d=%lu", e, (unsigned long)shared->errors[e]);
	printf("\n");
}

static void
stop_workers(void)
{
	double t = now();

	for (int i = 0; i < opts.workers; i++)
		if (watches[i].pid)
			kill(watches[i].pid, SIGKILL);
	for (;;) {
		int live = 0;

		reap_all();
		for (int i = 0; i < opts.workers; i++)
			live += watches[i].pid != 0;
		if (!live)
			return;
		if (now() - t > 10) {
			for (int i = 0; i < opts.workers; i++)
				if (watches[i].pid)
					report_stuck(i);
			return;
		}
		usleep(50000);
	}
}

/*
 * No call made by any worker for this long, while workers come and go:
 * the run is stalled (once every new worker died at its first
 * instructions, its program's file cut by an O_PATH descriptor).
 */
#define STALL_RUN_S 60

static int stalled_run;

/*
 * Removes every System V IPC object. They outlive the workers that made
 * them (as on Linux), so a long run would otherwise fill memory with
 * message queues and touched segments until no worker could start (a
 * 5-million-call run stalled so). Ids come from /proc/sysvipc.
 */
static void
sysv_sweep(void)
{
	static const struct {
		const char *path;
		long nr;
	} kinds[] = {
		{ "/proc/sysvipc/msg", SYS_msgctl },
		{ "/proc/sysvipc/shm", SYS_shmctl },
		{ "/proc/sysvipc/sem", SYS_semctl },
	};
	char line[256];

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		FILE *f = fopen(kinds[k].path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			int key, id;
			if (sscanf(line, "%d %d", &key, &id) != 2)
				continue;	/* the heading */
			if (kinds[k].nr == SYS_semctl)
				syscall(SYS_semctl, id, 0, IPC_RMID, 0);
			else
				syscall(kinds[k].nr, id, IPC_RMID, 0);
		}
		fclose(f);
	}
}

/* /proc/meminfo's MemAvailable, shown with the progress (-1: none). */
static long
mem_available_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static void
run(void)
{
	double last_print = now(), last_move = now();
	uint64_t last_calls = 0;

	while (__atomic_load_n(&shared->calls, __ATOMIC_RELAXED) <
	       opts.budget) {
		uint64_t calls = __atomic_load_n(&shared->calls,
						 __ATOMIC_RELAXED);
		if (calls != last_calls) {
			last_calls = calls;
			last_move = now();
		} else if (now() - last_move > STALL_RUN_S) {
			printf("fuzz: STALL no call made in %d s\n",
			       STALL_RUN_S);
			stalled_run = 1;
			break;
		}
		reap_all();
		for (int i = 0; i < opts.workers; i++) {
			if (!watches[i].pid)
				spawn(i);
			else
				watchdog(i);
		}
		if (now() - last_print >= 5) {
			last_print = now();
			sysv_sweep();
			empty_dir("/tmp/fz-shared");
			printf("fuzz: progress calls=%lu free=%ldK workers",
			       (unsigned long)shared->calls, mem_available_kb());
			for (int i = 0; i < opts.workers; i++)
				printf(" %d%s", watches[i].pid,
				       watches[i].killed ? "(killed)" : "");
			printf(" exits");
			for (int e = 0; e < 8; e++)
				printf(" %lu", (unsigned long)exits[e]);
			printf(" deaths");
			for (int d = 1; d < 65; d++)
				if (deaths[d])
					printf(" %d=%lu", d,
					       (unsigned long)deaths[d]);
			printf("\n");
			fflush(stdout);
		}
		usleep(50000);
	}
	stop_workers();
}

/*
 * A signal that kills the parent says where it came from before it does:
 * a fault (si_addr) or another process (si_pid, si_code: SI_USER, SI_QUEUE,
 * or POLL_* for a descriptor's owner signal).
 */
static void
on_fatal(int sig, siginfo_t *si, void *ctx)
{
	char line[160];
	int n;

	(void)ctx;
	n = snprintf(line, sizeof(line), "fuzz: parent got signal %d code %d "
		     "addr %p from pid %d uid %d\n", sig, si->si_code,
		     si->si_addr, si->si_pid, si->si_uid);
	write(1, line, n);
	signal(sig, SIG_DFL);
	raise(sig);
}

static const int fatal_sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE,
				   SIGABRT, SIGTERM };

static void
catch_fatal(void)
{
	struct sigaction sa = { .sa_sigaction = on_fatal,
				.sa_flags = SA_SIGINFO | SA_RESETHAND };

	for (size_t i = 0; i < sizeof(fatal_sigs) / sizeof(fatal_sigs[0]); i++)
		sigaction(fatal_sigs[i], &sa, NULL);
}

static void
reset_fatal(void)
{
	for (size_t i = 0; i < sizeof(fatal_sigs) / sizeof(fatal_sigs[0]); i++)
		signal(fatal_sigs[i], SIG_DFL);
}

static void
parse(int argc, char **argv)
{
	int c;

	opts = (struct fuzz_opts){ 1, 100000, 4, 3, 0, 0 };
	while ((c = getopt(argc, argv, "s:n:w:t:vf:")) != -1) {
		switch (c) {
		case 's': opts.seed = strtoull(optarg, NULL, 0); break;
		case 'n': opts.budget = strtoull(optarg, NULL, 0); break;
		case 'w': opts.workers = atoi(optarg); break;
		case 't': opts.stall_s = atoi(optarg); break;
		case 'v': opts.verbose = 1; break;
		case 'f': opts.fork_percent = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: fuzz [-s SEED] [-n CALLS] "
				"[-w WORKERS] [-t STALL_S] [-v] "
				"[-f FORK_PERCENT]\n");
			exit(2);
		}
	}
	if (opts.workers < 1 || opts.workers > MAX_WORKERS)
		opts.workers = 4;
}


int
main(int argc, char **argv)
{
	parse(argc, argv);
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		perror("fuzz: mmap");
		return 1;
	}
	/* Stray signals from workers' fds (SIGPIPE, SIGIO) must not end us. */
	/* Orphans of the workers come here (not to init), to be reaped. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGIO, SIG_IGN);
	signal(SIGURG, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	catch_fatal();
	printf("fuzz: seed=%lu budget=%lu workers=%d\n",
	       (unsigned long)opts.seed, (unsigned long)opts.budget,
	       opts.workers);
	fflush(stdout);
	run();
	print_report();
	printf(stuck || stalled_run ? "fuzz: FAIL\n" : "fuzz: ok\n");
	return stuck || stalled_run ? 1 : 0;
}
