/*
 * What poll/select (kernel/linux/sys_poll.c) and epoll (epoll.c) share:
 * a file's readiness, timeouts and the temporary signal mask of ppoll,
 * pselect6 and epoll_pwait. Big lock.
 */
#ifndef LINUX_POLL_INT_H
#define LINUX_POLL_INT_H

#include <kernel/vfs.h>

/* f's POLL* bits now; a file with no poll hook is always ready. */
unsigned file_events(struct file *f);
/* A timeout in ms (negative: forever) as a deadline of arch_now_ns (0:
 * none). */
uint64_t deadline_ms(int ms);
/* A user timespec (0: forever) as a deadline; *zero when it is 0 s.
 * 0, -EFAULT or -EINVAL. */
long deadline_ts(uaddr_t uts, uint64_t *deadline, bool *zero);
/* Sets the calling thread's mask from usigmask (0: none), keeping the
 * old one in *saved: 1 if set, 0 if none, -EFAULT. */
long with_sigmask(uaddr_t usigmask, uint64_t *saved);
/* After a wait with a temporary mask: restored now, or after the handler
 * of the signal that ended it (r -EINTR). */
void restore_sigmask(uint64_t saved, long r);

#endif
