/*
 * smpops: system-call-heavy work in N independent workers at once, for the
 * vCPU scaling benchmark (bench/smpbench.py, docs/performance.md "vCPU
 * scaling"). One static program that runs unchanged in Petrel and in the
 * Linux guest; it times itself with CLOCK_MONOTONIC (guest time) and
 * prints one line per case:
 *
 *   smpops case NAME workers N ops OPS ns NS
 *
 * and, where /proc/petrel/bkl exists (Petrel's big-lock counters), one
 * line per CPU with the counters' growth over the same span:
 *
 *   smpops bkl NAME cpuI acquired A contended C wait_ns W hold_ns H span_ns S
 *
 * and, where /proc/petrel/sched exists (the scheduler's counters), one
 * line per CPU with their growth, its columns named as in that file:
 *
 *   smpops sched NAME cpuI wakes_here N wakes_other N ipis N ...
 *
 * and, where /proc/petrel/mm exists (the page allocator's lock and cache,
 * TLB shootdown interrupts, spinlock waits: docs/kernel.md, "Memory"), one
 * line per CPU with each column's growth, named as the file's header does:
 *
 *   smpops mm NAME cpuI page_lock P contended C ... spins_contended S
 *
 * Before each case it prints "smpops start NAME", so that a host watching
 * the console can read what the guest's vCPU threads used of the host
 * over the case (bench/smpbench.py's host CPU per op). Then "smpops done".
 *
 *   smpops [-j WORKERS] [-s SECONDS] [-d DIR] CASE...
 *
 *   spin     a loop in user space with no system call; an op is 100
 *            multiply-adds (how fast the host runs each vCPU at all)
 *   getppid  a getppid loop; an op is one call
 *   getpid   a getpid loop; an op is one call
 *   clock    a clock_gettime(CLOCK_MONOTONIC) loop; an op is one call
 *            (the vDSO's, no system call: a TSC read, which QEMU's TCG
 *            serves with a helper that takes a lock every vCPU shares)
 *   pipe     a pipe ping-pong pair of processes per worker; an op is one
 *            round trip (a 1-byte write and read each way)
 *   file     pread of 256 bytes at offset 0 of a 4 KiB file of the
 *            worker's own in DIR (default /tmp, tmpfs); an op is one pread
 *   read     lseek to 0 and read of 256 bytes of the same kind of file: an
 *            op is the pair (neither takes the big lock where the
 *            worker's offset is its own, since mem7; lseek did before)
 *   readseq  read of 256 bytes on through the same kind of file, lseek to
 *            0 at its end (one call in 17); an op is one read
 *   seek     lseek to 0 of the same kind of file; an op is one call
 *   futex    two threads of one process per worker handing a turn back
 *            and forth with FUTEX_WAKE_PRIVATE and FUTEX_WAIT_PRIVATE on
 *            private memory; an op is one round trip
 *   fault    mmap of a 256 KiB private anonymous region, a store to each
 *            of its 64 pages, munmap, again; an op is one page fault
 *            (the mmap and munmap counted in its cost)
 *
 * Each worker is a process of its own. All start together (they block on
 * a pipe the parent closes), count their ops into shared memory, and stop
 * when the parent, after SECONDS (default 2), raises a flag there.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* <linux/futex.h>'s, which musl's headers do not include. */
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

#define WORKERS_MAX 64
#define CPUS_MAX 64
#define FILE_SIZE 4096
#define READ_SIZE 256
#define FAULT_PAGES 64
#define PAGE 4096
#define SPIN_STEPS 100

/*
 * Each worker's counter, and the stop flag every worker reads, on lines of
 * their own: with them side by side, every op's store moved one cache line
 * between the host cores that run the vCPUs (MTTCG stores to guest memory
 * are plain host stores), a cost that grew with the workers and was no
 * part of the system call measured. 128 bytes: a line and the neighbour
 * the host's adjacent-line prefetcher pulls with it.
 */
#define LINE 128
struct shared {
	volatile int stop __attribute__((aligned(LINE)));
	struct {
		volatile uint64_t n __attribute__((aligned(LINE)));
	} ops[WORKERS_MAX];
};

struct bkl_line {
	unsigned long long acquired, contended, wait_ns, hold_ns;
};

/* /proc/petrel/sched's columns after the CPU's name, and its values. */
#define SCHED_COLS 16
struct sched_lines {
	int cols, cpus;
	char names[SCHED_COLS][32];
	unsigned long long v[CPUS_MAX][SCHED_COLS];
};

/* /proc/petrel/mm: its header's column names and a row of counts a CPU. */
#define MM_COLS 16
struct mm_table {
	int cols, cpus;
	char names[MM_COLS][32];
	unsigned long long counts[CPUS_MAX][MM_COLS];
};

static struct shared *shared;
static const char *dir = "/tmp";

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
die(const char *what)
{
	fprintf(stderr, "smpops: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* No system call at all: what the host gives each vCPU's thread, the
 * ceiling for every other case (bench/smpbench.py's "host ceiling"). */
static void
work_spin(int w)
{
	uint64_t x = (uint64_t)w;

	while (!shared->stop) {
		for (int i = 0; i < SPIN_STEPS; i++)
			x = x * 6364136223846793005u + 1442695040888963407u;
		__asm__ volatile("" : "+r"(x));
		shared->ops[w].n++;
	}
}

static void
work_getppid(int w)
{
	while (!shared->stop) {
		syscall(SYS_getppid);
		shared->ops[w].n++;
	}
}

static void
work_getpid(int w)
{
	while (!shared->stop) {
		syscall(SYS_getpid);
		shared->ops[w].n++;
	}
}

static void
work_clock(int w)
{
	struct timespec ts;

	while (!shared->stop) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		shared->ops[w].n++;
	}
}

/* The worker pings, a child of its own answers until the pipe closes. */
static void
work_pipe(int w)
{
	int to[2], from[2];
	char c = 'x';
	pid_t pid;

	if (pipe(to) < 0 || pipe(from) < 0)
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(to[1]);
		close(from[0]);
		while (read(to[0], &c, 1) == 1)
			if (write(from[1], &c, 1) != 1)
				break;
		_exit(0);
	}
	close(to[0]);
	close(from[1]);
	while (!shared->stop) {
		if (write(to[1], &c, 1) != 1 || read(from[0], &c, 1) != 1)
			die("pipe ping-pong");
		shared->ops[w].n++;
	}
	close(to[1]);
	waitpid(pid, NULL, 0);
}

/* The worker's own 4 KiB tmpfs file, unlinked, open read-write. */
static int
file_open(int w)
{
	char path[256], data[FILE_SIZE];
	int fd;

	snprintf(path, sizeof(path), "%s/smpops.%d.%d", dir, (int)getpid(), w);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die(path);
	memset(data, 'f', sizeof(data));
	if (write(fd, data, sizeof(data)) != (ssize_t)sizeof(data))
		die("write");
	unlink(path);
	return fd;
}

static void
work_file(int w)
{
	char data[READ_SIZE];
	int fd = file_open(w);

	while (!shared->stop) {
		if (pread(fd, data, READ_SIZE, 0) != READ_SIZE)
			die("pread");
		shared->ops[w].n++;
	}
	close(fd);
}

static void
work_read(int w)
{
	char data[READ_SIZE];
	int fd = file_open(w);

	while (!shared->stop) {
		if (lseek(fd, 0, SEEK_SET) != 0 ||
		    read(fd, data, READ_SIZE) != READ_SIZE)
			die("read");
		shared->ops[w].n++;
	}
	close(fd);
}

static void
work_readseq(int w)
{
	char data[READ_SIZE];
	int fd = file_open(w);

	if (lseek(fd, 0, SEEK_SET) != 0)
		die("lseek");
	while (!shared->stop) {
		ssize_t n = read(fd, data, READ_SIZE);
		if (n == 0 && lseek(fd, 0, SEEK_SET) == 0)
			continue;
		if (n != READ_SIZE)
			die("read");
		shared->ops[w].n++;
	}
	close(fd);
}

static void
work_seek(int w)
{
	int fd = file_open(w);

	while (!shared->stop) {
		if (lseek(fd, 0, SEEK_SET) != 0)
			die("lseek");
		shared->ops[w].n++;
	}
	close(fd);
}

static void
work_fault(int w)
{
	while (!shared->stop) {
		char *p = mmap(NULL, FAULT_PAGES * PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			die("mmap");
		for (int i = 0; i < FAULT_PAGES; i++)
			((volatile char *)p)[i * PAGE] = (char)i;
		if (munmap(p, FAULT_PAGES * PAGE) < 0)
			die("munmap");
		shared->ops[w].n += FAULT_PAGES;
	}
}

/* The futex pair: turn is 0 when the main thread may go, 1 for the other. */
static int turn;

static void
futex_wait(int *addr, int val)
{
	syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void
futex_pass(int to)
{
	__atomic_store_n(&turn, to, __ATOMIC_RELEASE);
	syscall(SYS_futex, &turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Set by the main thread once it has left the loop: the partner leaves
 * only then (leaving at shared->stop, after its own pass, could strand
 * a main thread that had taken one more turn meanwhile). */
static int futex_done;

static void *
futex_partner(void *arg)
{
	(void)arg;
	for (;;) {
		while (__atomic_load_n(&turn, __ATOMIC_ACQUIRE) != 1)
			futex_wait(&turn, 0);
		if (__atomic_load_n(&futex_done, __ATOMIC_ACQUIRE))
			return NULL;
		futex_pass(0);
	}
}

static void
work_futex(int w)
{
	pthread_t t;

	if (pthread_create(&t, NULL, futex_partner, NULL) != 0)
		die("pthread_create");
	for (;;) {
		futex_pass(1);
		while (__atomic_load_n(&turn, __ATOMIC_ACQUIRE) != 0)
			futex_wait(&turn, 1);
		if (shared->stop)
			break;
		shared->ops[w].n++;
	}
	__atomic_store_n(&futex_done, 1, __ATOMIC_RELEASE);
	futex_pass(1);	/* the partner's last turn: it sees futex_done */
	pthread_join(t, NULL);
}

static const struct {
	const char *name;
	void (*work)(int w);
} cases[] = {
	{ "spin", work_spin },
	{ "getppid", work_getppid }, { "getpid", work_getpid },
	{ "clock", work_clock },
	{ "pipe", work_pipe }, { "file", work_file }, { "read", work_read },
	{ "readseq", work_readseq }, { "seek", work_seek },
	{ "futex", work_futex }, { "fault", work_fault },
};

/* Reads /proc/petrel/bkl into lines; returns the CPU count, 0 without it. */
static int
bkl_read(struct bkl_line *lines)
{
	FILE *f = fopen("/proc/petrel/bkl", "r");
	char text[256];
	int n = 0, cpu;

	if (!f)
		return 0;
	while (n < CPUS_MAX && fgets(text, sizeof(text), f))
		if (sscanf(text, "cpu%d %llu %llu %llu %llu", &cpu,
			   &lines[n].acquired, &lines[n].contended,
			   &lines[n].wait_ns, &lines[n].hold_ns) == 5)
			n++;
	fclose(f);
	return n;
}

static void
bkl_report(const char *name, const struct bkl_line *a,
	   const struct bkl_line *b, int cpus, uint64_t span)
{
	for (int i = 0; i < cpus; i++)
		printf("smpops bkl %s cpu%d acquired %llu contended %llu "
		       "wait_ns %llu hold_ns %llu span_ns %llu\n", name, i,
		       b[i].acquired - a[i].acquired,
		       b[i].contended - a[i].contended,
		       b[i].wait_ns - a[i].wait_ns, b[i].hold_ns - a[i].hold_ns,
		       (unsigned long long)span);
}

/* Reads /proc/petrel/sched into l; returns its CPU count, 0 without it. */
static int
sched_read(struct sched_lines *l)
{
	FILE *f = fopen("/proc/petrel/sched", "r");
	char text[512], *tok, *save;

	l->cols = l->cpus = 0;
	if (!f)
		return 0;
	if (fgets(text, sizeof(text), f)) {
		strtok_r(text, " \n", &save);	/* "cpu" */
		while (l->cols < SCHED_COLS && (tok = strtok_r(NULL, " \n", &save)))
			snprintf(l->names[l->cols++], sizeof(l->names[0]), "%s", tok);
	}
	while (l->cpus < CPUS_MAX && fgets(text, sizeof(text), f)) {
		if (!strtok_r(text, " \n", &save))
			continue;
		for (int i = 0; i < l->cols; i++) {
			tok = strtok_r(NULL, " \n", &save);
			l->v[l->cpus][i] = tok ? strtoull(tok, NULL, 10) : 0;
		}
		l->cpus++;
	}
	fclose(f);
	return l->cpus;
}

static void
sched_report(const char *name, const struct sched_lines *a,
	     const struct sched_lines *b)
{
	if (!a->cpus || a->cpus != b->cpus || a->cols != b->cols)
		return;
	for (int c = 0; c < a->cpus; c++) {
		printf("smpops sched %s cpu%d", name, c);
		for (int i = 0; i < a->cols; i++)
			printf(" %s %llu", a->names[i], b->v[c][i] - a->v[c][i]);
		printf("\n");
	}
}

/* Reads /proc/petrel/mm into t; false without it. */
static bool
mm_read(struct mm_table *t)
{
	FILE *f = fopen("/proc/petrel/mm", "r");
	char text[512], *word, *save;

	t->cols = t->cpus = 0;
	if (!f)
		return false;
	if (fgets(text, sizeof(text), f)) {
		strtok_r(text, " \n", &save);	/* "cpu" */
		while (t->cols < MM_COLS && (word = strtok_r(NULL, " \n", &save)))
			snprintf(t->names[t->cols++], sizeof(t->names[0]), "%s",
				 word);
	}
	while (t->cpus < CPUS_MAX && fgets(text, sizeof(text), f)) {
		strtok_r(text, " \n", &save);	/* "cpuI" */
		for (int i = 0; i < t->cols; i++) {
			word = strtok_r(NULL, " \n", &save);
			t->counts[t->cpus][i] = word ? strtoull(word, NULL, 10) : 0;
		}
		t->cpus++;
	}
	fclose(f);
	return t->cols > 0;
}

static void
mm_report(const char *name, const struct mm_table *a, const struct mm_table *b)
{
	for (int i = 0; i < a->cpus && i < b->cpus; i++) {
		printf("smpops mm %s cpu%d", name, i);
		for (int j = 0; j < a->cols; j++)
			printf(" %s %llu", a->names[j],
			       b->counts[i][j] - a->counts[i][j]);
		printf("\n");
	}
}

static void
run_case(int c, int workers, double seconds)
{
	static struct sched_lines sched_before, sched_after;
	static struct mm_table mm_before, mm_after;
	struct bkl_line before[CPUS_MAX], after[CPUS_MAX];
	struct timespec pause = { (time_t)seconds,
				  (long)((seconds - (time_t)seconds) * 1e9) };
	uint64_t t0, t1, t2, ops = 0;
	int go[2], cpus;
	char c0;

	memset((void *)shared, 0, sizeof(*shared));
	if (pipe(go) < 0)
		die("pipe");
	for (int w = 0; w < workers; w++) {
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			close(go[1]);
			if (read(go[0], &c0, 1) != 0)
				_exit(1);
			cases[c].work(w);
			_exit(0);
		}
	}
	close(go[0]);
	cpus = bkl_read(before);
	sched_read(&sched_before);
	bool mm = mm_read(&mm_before);
	printf("smpops start %s\n", cases[c].name);
	fflush(stdout);
	t0 = now_ns();
	close(go[1]);		/* everyone starts */
	nanosleep(&pause, NULL);
	shared->stop = 1;
	t1 = now_ns();
	for (int w = 0; w < workers; w++)
		ops += shared->ops[w].n;	/* as they were at the stop, near enough */
	while (wait(NULL) > 0)
		;
	t2 = now_ns();
	sched_read(&sched_after);
	printf("smpops case %s workers %d ops %llu ns %llu\n", cases[c].name,
	       workers, (unsigned long long)ops,
	       (unsigned long long)(t1 - t0));
	if (cpus && bkl_read(after) == cpus)
		bkl_report(cases[c].name, before, after, cpus, t2 - t0);
	sched_report(cases[c].name, &sched_before, &sched_after);
	if (mm && mm_read(&mm_after) && mm_after.cols == mm_before.cols)
		mm_report(cases[c].name, &mm_before, &mm_after);
	fflush(stdout);
}

static void
usage(void)
{
	fprintf(stderr, "usage: smpops [-j WORKERS] [-s SECONDS] [-d DIR] "
			"spin|getppid|getpid|clock|pipe|file|read|readseq|seek|futex|fault...\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	int workers = 1, opt;
	double seconds = 2;

	while ((opt = getopt(argc, argv, "j:s:d:")) != -1) {
		switch (opt) {
		case 'j':
			workers = atoi(optarg);
			break;
		case 's':
			seconds = atof(optarg);
			break;
		case 'd':
			dir = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind == argc || workers < 1 || workers > WORKERS_MAX ||
	    seconds <= 0 || seconds > 3600)
		usage();
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		die("mmap");
	for (int i = optind; i < argc; i++) {
		size_t c = 0;
		while (c < sizeof(cases) / sizeof(cases[0]) &&
		       strcmp(cases[c].name, argv[i]) != 0)
			c++;
		if (c == sizeof(cases) / sizeof(cases[0]))
			usage();
		run_case((int)c, workers, seconds);
	}
	printf("smpops done\n");
	return 0;
}
