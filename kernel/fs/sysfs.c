/*
 * /sys: the few sysfs files programs read to count CPUs (glibc's
 * get_nprocs reads devices/system/cpu/online, get_nprocs_conf counts the
 * cpuN directories) and block/loopN: stat (LTP's bytes-written checks),
 * size, ro and, while bound, loop/ (LTP's loop tests, losetup). A tmpfs
 * filled when mounted (loop/ when a device is bound or cleared): its
 * files are mode 0444 and nothing else in Petrel writes them.
 */
#include <kernel/vfs.h>
#include <kernel/tmpfs.h>
#include <kernel/cpu.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/printk.h>
#include <kernel/loop.h>

/* Makes the directory name under dir; returns it (a reference) or NULL. */
static struct inode *
sysfs_dir(struct inode *dir, const char *name)
{
	struct inode *ino;
	if (!dir || dir->iops->create(dir, name, strlen(name),
				      S_IFDIR | 0555, &ino) < 0)
		return NULL;
	return ino;
}

/* Makes the read-only file name under dir holding text. */
static int
sysfs_file(struct inode *dir, const char *name, const char *text)
{
	struct inode *ino;
	int e = dir->iops->create(dir, name, strlen(name), S_IFREG | 0444,
				  &ino);
	if (e < 0)
		return e;
	long n = tmpfs_write_inode(ino, text, strlen(text), 0);
	inode_put(ino);
	return n < 0 ? (int)n : 0;
}

/* devices/system/cpu: online, possible and present, and cpu0..cpuN-1. */
static int
sysfs_cpus(struct inode *cpu)
{
	char text[32], name[16];
	if (cpu_count > 1)
		snprintk(text, sizeof(text), "0-%d\n", cpu_count - 1);
	else
		snprintk(text, sizeof(text), "0\n");
	int e = 0;
	e = e ?: sysfs_file(cpu, "online", text);
	e = e ?: sysfs_file(cpu, "possible", text);
	e = e ?: sysfs_file(cpu, "present", text);
	for (int i = 0; !e && i < cpu_count; i++) {
		snprintk(name, sizeof(name), "cpu%d", i);
		struct inode *d = sysfs_dir(cpu, name);
		if (!d)
			e = -ENOMEM;
		else
			inode_put(d);
	}
	return e;
}

/* A live file of loop device minor (loop.c's loop_attr_fops). */
static int
sysfs_loop_attr(struct inode *dir, const char *name, unsigned minor,
		enum loop_attr attr)
{
	return tmpfs_mknod(dir, name, S_IFREG | 0444, minor | (unsigned)attr << 8,
			   &loop_attr_fops, NULL);
}

/* loopN/loop/'s live files, there while the device is bound. */
static const struct { const char *name; enum loop_attr attr; } bound_attrs[] = {
	{ "backing_file", LOOP_ATTR_BACKING_FILE },
	{ "offset", LOOP_ATTR_OFFSET }, { "sizelimit", LOOP_ATTR_SIZELIMIT },
	{ "autoclear", LOOP_ATTR_AUTOCLEAR },
	{ "partscan", LOOP_ATTR_PARTSCAN }, { "dio", LOOP_ATTR_DIO },
};

/* Makes dev (block/loopN)'s loop/ and its files; false if one could not
 * be made (memory, or root made the name first): what was made stays. */
static bool
loop_dir_add(struct inode *dev, unsigned minor)
{
	struct inode *d = sysfs_dir(dev, "loop");
	if (!d)
		return false;
	int e = 0;
	for (size_t a = 0; !e && a < ARRAY_SIZE(bound_attrs); a++)
		e = sysfs_loop_attr(d, bound_attrs[a].name, minor,
				    bound_attrs[a].attr);
	inode_put(d);
	return e == 0;
}

/* Takes dev's loop/ and its files away, if there. */
static void
loop_dir_remove(struct inode *dev)
{
	struct inode *d = dev->iops->lookup(dev, "loop", 4);
	if (IS_ERR(d))
		return;
	for (size_t a = 0; a < ARRAY_SIZE(bound_attrs); a++)
		d->iops->unlink(d, bound_attrs[a].name,
				strlen(bound_attrs[a].name), false);
	inode_put(d);
	dev->iops->unlink(dev, "loop", 4, true);
}

/* The block/loopN directory under sysfs root, a reference, or NULL. */
static struct inode *
loop_dev_dir(struct inode *root, unsigned minor)
{
	char name[16];
	struct inode *block = root->iops->lookup(root, "block", 5);
	if (IS_ERR(block))
		return NULL;
	snprintk(name, sizeof(name), "loop%u", minor);
	struct inode *dev = block->iops->lookup(block, name, strlen(name));
	inode_put(block);
	return IS_ERR(dev) ? NULL : dev;
}

/*
 * Only what is mounted: a sysfs made later (sysfs_new) asks loop_bound
 * itself, and one detached meanwhile keeps what it showed.
 */
void
sysfs_loop_bound(unsigned minor, bool bound)
{
	for (int i = 0; i < MOUNT_MAX; i++) {
		struct inode *root = mounts[i].root;
		/* a bind of it has its own super block, "bind" */
		if (!root || !root->sb->type ||
		    strcmp(root->sb->type, "sysfs") != 0)
			continue;
		struct inode *dev = loop_dev_dir(root, minor);
		if (!dev)
			continue;
		if (!bound)
			loop_dir_remove(dev);
		else if (!loop_dir_add(dev, minor))
			printk("sysfs: cannot make /sys/block/loop%u/loop\n",
			       minor);
		inode_put(dev);
	}
}

/*
 * block: loop0..N-1, each with its live stat, size and ro (loop.c) and
 * its queue limits; loop/ (backing_file, offset, sizelimit and the
 * flags) only while the device is bound, as Linux makes it at bind and
 * removes it at clear (sysfs_loop_bound): made at every boot for every
 * device, its 48 nodes cost 36 KiB, and `true` no longer ran in 4 MiB
 * (system/mem-small).
 */
static int
sysfs_block(struct inode *block)
{
	static const struct { const char *name; enum loop_attr attr; } top[] = {
		{ "stat", LOOP_ATTR_STAT }, { "size", LOOP_ATTR_SIZE },
		{ "ro", LOOP_ATTR_RO },
	};
	char name[16];
	for (unsigned i = 0; i < LOOP_MAX; i++) {
		snprintk(name, sizeof(name), "loop%u", i);
		struct inode *d = sysfs_dir(block, name);
		if (!d)
			return -ENOMEM;
		int e = 0;
		for (size_t a = 0; !e && a < ARRAY_SIZE(top); a++)
			e = sysfs_loop_attr(d, top[a].name, i, top[a].attr);
		if (!e && loop_bound(i) && !loop_dir_add(d, i))
			e = -ENOMEM;
		struct inode *q = e < 0 ? NULL : sysfs_dir(d, "queue");
		inode_put(d);
		if (!q)
			return e < 0 ? e : -ENOMEM;
		/* The defaults: LOOP_SET_BLOCK_SIZE does not change them. */
		e = e ?: sysfs_file(q, "logical_block_size", "512\n");
		e = e ?: sysfs_file(q, "physical_block_size", "512\n");
		e = e ?: sysfs_file(q, "dma_alignment", "511\n");
		inode_put(q);
		if (e < 0)
			return e;
	}
	return 0;
}

/* A new sysfs; returns its root (one reference) or NULL. */
struct inode *
sysfs_new(void)
{
	struct inode *root = tmpfs_new_root("sysfs");
	if (!root)
		return NULL;
	root->mode = S_IFDIR | 0555;
	struct inode *devices = sysfs_dir(root, "devices");
	struct inode *system = sysfs_dir(devices, "system");
	struct inode *cpu = sysfs_dir(system, "cpu");
	struct inode *block = sysfs_dir(root, "block");
	int e = cpu ? sysfs_cpus(cpu) : -ENOMEM;
	e = e ?: block ? sysfs_block(block) : -ENOMEM;
	struct inode *made[] = { cpu, system, devices, block };
	for (size_t i = 0; i < ARRAY_SIZE(made); i++)
		if (made[i])
			inode_put(made[i]);
	if (e < 0) {
		printk("sysfs: cannot fill /sys: %d\n", e);
		inode_put(root);
		return NULL;
	}
	return root;
}
