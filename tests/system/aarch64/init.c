/*
 * A first init for the AArch64 kernel (tests/system/aarch64-boot.py), with
 * no C library: Linux's arm64 system calls by `svc #0` (number in x8,
 * arguments in x0-x5, result in x0). It mounts /dev and opens the console
 * (as Petrel's init does), writes from EL0, asks uname(2) and
 * getpid(2), takes a SIGSEGV in a handler and returns from it through
 * rt_sigreturn, then powers the machine off with reboot(2).
 */
#define SYS_mount 40
#define SYS_openat 56
#define SYS_write 64
#define AT_FDCWD (-100)
#define O_RDWR 2
#define SYS_exit 93
#define SYS_rt_sigaction 134
#define SYS_rt_sigreturn 139
#define SYS_reboot 142
#define SYS_uname 160
#define SYS_getpid 172
#define SA_SIGINFO 4
#define SA_RESTORER 0x04000000
#define SIGSEGV 11

static long
sys(long nr, long a0, long a1, long a2, long a3)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a0;
	register long x1 __asm__("x1") = a1;
	register long x2 __asm__("x2") = a2;
	register long x3 __asm__("x3") = a3;
	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3)
			 : "memory");
	return x0;
}

static unsigned long
length(const char *s)
{
	unsigned long n = 0;
	while (s[n])
		n++;
	return n;
}

static long console = -1;

static void
say(const char *s)
{
	sys(SYS_write, console, (long)s, (long)length(s), 0);
}

static void
say_number(long v)
{
	char buf[24];
	int i = sizeof(buf) - 1;
	buf[i] = 0;
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0 && i > 0);
	say(buf + i);
}

struct utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65];
	char domainname[65];
};

struct sigaction {
	void (*handler)(int, void *, void *);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};

static volatile int faults;

/* The handler skips the faulting load: the pc in the ucontext's
 * mcontext (after uc_flags, uc_link, uc_stack, uc_sigmask and its room,
 * fault_address and x0-x30, sp) moves on by one instruction. */
static void
on_segv(int sig, void *info, void *uc)
{
	unsigned long *mc = (unsigned long *)((char *)uc + 176);
	(void)info;
	faults++;
	say("init: SIGSEGV ");
	say_number(sig);
	say(" at ");
	say_number((long)mc[0]);
	say("\n");
	mc[33] += 4;	/* pc */
}

static void
restorer(void)
{
	sys(SYS_rt_sigreturn, 0, 0, 0, 0);
}

void _start(void);

void
_start(void)
{
	struct utsname u;
	sys(SYS_mount, (long)"devtmpfs", (long)"/dev", (long)"devtmpfs", 0);
	console = sys(SYS_openat, AT_FDCWD, (long)"/dev/console", O_RDWR, 0);
	say("init: hello from EL0\n");
	if (sys(SYS_uname, (long)&u, 0, 0, 0) == 0) {
		say("init: uname ");
		say(u.sysname);
		say(" ");
		say(u.machine);
		say("\n");
	}
	say("init: pid ");
	say_number(sys(SYS_getpid, 0, 0, 0, 0));
	say("\n");

	struct sigaction sa = { on_segv, SA_SIGINFO | SA_RESTORER, restorer, 0 };
	sys(SYS_rt_sigaction, SIGSEGV, (long)&sa, 0, 8);
	long bad = 16;			/* no page there */
	__asm__ volatile("ldr w9, [%0]" : : "r"(bad) : "x9", "memory");
	if (faults == 1)
		say("init: back from the handler\n");

	say("init: powering off\n");
	sys(SYS_reboot, 0xfee1dead, 672274793, 0x4321fedc, 0);
	sys(SYS_exit, 1, 0, 0, 0);
	for (;;)
		;
}
