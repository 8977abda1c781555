/*
 * mount(2) of a disk file system (ext2): the kernel has no such file
 * system itself, so it asks the mounter that init registered on
 * PT_ROUTE_MOUNT to start a file server (fsd) for the device and mount
 * its tree (pt_mount), and waits for the answer. The device is a loop
 * device bound to a file; fsd reads and writes its node like any program.
 */
#include <kernel/srvfs.h>
#include <kernel/sockfile.h>
#include <kernel/loop.h>
#include <kernel/proc.h>
#include <kernel/kmalloc.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/printk.h>
#include <petrel/sock.h>

#define MS_RDONLY 1
#define PATH_MAX_K 4096

bool
diskmount_available(const char *type)
{
	return strcmp(type, "ext2") == 0 && sockfile_route(PT_ROUTE_MOUNT);
}

/* Fills req's source (the device's own name) and target. */
static long
fill_request(struct proc *p, const char *source, struct inode *where,
	     unsigned long flags, struct pt_mount_req *req)
{
	struct inode *dev = vfs_lookup(p, AT_FDCWD, source, true);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	long r = loop_check_source(dev);
	if (r == -ENXIO)
		r = -EINVAL;	/* Linux finds no superblock on it */
	if (r == 0 && !(flags & MS_RDONLY) && loop_read_only(dev))
		r = -EACCES;	/* write-protected: mount it read-only */
	if (r == 0)
		snprintk(req->source, sizeof(req->source), "/dev/loop%u",
			 dev->rdev & 0xff);
	inode_put(dev);
	if (r < 0)
		return r;
	for (int i = 0; i < MOUNT_MAX; i++)
		if (mounts[i].root && mounts[i].source &&
		    strcmp(mounts[i].source, req->source) == 0)
			return -EBUSY;	/* a second fsd would corrupt it */
	char *abs = kmalloc(PATH_MAX_K);
	if (!abs)
		return -ENOMEM;
	r = vfs_path_of(p, where, abs, PATH_MAX_K);
	if (r >= 0 && strlen(abs) >= sizeof(req->target))
		r = -ENAMETOOLONG;	/* the mount table's limit */
	if (r >= 0)
		memcpy(req->target, abs, strlen(abs) + 1);
	kfree(abs);
	return r < 0 ? r : 0;
}

long
diskmount(struct proc *p, const char *source, struct inode *where,
	  const char *type, unsigned long flags)
{
	if (!diskmount_available(type))
		return -ENODEV;
	if (!S_ISDIR(where->mode))
		return -ENOTDIR;
	struct pt_mount_req *req = kzalloc(sizeof(*req));
	if (!req)
		return -ENOMEM;
	long r = fill_request(p, source, where, flags, req);
	if (r < 0)
		goto out;
	memcpy(req->type, type, strlen(type) + 1);
	req->flags = flags & MS_RDONLY ? PT_MOUNT_RDONLY : 0;
	struct kobj *route = sockfile_route(PT_ROUTE_MOUNT);
	if (!route) {
		r = -ENODEV;	/* the mounter went while we looked */
		goto out;
	}
	kobj_get(route);
	struct chan_kcall k = { .msg = req, .msg_len = sizeof(*req),
				.nointr = true };
	r = chan_kcall(route, &k);
	kobj_put(route);
	if (r == -ECONNRESET)
		r = -ENODEV;	/* no mounter any more */
	else if (r > 0)
		r = 0;
out:
	kfree(req);
	return r;
}
