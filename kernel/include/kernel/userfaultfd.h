/*
 * userfaultfd: a process's handler hears of the missing pages of the
 * private anonymous memory it registered, and fills them while the
 * faulting thread sleeps. kernel/mm/userfaultfd.c has the faults, the
 * registrations and the filling; kernel/linux/sys_userfaultfd.c the
 * descriptor (read, poll, the UFFDIO_* ioctls) and /dev/userfaultfd.
 * Everything under the big lock.
 */
#ifndef KERNEL_USERFAULTFD_H
#define KERNEL_USERFAULTFD_H

#include <kernel/types.h>
#include <kernel/list.h>
#include <kernel/sched.h>

struct vm;
struct file;
struct file_ops;

/* Linux's struct uffd_msg for a page fault. */
#define UFFD_EVENT_PAGEFAULT 0x12
#define UFFD_PAGEFAULT_FLAG_WRITE 1
struct uffd_msg {
	uint8_t event, reserved1;
	uint16_t reserved2;
	uint32_t reserved3;
	uint64_t flags, address;
	uint32_t ptid, pad;
};
_Static_assert(sizeof(struct uffd_msg) == 32, "Linux's uffd_msg is 32 bytes");

/* Features Petrel keeps: SIGBUS (a fault is a SIGBUS, not an event),
 * THREAD_ID (the faulting thread in the message) and EXACT_ADDRESS (the
 * address not rounded down to its page). */
#define UFFD_FEATURE_SIGBUS (1u << 7)
#define UFFD_FEATURE_THREAD_ID (1u << 8)
#define UFFD_FEATURE_EXACT_ADDRESS (1u << 11)
#define UFFD_FEATURE_POISON (1u << 14)
#define UFFD_FEATURE_MOVE (1u << 16)

struct uffd {
	int refcount;			/* the file's, and each waiting fault's */
	struct vm *vm;			/* the address space served (a reference) */
	struct file *file;		/* for readiness; NULL once closed */
	bool api_done;			/* UFFDIO_API has been called */
	bool released;			/* closed: faults go on without it */
	unsigned features;		/* UFFD_FEATURE_* asked for */
	struct list faults;		/* struct uffd_fault, oldest first */
	struct waitq fault_wq;		/* the faulting threads */
	struct waitq read_wq;		/* readers waiting for a fault */
};

/* A new userfaultfd for vm (one reference), or NULL. */
struct uffd *uffd_new(struct vm *vm);
/* Closed: the registrations go, the waiting faults go on without it, and
 * the reference uffd_new gave is dropped. */
void uffd_release(struct uffd *ctx);
/*
 * A fault at va (a write if write) on a missing page of a region that ctx
 * watches: the handler is told and the thread sleeps until it is woken
 * for that page, ctx is closed or the thread is killed. Returns 0 (the
 * access may be retried), -EIO for a SIGBUS (UFFD_FEATURE_SIGBUS), or
 * -EFAULT once killed. Sleeps.
 */
int uffd_fault(struct uffd *ctx, uint64_t va, bool write);
/* Fills m with the oldest fault not yet read; false if there is none. */
bool uffd_next_msg(struct uffd *ctx, struct uffd_msg *m, bool peek);
/*
 * Registers [start, start + len) with ctx (or unregisters it, ctx's
 * registration), Linux's checks first: a page-aligned range of user space
 * whose regions are private anonymous memory, one at least (EINVAL), not
 * another userfaultfd's (EBUSY). 0 or -errno.
 */
long uffd_register(struct uffd *ctx, uint64_t start, uint64_t len, bool on);
/* Linux's validate_range: 0 or -EINVAL. */
long uffd_check_range(uint64_t start, uint64_t len);
/* Wakes the faults at [start, start + len). */
void uffd_wake(struct uffd *ctx, uint64_t start, uint64_t len);
/*
 * Fills the pages of [dst, dst + len) registered with ctx with fresh
 * pages: copies of the caller's memory at src, or zeros when src is 0.
 * Returns the bytes filled, or -errno when none was (EEXIST: a page is
 * already there; ENOENT: not registered; EFAULT: src unreadable).
 */
int64_t uffd_fill(struct uffd *ctx, uint64_t dst, uint64_t src,
		  uint64_t len);

/*
 * UFFDIO_POISON: the missing pages of [start, start + len) registered
 * with ctx fault with SIGBUS from now on, until unmapped (Linux keeps a
 * marker per page; Petrel marks the region). The bytes poisoned, or
 * -errno when none was (EEXIST: a page is there; ENOENT: not registered).
 */
int64_t uffd_poison(struct uffd *ctx, uint64_t start, uint64_t len);

/*
 * UFFDIO_MOVE: the pages of [src, src + len) of ctx's address space move
 * to the registered, missing pages at dst, as Linux 6.8's: each must be
 * a private anonymous page no fork shares (EBUSY), present unless
 * src_holes. The bytes moved, or -errno when none was (EEXIST: a page is
 * at dst; ENOENT: dst not registered, or a hole at src).
 */
int64_t uffd_move(struct uffd *ctx, uint64_t dst, uint64_t src, uint64_t len,
		  bool src_holes);

/* /dev/userfaultfd's calls (kernel/linux/sys_userfaultfd.c). */
extern const struct file_ops uffd_dev_fops;

#endif
