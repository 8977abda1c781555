/*
 * Devices as capabilities. The kernel lists the PCI functions and the
 * virtio-mmio slots; init (holding the system handle) opens one device for
 * a server, which then reaches it only through that handle: configuration
 * or register access, BAR mapping, DMA memory with its physical address,
 * and interrupts delivered as notification bits. When the device's last
 * handle goes, the kernel stops it before its DMA memory is freed.
 */
#include <kernel/ipc.h>
#include <kernel/proc.h>
#include <kernel/vfs.h>
#include <kernel/vm.h>
#include <kernel/page.h>
#include <kernel/kmalloc.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include <kernel/arch.h>
#include <kernel/irq.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <syscall_table.h>
#include "ipc_int.h"
#include <kernel/devices.h>

/* Allocated as found, never freed: 528 bytes each, where a table of
 * DEV_MAX took 17 KiB of the kernel image whatever the machine has. */
static struct dev_desc *devices[DEV_MAX];
static unsigned device_count;
static bool devices_listed;

/* The system object: every device and server route; init holds handle 1. */
static struct kobj system_kobj;
struct kobj *system_object = &system_kobj;

struct device {
	struct kobj obj;
	struct dev_desc *desc;
	struct inode *dma[DEV_DMA_MAX];	/* kept until the device has stopped */
	unsigned ndma;
};

static struct device *
device_of(struct kobj *o)
{
	return container_of(o, struct device, obj);
}

struct dev_desc *
dev_add(void)
{
	if (device_count == DEV_MAX)
		return NULL;
	struct dev_desc *d = kzalloc(sizeof(*d));
	if (!d)
		return NULL;
	devices[device_count] = d;
	d->info.index = device_count++;
	return d;
}

static void
devices_list(void)
{
	if (devices_listed)
		return;
	devices_listed = true;	/* lazily: boot does not pay for the scan */
	pci_scan();
	virtio_mmio_scan();
}

void
ipc_init(void)
{
	kobj_init(&system_kobj, PT_OBJ_SYSTEM);
}

/* ---- Interrupts ------------------------------------------------------------ */

/*
 * A line (a virtio-mmio slot's, or a PCI function's INTx) is acknowledged
 * here, at the device: a slot's InterruptStatus read and written back to
 * InterruptACK, a virtio PCI function's ISR status read, so the line drops
 * at once and needs no masking. The driver pays no system call per
 * interrupt, as with MSI-X. (Another PCI function's INTx is masked with
 * DisINTx until the driver's pt_dev_irq_ack.)
 */
static uint32_t
line_take(struct dev_desc *d)
{
	if (d->info.bus == PT_BUS_PCI)
		return pci_intx_take(d);
	return virtio_mmio_irq_take(d);
}

/*
 * Each dev_irq's binding (notify, bits, line) against its handler, which
 * runs without the big lock where it needs none (irq_nolock): bind and
 * unbind change it under this lock as well as the big lock, and the
 * handler reads it and raises the bits under it, so an unbound
 * notification is never raised once its reference is dropped. Taken by
 * interrupt handlers: interrupts off, as all kernel code runs. Ordered
 * before the notification's lock.
 */
static struct spinlock irq_bind_lock = SPINLOCK_INIT;

static void
irq_fired(void *ctx)
{
	struct dev_irq *irq = ctx;
	spin_lock(&irq_bind_lock);
	/* line_take acknowledges at the device, bound or not. */
	bool raised = !irq->line || line_take(irq->line);
	if (raised && irq->notify)
		notify_raise(irq->notify, irq->bits);
	spin_unlock(&irq_bind_lock);
}

/*
 * Whether d's interrupts may be delivered without the big lock: MSI-X
 * (nothing to acknowledge) and a virtio-mmio slot's line (two registers
 * of its own window, as virtio_mmio_reg reaches without the lock); a PCI
 * function's INTx goes through the configuration ports, which are every
 * function's and the big lock's.
 */
static bool
irq_nolock(struct dev_desc *d)
{
	return d->info.bus != PT_BUS_PCI || !d->intx;
}

static void
irq_unbind(struct dev_desc *d, struct dev_irq *irq)
{
	if (!irq->notify)
		return;
	if (d->info.bus == PT_BUS_PCI && !d->intx)
		pci_msix_mask(d, (unsigned)(irq - d->irqs), true);
	else
		arch_irq_mask_gsi(irq->gsi, true);
	irq_free(irq->vector);
	spin_lock(&irq_bind_lock);
	struct kobj *notify = irq->notify;
	irq->notify = NULL;
	irq->line = NULL;
	spin_unlock(&irq_bind_lock);
	kobj_put(notify);
}

static long
irq_bind(struct dev_desc *d, unsigned index, struct kobj *notify, unsigned bit)
{
	struct dev_irq *irq = &d->irqs[index];
	irq_unbind(d, irq);
	int vector = irq_alloc(irq_fired, irq, irq_nolock(d));
	if (vector < 0)
		return vector;
	bool msix = d->info.bus == PT_BUS_PCI && !d->intx;
	kobj_get(notify);
	spin_lock(&irq_bind_lock);
	irq->vector = vector;
	irq->bits = 1ull << bit;
	irq->notify = notify;
	if (!msix) {
		irq->gsi = d->gsi;
		irq->line = d;
	}
	spin_unlock(&irq_bind_lock);
	if (msix)
		pci_msix_route(d, index, vector);
	else
		arch_irq_route_gsi(d->gsi, vector, true, false);
	return 0;
}

/* ---- The device object ----------------------------------------------------- */

void
device_destroy(struct kobj *o)
{
	struct device *dev = device_of(o);
	struct dev_desc *d = dev->desc;
	for (unsigned i = 0; i < DEV_IRQ_MAX; i++)
		irq_unbind(d, &d->irqs[i]);
	if (d->info.bus == PT_BUS_PCI)
		pci_stop(d);
	else
		virtio_mmio_stop(d);
	for (unsigned i = 0; i < dev->ndma; i++)
		inode_put(dev->dma[i]);	/* no DMA can reach them now */
	d->open = false;
	kfree(dev);
}

static struct dev_desc *
device_lookup(int h, uint32_t rights, long *err)
{
	struct kobj *o = handle_lookup(current()->proc, h, PT_OBJ_DEVICE, rights);
	if (IS_ERR(o)) {
		*err = PTR_ERR(o);
		return NULL;
	}
	return device_of(o)->desc;
}

long
sys_pt_dev_info(int h, unsigned index, uaddr_t uinfo)
{
	struct proc *p = current()->proc;
	struct kobj *o = handle_lookup(p, h, 0, 0);
	if (IS_ERR(o))
		return PTR_ERR(o);
	struct dev_desc *d;
	if (o->type == PT_OBJ_DEVICE) {
		d = device_of(o)->desc;
	} else {
		o = handle_lookup(p, h, PT_OBJ_SYSTEM, PT_RIGHT_MANAGE);
		if (IS_ERR(o))
			return PTR_ERR(o);
		devices_list();
		if (index >= device_count)
			return -ENOENT;
		d = devices[index];
	}
	return copyout(uinfo, &d->info, sizeof(d->info));
}

long
sys_pt_dev_open(int h, unsigned index)
{
	struct kobj *o = handle_lookup(current()->proc, h, PT_OBJ_SYSTEM,
				       PT_RIGHT_MANAGE);
	if (IS_ERR(o))
		return PTR_ERR(o);
	devices_list();
	if (index >= device_count)
		return -ENOENT;
	struct dev_desc *d = devices[index];
	if (d->open)
		return -EBUSY;	/* one driver at a time */
	struct device *dev = kzalloc(sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	kobj_init(&dev->obj, PT_OBJ_DEVICE);
	dev->desc = d;
	d->open = true;
	return handle_install(current()->proc, &dev->obj, PT_RIGHTS_DEVICE);
}

static bool
access_ok(unsigned off, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && (off & (size - 1)) == 0;
}

/* Without the big lock, a process with threads: one may close the
 * handle while another looks it up. */
static bool
cfg_threads_refused(void)
{
	struct thread *t = current();
	return t->unlocked_call && t->proc->nthreads != 1;
}

/*
 * Whether a register access may run here: always with the big lock;
 * without it (pt_dev_cfg_read/write are nolock) only to a virtio-mmio
 * slot's registers, one load or store in the device's own window, from a
 * one-thread process, whose handle nobody else can close meanwhile. PCI
 * configuration space goes locked: its legacy ports are one address and
 * one data register for every function.
 */
static bool
cfg_here(const struct dev_desc *d)
{
	return !current()->unlocked_call || d->info.bus != PT_BUS_PCI;
}

long
sys_pt_dev_cfg_read(int h, unsigned off, unsigned size)
{
	long err = 0;
	if (cfg_threads_refused())
		return -ERETRY_LOCKED;
	struct dev_desc *d = device_lookup(h, PT_RIGHT_READ, &err);
	if (!d)
		return err;
	if (!access_ok(off, size))
		return -EINVAL;
	if (!cfg_here(d))
		return -ERETRY_LOCKED;
	if (d->info.bus == PT_BUS_PCI)
		return pci_cfg_read_checked(d, off, size);
	return virtio_mmio_reg(d, off, size, 0, false);
}

long
sys_pt_dev_cfg_write(int h, unsigned off, unsigned size, uint32_t val)
{
	long err = 0;
	if (cfg_threads_refused())
		return -ERETRY_LOCKED;
	struct dev_desc *d = device_lookup(h, PT_RIGHT_MANAGE, &err);
	if (!d)
		return err;
	if (!access_ok(off, size))
		return -EINVAL;
	if (!cfg_here(d))
		return -ERETRY_LOCKED;
	if (d->info.bus == PT_BUS_PCI)
		return pci_cfg_write_checked(d, off, size, val);
	return virtio_mmio_reg(d, off, size, val, true);
}

/* True if [base, base+len) shares a page with another device's registers. */
static bool
shares_page(struct dev_desc *d, paddr_t base, uint64_t len)
{
	paddr_t lo = ALIGN_DOWN(base, PAGE_SIZE);
	paddr_t hi = ALIGN_UP(base + len, PAGE_SIZE);
	for (unsigned i = 0; i < device_count; i++) {
		if (devices[i] == d)
			continue;
		for (int b = 0; b < 6; b++) {
			const struct pt_bar *bar = &devices[i]->info.bar[b];
			if ((bar->flags & PT_BAR_MMIO) && bar->size &&
			    bar->base < hi && bar->base + bar->size > lo)
				return true;
		}
	}
	return false;
}

long
sys_pt_dev_map(int h, unsigned bar, uint64_t off, size_t len)
{
	long err = 0;
	struct dev_desc *d = device_lookup(h, PT_RIGHT_MAP_READ |
					   PT_RIGHT_MAP_WRITE | PT_RIGHT_MANAGE,
					   &err);
	if (!d)
		return err;
	if (bar >= 6 || !(d->info.bar[bar].flags & PT_BAR_MMIO))
		return -EINVAL;
	const struct pt_bar *b = &d->info.bar[bar];
	if ((off & (PAGE_SIZE - 1)) || len == 0 || off >= b->size ||
	    len > b->size - off)
		return -EINVAL;
	paddr_t base = b->base + off;
	if ((base & (PAGE_SIZE - 1)) || shares_page(d, base, len) ||
	    (d->info.bus == PT_BUS_PCI && pci_msix_overlaps(d, bar, off, len)))
		return -EPERM;	/* only through pt_dev_cfg_read/write */
	return vm_map_io(current()->proc->vm, base, len, PROT_READ | PROT_WRITE);
}

long
sys_pt_dev_dma_alloc(int h, size_t size)
{
	struct kobj *o = handle_lookup(current()->proc, h, PT_OBJ_DEVICE,
				       PT_RIGHT_DMA);
	if (IS_ERR(o))
		return PTR_ERR(o);
	struct device *dev = device_of(o);
	if (size == 0 || size > PT_DMA_MAX)
		return -EINVAL;
	if (dev->ndma == DEV_DMA_MAX)
		return -ENOSPC;
	struct kobj *m = mem_create(ALIGN_UP(size, PAGE_SIZE), true);
	if (IS_ERR(m))
		return PTR_ERR(m);
	struct inode *ino = mem_inode(m);
	int hm = handle_install(current()->proc, m, PT_RIGHTS_DMA_MEM);
	if (hm < 0)
		return hm;
	inode_get(ino);
	dev->dma[dev->ndma++] = ino;
	return hm;
}

long
sys_pt_dev_irq_bind(int h, unsigned index, int nh, unsigned bit)
{
	long err = 0;
	struct dev_desc *d = device_lookup(h, PT_RIGHT_MANAGE, &err);
	if (!d)
		return err;
	struct kobj *n = handle_lookup(current()->proc, nh, PT_OBJ_NOTIFY,
				       PT_RIGHT_SIGNAL);
	if (IS_ERR(n))
		return PTR_ERR(n);
	if (index >= d->info.nirqs || bit >= 64)
		return -EINVAL;
	return irq_bind(d, index, n, bit);
}

long
sys_pt_dev_irq_ack(int h, unsigned index)
{
	long err = 0;
	struct dev_desc *d = device_lookup(h, PT_RIGHT_MANAGE, &err);
	if (!d)
		return err;
	if (index >= d->info.nirqs)
		return -EINVAL;
	if (d->info.bus == PT_BUS_PCI)
		pci_intx_unmask(d);
	return 0;	/* the kernel acknowledged it (irq_fired) */
}
