/*
 * devpts, mounted on /dev/pts: a directory of the pseudo-terminal slaves
 * (N for each pair whose master is open) and ptmx, which opens a new
 * pair as /dev/ptmx does. There is one set of pairs, which every mount
 * shows (Linux gives each mount its own since 4.7); the options of the
 * latest mount apply to the nodes made after it.
 */
#include <kernel/tty.h>
#include <kernel/vfs.h>
#include <kernel/proc.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <kernel/printk.h>

#define DEVPTS_SUPER_MAGIC 0x1cd1
#define PTMX_INO 2
#define FIRST_PTS_INO 3		/* /dev/pts/N is inode N + 3, as Linux */

/* The mount options; -1: not given (the caller's uid, gid). */
static struct devpts_options {
	long uid, gid;
	unsigned mode, ptmxmode;
} options = { -1, -1, 0600, 0 };

static int devpts_statfs(struct super *sb, struct statfs_k *s);

static const struct super_ops devpts_super_ops = {
	.statfs = devpts_statfs,
};

/* Next to procfs's 100, far from tmpfs's, which count up from 1. */
static struct super devpts_sb = {
	.type = "devpts", .dev = 101, .ops = &devpts_super_ops,
};

static struct inode *ptmx_node;	/* /dev/pts/ptmx, in every mount */

static int
devpts_statfs(struct super *sb, struct statfs_k *s)
{
	(void)sb;
	memset(s, 0, sizeof(*s));
	s->type = DEVPTS_SUPER_MAGIC;
	s->bsize = s->frsize = 4096;
	s->namelen = 255;
	return 0;
}

struct inode *
devpts_node_new(unsigned index)
{
	struct proc *p = current()->proc;
	struct inode *ino = inode_new(&devpts_sb, S_IFCHR | options.mode);
	if (!ino)
		return NULL;
	ino->ino = FIRST_PTS_INO + index;
	ino->rdev = TTY_DEV(TTY_MAJOR_PTS, index);
	ino->uid = options.uid >= 0 ? (unsigned)options.uid : p->euid;
	ino->gid = options.gid >= 0 ? (unsigned)options.gid : p->egid;
	ino->fops = &pts_fops;
	return ino;
}

/* A slave's number: decimal without leading zeros, below PTY_MAX. */
static long
parse_index(const char *name, size_t len)
{
	long n = 0;
	if (len == 0 || len > 5 || (name[0] == '0' && len > 1))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		n = n * 10 + (name[i] - '0');
	}
	return n < PTY_MAX ? n : -1;
}

static struct inode *
devpts_lookup(struct inode *dir, const char *name, size_t len)
{
	(void)dir;
	if (len == 4 && memcmp(name, "ptmx", 4) == 0) {
		inode_get(ptmx_node);
		return ptmx_node;
	}
	long index = parse_index(name, len);
	struct inode *ino = index >= 0 ? pty_node((unsigned)index) : NULL;
	return ino ? ino : ERR_PTR(-ENOENT);
}

/*
 * The entry at or after position pos: 0 ".", 1 "..", 2 "ptmx", 3 + N the
 * slave N. Fills name, ino and type; returns the position after it, or 0
 * past the last.
 */
static uint64_t
entry_at(uint64_t pos, uint64_t dir_ino, char name[16], uint64_t *ino,
	 unsigned *type)
{
	*ino = pos < 2 ? dir_ino : pos == 2 ? PTMX_INO : 0;
	*type = pos < 2 ? DT_DIR : DT_CHR;
	if (pos < 3) {
		memcpy(name, pos == 0 ? "." : pos == 1 ? ".." : "ptmx", 5);
		return pos + 1;
	}
	int index = pty_next((unsigned)(pos - FIRST_PTS_INO));
	if (index < 0)
		return 0;
	snprintk(name, 16, "%d", index);
	*ino = FIRST_PTS_INO + (uint64_t)index;
	return *ino + 1;
}

static long
devpts_getdents(struct file *f, void *buf, size_t len, uint64_t *pos)
{
	size_t used = 0;
	char name[16];
	uint64_t ino, next;
	unsigned type;

	while ((next = entry_at(*pos, f->inode->ino, name, &ino, &type))) {
		size_t n = dirent_emit((char *)buf + used, len - used, ino,
				       next, type, name, strlen(name));
		if (n == 0)
			return used ? (long)used : -EINVAL;
		used += n;
		*pos = next;
	}
	return (long)used;
}

static const char *
devpts_name_of(struct inode *dir, struct inode *child)
{
	(void)dir, (void)child;
	return NULL;	/* no subdirectories */
}

static const struct inode_ops devpts_dir_iops = {
	.lookup = devpts_lookup,
	.name_of = devpts_name_of,
};

static const struct file_ops devpts_dir_fops = {
	.getdents = devpts_getdents,
	.seekable = true,
};

/* A number below 2^32 in base 8 or 10, or -1. */
static long
parse_uint(const char *v, size_t len, unsigned base)
{
	long n = 0;
	if (len == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] >= '0' + (int)base)
			return -1;
		n = n * base + (v[i] - '0');
		if (n > 0xffffffffl)
			return -1;
	}
	return n;
}

/* Reads one option ("mode=620") into opts; 0 or -EINVAL. */
static int
parse_option(const char *o, size_t len, struct devpts_options *opts)
{
	static const struct {
		const char *name;
		unsigned base;
	} known[] = { { "uid", 10 }, { "gid", 10 }, { "mode", 8 },
		      { "ptmxmode", 8 }, { "max", 10 } };
	if (len == 11 && memcmp(o, "newinstance", 11) == 0)
		return 0;	/* every mount shows the one instance */
	for (size_t k = 0; k < ARRAY_SIZE(known); k++) {
		size_t n = strlen(known[k].name);
		if (len <= n || o[n] != '=' || memcmp(o, known[k].name, n))
			continue;
		long v = parse_uint(o + n + 1, len - n - 1, known[k].base);
		if (v < 0 || (known[k].base == 8 && v > 0777))
			return -EINVAL;
		if (k == 0)
			opts->uid = v;
		else if (k == 1)
			opts->gid = v;
		else if (k == 2)
			opts->mode = (unsigned)v;
		else if (k == 3)
			opts->ptmxmode = (unsigned)v;
		return 0;	/* max=: the limit stays PTY_MAX */
	}
	return -EINVAL;
}

static int
parse_options(const char *s, struct devpts_options *opts)
{
	while (s && *s) {
		size_t len = 0;
		while (s[len] && s[len] != ',')
			len++;
		if (len > 0 && parse_option(s, len, opts) < 0)
			return -EINVAL;
		s += len + (s[len] == ',');
	}
	return 0;
}

struct inode *
devpts_new(const char *mount_options)
{
	struct devpts_options opts = { -1, -1, 0600, 0 };
	if (parse_options(mount_options, &opts) < 0)
		return ERR_PTR(-EINVAL);
	if (!ptmx_node) {
		ptmx_node = inode_new(&devpts_sb, S_IFCHR);
		if (!ptmx_node)
			return ERR_PTR(-ENOMEM);
		ptmx_node->ino = PTMX_INO;
		ptmx_node->rdev = TTY_DEV(TTY_MAJOR_TTY, 2);
		ptmx_node->fops = &ptmx_fops;
	}
	struct inode *root = inode_new(&devpts_sb, S_IFDIR | 0755);
	if (!root)
		return ERR_PTR(-ENOMEM);
	root->ino = 1;
	root->nlink = 2;
	root->iops = &devpts_dir_iops;
	root->fops = &devpts_dir_fops;
	root->parent = root;
	options = opts;
	ptmx_node->mode = S_IFCHR | opts.ptmxmode;
	return root;
}
