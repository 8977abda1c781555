/*
 * Petrel's native calls for user programs: one inline function per call,
 * named as in kernel/linux/syscalls.master. Each returns what the kernel
 * returns: a value >= 0, or a negative errno (no errno variable is set).
 */
#ifndef PETREL_NATIVE_H
#define PETREL_NATIVE_H

#include <petrel/petrel.h>
#include <petrel/calls.h>
#include <stddef.h>

static inline long
pt_syscall6(long nr, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
			   "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#define PT_CALL(nr, a, b, c, d, e, f) \
	pt_syscall6(nr, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), \
		    (long)(f))

static inline long pt_handle_close(pt_handle_t h)
{ return PT_CALL(PT_NR_handle_close, h, 0, 0, 0, 0, 0); }
static inline long pt_handle_dup(pt_handle_t h, unsigned rights)
{ return PT_CALL(PT_NR_handle_dup, h, rights, 0, 0, 0, 0); }
static inline long pt_handle_info(pt_handle_t h, struct pt_handle_info *info)
{ return PT_CALL(PT_NR_handle_info, h, info, 0, 0, 0, 0); }
static inline long pt_handle_keep(pt_handle_t h, unsigned flags)
{ return PT_CALL(PT_NR_handle_keep, h, flags, 0, 0, 0, 0); }

/* ends[0]: the client end, ends[1]: the server end. */
static inline long pt_channel_create(pt_handle_t ends[2])
{ return PT_CALL(PT_NR_channel_create, ends, 0, 0, 0, 0, 0); }
static inline long pt_channel_call(pt_handle_t h, struct pt_call *call)
{ return PT_CALL(PT_NR_channel_call, h, call, 0, 0, 0, 0); }
/* timeout_ns: < 0 waits for ever, 0 only looks. */
static inline long pt_channel_recv(pt_handle_t h, struct pt_recv *r,
				   int64_t timeout_ns)
{ return PT_CALL(PT_NR_channel_recv, h, r, timeout_ns, 0, 0, 0); }
static inline long pt_channel_reply(pt_handle_t h, uint64_t token,
				    int64_t status, const void *data,
				    size_t len)
{ return PT_CALL(PT_NR_channel_reply, h, token, status, data, len, 0); }
static inline long pt_msg_read(pt_handle_t h, uint64_t token, unsigned seg,
			       uint64_t off, void *buf, size_t len)
{ return PT_CALL(PT_NR_msg_read, h, token, seg, off, buf, len); }
static inline long pt_msg_write(pt_handle_t h, uint64_t token, unsigned seg,
				uint64_t off, const void *buf, size_t len)
{ return PT_CALL(PT_NR_msg_write, h, token, seg, off, buf, len); }

/* The kernel's sockets of `route` (PT_ROUTE_*) go to this client end. */
static inline long pt_route_set(pt_handle_t system, unsigned route,
				pt_handle_t client)
{ return PT_CALL(PT_NR_route_set, system, route, client, 0, 0, 0); }
/*
 * A server reports the readiness (POLL*) of its object `id`, handing over
 * with it up to len bytes of a stream's next data (docs/abi.md); returns
 * the bytes the kernel took. `events` is the readiness once all are taken;
 * room is what pt_sock_reply.room says.
 */
static inline long pt_channel_post(pt_handle_t server, uint64_t id,
				   unsigned events, const void *data,
				   size_t len, unsigned room)
{ return PT_CALL(PT_NR_channel_post, server, id, events, data, len, room); }

/*
 * Mounts the file server behind client end `client` at path (an existing
 * directory), after asking it PT_FS_HELLO (<petrel/fs.h>). Mounting again
 * where the same server's earlier instance died reconnects: files opened
 * before fail with -EIO, new lookups reach the new server.
 */
static inline long pt_mount(pt_handle_t system, const char *path,
			    pt_handle_t client, unsigned flags)
{ return PT_CALL(PT_NR_mount, system, path, client, flags, 0, 0); }

static inline long pt_notify_create(void)
{ return PT_CALL(PT_NR_notify_create, 0, 0, 0, 0, 0, 0); }
static inline long pt_notify_signal(pt_handle_t h, uint64_t bits)
{ return PT_CALL(PT_NR_notify_signal, h, bits, 0, 0, 0, 0); }
static inline long pt_wait(struct pt_wait_item *items, unsigned n,
			   int64_t timeout_ns)
{ return PT_CALL(PT_NR_wait, items, n, timeout_ns, 0, 0, 0); }

static inline long pt_mem_create(size_t size, unsigned flags)
{ return PT_CALL(PT_NR_mem_create, size, flags, 0, 0, 0, 0); }
/* prot: PROT_READ | PROT_WRITE; returns the address. */
static inline long pt_mem_map(pt_handle_t h, void *addr, uint64_t off,
			      size_t len, int prot)
{ return PT_CALL(PT_NR_mem_map, h, addr, off, len, prot, 0); }
static inline long pt_mem_info(pt_handle_t h, struct pt_mem_info *info)
{ return PT_CALL(PT_NR_mem_info, h, info, 0, 0, 0, 0); }

static inline long pt_dev_info(pt_handle_t h, unsigned index,
			       struct pt_dev_info *info)
{ return PT_CALL(PT_NR_dev_info, h, index, info, 0, 0, 0); }
static inline long pt_dev_open(pt_handle_t system, unsigned index)
{ return PT_CALL(PT_NR_dev_open, system, index, 0, 0, 0, 0); }
static inline long pt_dev_cfg_read(pt_handle_t h, unsigned off, unsigned size)
{ return PT_CALL(PT_NR_dev_cfg_read, h, off, size, 0, 0, 0); }
static inline long pt_dev_cfg_write(pt_handle_t h, unsigned off,
				    unsigned size, uint32_t val)
{ return PT_CALL(PT_NR_dev_cfg_write, h, off, size, val, 0, 0); }
static inline long pt_dev_map(pt_handle_t h, unsigned bar, uint64_t off,
			      size_t len)
{ return PT_CALL(PT_NR_dev_map, h, bar, off, len, 0, 0); }
static inline long pt_dev_dma_alloc(pt_handle_t h, size_t size)
{ return PT_CALL(PT_NR_dev_dma_alloc, h, size, 0, 0, 0, 0); }
static inline long pt_dev_irq_bind(pt_handle_t h, unsigned irq,
				   pt_handle_t notify, unsigned bit)
{ return PT_CALL(PT_NR_dev_irq_bind, h, irq, notify, bit, 0, 0); }
static inline long pt_dev_irq_ack(pt_handle_t h, unsigned irq)
{ return PT_CALL(PT_NR_dev_irq_ack, h, irq, 0, 0, 0, 0); }

#endif
