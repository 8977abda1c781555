/*
 * seccomp (kernel/linux/seccomp.c): a thread's strict mode or stack of
 * classic BPF filters, asked before each of its system calls runs.
 */
#ifndef KERNEL_SECCOMP_H
#define KERNEL_SECCOMP_H

#include <kernel/types.h>
#include <kernel/syscall.h>

struct thread;
struct siginfo_k;

#define SECCOMP_MODE_DISABLED 0
#define SECCOMP_MODE_STRICT 1
#define SECCOMP_MODE_FILTER 2

/*
 * Whether t's call *nr (arguments args) may run; a tracer's
 * PTRACE_EVENT_SECCOMP stop may change *nr. If not, *result is what the
 * call returns instead (-errno, or the frame left as it is when
 * t->regs_replaced is set); a kill action does not return. Big lock;
 * may sleep (the tracer's stop).
 */
bool seccomp_allows(struct thread *t, uint64_t *nr, const uint64_t *args,
		    long *result);
/* PR_SET_SECCOMP (mode, filter) and PR_GET_SECCOMP for prctl. */
long seccomp_prctl_set(unsigned long mode, uaddr_t filter);
/* A new thread takes its creator's mode and filters; one leaving drops
 * them (with its Landlock domain). Big lock. */
void seccomp_fork(struct thread *child, const struct thread *parent);
void seccomp_thread_exit(struct thread *t);
/* How many filters t runs (/proc/PID/status's Seccomp_filters). */
int seccomp_filter_count(const struct thread *t);
/* Fills a SECCOMP_RET_TRAP's SIGSYS siginfo for t. */
void seccomp_siginfo(const struct thread *t, struct siginfo_k *info);

#endif
