/*
 * Signal numbers and the kernel's signal interface (kernel/linux/signal.c).
 */
#ifndef KERNEL_SIGNAL_H
#define KERNEL_SIGNAL_H

#include <kernel/types.h>

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGSTKFLT 16
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGXCPU 24
#define SIGXFSZ 25
#define SIGVTALRM 26
#define SIGPROF 27
#define SIGWINCH 28
#define SIGIO 29
#define SIGPWR 30
#define SIGSYS 31
/*
 * Signals are numbered 1..SIG_MAX (SIGRTMAX is 64, as Linux), and the
 * per-signal arrays are indexed by the number itself, so NSIG is one more.
 */
#define SIG_MAX 64
#define NSIG (SIG_MAX + 1)

#define SIGBIT(s) (1ull << ((s) - 1))

/*
 * What siginfo_t reports about a pending signal. A POSIX timer's
 * (SI_TIMER) puts its timer id in pid and its overrun count in uid, where
 * siginfo_t has si_timerid and si_overrun.
 */
struct sig_info_k {
	int code;		/* SI_USER 0, SI_TKILL -6, SI_QUEUE -1, ... */
	int pid;
	unsigned uid;
	int fd;			/* si_fd of an O_ASYNC signal (POLL_* codes) */
	uint64_t value;		/* sigqueue value, the fault address, or
				   an O_ASYNC signal's si_band */
};

/* siginfo_t as Linux lays it out for a handler or sigtimedwait. */
struct siginfo_k {
	int32_t signo, errno_, code, pad;
	union {
		struct {
			int32_t pid;
			uint32_t uid;
			int32_t status;
		} kill;
		uint64_t addr;
		uint8_t raw[112];
	};
};
_Static_assert(sizeof(struct siginfo_k) == 128, "Linux siginfo_t is 128 bytes");

/* stack_t: sigaltstack's argument and a signal frame's uc_stack. */
struct sig_stack_k {
	uint64_t sp;
	int32_t flags, pad;
	uint64_t size;
};
#define SS_ONSTACK 1
#define SS_DISABLE 2

#define SI_USER 0
#define SI_KERNEL 0x80
#define SI_QUEUE (-1)
#define SI_SIGIO (-5)
#define SI_TIMER (-2)
#define SI_MESGQ (-3)
#define SI_TKILL (-6)
#define TRAP_TRACE 2		/* SIGTRAP's si_code after a single step */

/* si_code of SIGIO and of O_ASYNC's F_SETSIG signals (Linux values). */
#define POLL_IN 1
#define POLL_OUT 2
#define POLL_MSG 3
#define POLL_ERR 4
#define POLL_PRI 5
#define POLL_HUP 6

#endif
