/*
 * Petrel's native ABI: handles, channels, notifications, waits, memory
 * objects and device access, shared by the kernel and user space. The call
 * numbers (from 4096) are generated into <petrel/calls.h>; docs/abi.md
 * describes each call's arguments, errors and rights.
 */
#ifndef PETREL_PETREL_H
#define PETREL_PETREL_H

#include <stdint.h>

/*
 * A handle's value names a slot of the process's table and that slot's
 * generation (as Zircon's handle values do): closing a handle moves the
 * slot on a generation, so the old value, still held somewhere by mistake,
 * gives -EBADF instead of naming whatever the slot holds next. Values are
 * > 0 and opaque; 0 is never a handle.
 */
typedef int32_t pt_handle_t;

#define PT_HANDLE_MAX 256		/* handles per process */

/* Object types (pt_handle_info.type). */
#define PT_OBJ_CHANNEL_CLIENT 1		/* calls go out through it */
#define PT_OBJ_CHANNEL_SERVER 2		/* calls come in through it */
#define PT_OBJ_NOTIFY 3			/* 64 bits of asynchronous signals */
#define PT_OBJ_MEM 4			/* pages that can be mapped and shared */
#define PT_OBJ_DEVICE 5			/* one PCI function or virtio-mmio slot */
#define PT_OBJ_SYSTEM 6			/* init's: every device, server routes */

/*
 * Rights: a handle allows only the operations its rights name, each right
 * one kind of operation (docs/abi.md, "Handles and rights").
 */
#define PT_RIGHT_DUP 0x001		/* pt_handle_dup */
#define PT_RIGHT_READ 0x002		/* receive on a server end; device
					   registers */
#define PT_RIGHT_WRITE 0x004		/* call through a client end */
#define PT_RIGHT_MAP_READ 0x008		/* map readable */
#define PT_RIGHT_DMA 0x010		/* learn physical addresses */
#define PT_RIGHT_MANAGE 0x020		/* device: config, BARs, IRQs; system */
#define PT_RIGHT_TRANSFER 0x040		/* hand on: across execve, to the
					   kernel (routes, mounts) */
#define PT_RIGHT_WAIT 0x080		/* pt_wait on it */
#define PT_RIGHT_SIGNAL 0x100		/* signal a notification */
#define PT_RIGHT_MAP_WRITE 0x200	/* map writable */
#define PT_RIGHT_MAP_EXEC 0x400		/* map executable */
#define PT_RIGHTS_ALL 0x7ff

/* The rights a new handle of each type gets (docs/abi.md). */
#define PT_RIGHTS_BASIC (PT_RIGHT_DUP | PT_RIGHT_TRANSFER)
#define PT_RIGHTS_CHANNEL_CLIENT \
	(PT_RIGHTS_BASIC | PT_RIGHT_WAIT | PT_RIGHT_WRITE)
#define PT_RIGHTS_CHANNEL_SERVER \
	(PT_RIGHTS_BASIC | PT_RIGHT_WAIT | PT_RIGHT_READ)
#define PT_RIGHTS_NOTIFY (PT_RIGHTS_BASIC | PT_RIGHT_WAIT | PT_RIGHT_SIGNAL)
#define PT_RIGHTS_MEM \
	(PT_RIGHTS_BASIC | PT_RIGHT_MAP_READ | PT_RIGHT_MAP_WRITE | \
	 PT_RIGHT_MAP_EXEC)
/* DMA memory (pt_dev_dma_alloc): devices write it, so never executable. */
#define PT_RIGHTS_DMA_MEM \
	(PT_RIGHTS_BASIC | PT_RIGHT_MAP_READ | PT_RIGHT_MAP_WRITE | PT_RIGHT_DMA)
#define PT_RIGHTS_DEVICE \
	(PT_RIGHTS_BASIC | PT_RIGHT_READ | PT_RIGHT_MAP_READ | \
	 PT_RIGHT_MAP_WRITE | PT_RIGHT_DMA | PT_RIGHT_MANAGE)
#define PT_RIGHTS_SYSTEM (PT_RIGHTS_BASIC | PT_RIGHT_MANAGE)

struct pt_handle_info {
	uint32_t type;			/* PT_OBJ_* */
	uint32_t rights;		/* PT_RIGHT_* */
};

/* pt_handle_keep: handles are closed at execve unless kept. */
#define PT_KEEP_ON_EXEC 1

/* ---- Channels: synchronous call and reply ------------------------------ */

#define PT_MSG_MAX 256			/* bytes of message or reply */
#define PT_SEG_MAX 4			/* caller buffers a server may reach */

/* A buffer of the caller that the server reads or writes by token. */
#define PT_SEG_IN 1			/* the server may read it */
#define PT_SEG_OUT 2			/* the server may write it */

struct pt_seg {
	uint64_t addr;
	uint64_t len;
	uint32_t flags;			/* PT_SEG_IN, PT_SEG_OUT */
	uint32_t reserved;
};

/* pt_channel_call's argument block. */
struct pt_call {
	uint64_t msg;			/* address of the message */
	uint32_t msg_len;		/* <= PT_MSG_MAX */
	uint32_t reply_cap;		/* room at reply, <= PT_MSG_MAX */
	uint64_t reply;			/* where the reply data goes */
	uint32_t reply_len;		/* out: bytes of reply data */
	uint32_t nseg;			/* <= PT_SEG_MAX */
	struct pt_seg seg[PT_SEG_MAX];
};

/* Set in pt_recv.flags when the kernel made the call for a process. */
#define PT_RECV_KERNEL 1

/*
 * pt_channel_recv's argument block. If reply_token is not 0, that call is
 * answered first (reply_status, reply_data), as pt_channel_reply would.
 */
struct pt_recv {
	/* in: an optional reply */
	uint64_t reply_token;
	int64_t reply_status;
	uint64_t reply_data;
	uint32_t reply_len;
	/* in: where the message goes */
	uint32_t msg_cap;
	uint64_t msg;
	/* out: the call received */
	uint64_t token;
	uint32_t msg_len;
	uint32_t flags;			/* PT_RECV_* */
	int32_t pid, uid, gid;		/* the caller's identity */
	uint32_t nseg;
	uint64_t seg_len[PT_SEG_MAX];
	uint32_t seg_flags[PT_SEG_MAX];
};

/*
 * A short call or receive (pt_channel_call_short, pt_channel_recv_short in
 * <petrel/native.h>): up to PT_SHORT_MAX bytes each way in registers, no
 * argument block and no copy through user memory. Either end may use the
 * block form (pt_channel_call, pt_channel_recv) meanwhile.
 */
#define PT_SHORT_MAX 16
struct pt_short {
	uint64_t w[2];		/* the message or reply, PT_SHORT_MAX bytes */
	uint32_t len;		/* its bytes; a received call's whole msg_len */
	uint32_t flags;		/* received: PT_RECV_* */
	uint64_t token;		/* received: the call's token */
	int32_t pid, uid, gid;	/* received: the caller's identity */
	uint32_t nseg;		/* received: its segments, for pt_msg_read */
};

/* ---- Waiting --------------------------------------------------------------- */

/* Signals of a channel end (a notification's signals are its bits). */
#define PT_SIG_READABLE 1		/* server end: a call is waiting */
#define PT_SIG_PEER_CLOSED 2		/* the other end is gone */

struct pt_wait_item {
	pt_handle_t handle;
	uint32_t reserved;
	uint64_t want;			/* signals or notification bits */
	uint64_t got;			/* out: those of want that are set */
};

#define PT_WAIT_MAX 16			/* items per pt_wait */

/* ---- Memory objects -------------------------------------------------------- */

#define PT_MEM_MAX (256ul << 20)	/* largest memory object */
#define PT_DMA_MAX (4ul << 20)		/* largest physically contiguous one */

struct pt_mem_info {
	uint64_t size;
	uint64_t phys;			/* contiguous DMA memory only, else 0 */
};

/* ---- Devices --------------------------------------------------------------- */

#define PT_BUS_PCI 1
#define PT_BUS_MMIO 2			/* virtio-mmio */

#define PT_BAR_MMIO 1
#define PT_BAR_IO 2
#define PT_BAR_64 4
#define PT_BAR_PREFETCH 8

struct pt_bar {
	uint64_t base;			/* physical or port address */
	uint64_t size;			/* 0: not present */
	uint32_t flags;			/* PT_BAR_* */
	uint32_t reserved;
};

struct pt_dev_info {
	uint32_t bus;			/* PT_BUS_* */
	uint32_t index;			/* position in the system's list */
	uint16_t vendor, device;	/* PCI IDs; virtio-mmio: vendor, device ID */
	uint8_t class_code, subclass, prog_if, revision;
	uint32_t pci_addr;		/* bus << 8 | device << 3 | function */
	uint32_t nirqs;			/* interrupts pt_dev_irq_bind accepts */
	uint32_t reserved;
	uint32_t reserved2;		/* 0: aligns bar[] for every compiler */
	struct pt_bar bar[6];		/* virtio-mmio: bar[0] is its window */
};

/*
 * The layouts the kernel and user space share: every field at the same
 * offset for any compiler, no padding left to chance (a hole would carry
 * kernel stack bytes out, or differ between compilers).
 */
#define PT_ABI_OFFSET(t, f) __builtin_offsetof(struct t, f)
_Static_assert(sizeof(struct pt_handle_info) == 8, "pt_handle_info");
_Static_assert(sizeof(struct pt_seg) == 24, "pt_seg");
_Static_assert(sizeof(struct pt_call) == 128, "pt_call");
_Static_assert(PT_ABI_OFFSET(pt_call, reply_len) == 24, "pt_call.reply_len");
_Static_assert(PT_ABI_OFFSET(pt_call, seg) == 32, "pt_call.seg");
_Static_assert(sizeof(struct pt_recv) == 120, "pt_recv");
_Static_assert(PT_ABI_OFFSET(pt_recv, token) == 40, "pt_recv.token");
_Static_assert(PT_ABI_OFFSET(pt_recv, seg_len) == 72, "pt_recv.seg_len");
_Static_assert(PT_ABI_OFFSET(pt_recv, seg_flags) == 104, "pt_recv.seg_flags");
_Static_assert(sizeof(struct pt_wait_item) == 24, "pt_wait_item");
_Static_assert(PT_ABI_OFFSET(pt_wait_item, want) == 8, "pt_wait_item.want");
_Static_assert(sizeof(struct pt_mem_info) == 16, "pt_mem_info");
_Static_assert(sizeof(struct pt_bar) == 24, "pt_bar");
_Static_assert(sizeof(struct pt_dev_info) == 176, "pt_dev_info");
_Static_assert(PT_ABI_OFFSET(pt_dev_info, bar) == 32, "pt_dev_info.bar");

#endif
