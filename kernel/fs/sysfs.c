/*
 * /sys: the few sysfs files programs read to count CPUs (glibc's
 * get_nprocs reads devices/system/cpu/online, get_nprocs_conf counts the
 * cpuN directories) and block/loopN: stat (LTP's bytes-written checks),
 * size and ro (LTP's loop tests). A tmpfs filled when mounted: its files
 * are mode 0444 and nothing else in Petrel writes them.
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

/*
 * block: loop0..N-1, each with its live stat, size and ro (loop.c) and
 * its queue limits. Not loop/ (backing_file, offset, sizelimit and the
 * flags), which Linux makes at bind and removes at clear: as 48 more
 * nodes made at every boot they cost 36 KiB, and `true` no longer ran in
 * 4 MiB (system/mem-small); they await a sysfs that makes them at bind.
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
