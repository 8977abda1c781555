/*
 * ext2's name operations: create (files, directories, nodes), symlink,
 * link, unlink and rmdir, rename, readlink. Each checks everything first
 * (names, types, emptiness, loops) and then changes the directories and
 * inodes, keeping link counts and ".." entries right.
 */
#include "ext2_int.h"

#define FAST_SYMLINK_MAX 59	/* bytes a target in i_block may have */
#define WALK_MAX 65536		/* ".." steps before a tree is a loop */

static int
check_name(const char *name, size_t len)
{
	if (len == 0)
		return -ENOENT;
	if (len > EXT2_NAME_MAX)
		return -ENAMETOOLONG;
	if (memchr(name, '/', len) || memchr(name, '\0', len))
		return -EINVAL;
	return 0;
}

static bool
is_dots(const char *name, size_t len)
{
	return (len == 1 && name[0] == '.') ||
	       (len == 2 && name[0] == '.' && name[1] == '.');
}

/* Loads directory dir for a change to its entries. */
static int
load_dir(struct ext2_fs *fs, uint32_t dir, struct inode *dp)
{
	int err = ext2_writable(fs);
	if (!err)
		err = inode_load(fs, dir, dp);
	if (!err)
		err = dir_check(fs, dp);
	if (!err)
		err = inode_check_writable(fs, dp);
	return err;
}

static void
touch_ctime(struct inode *ip)
{
	ext2_now(&ip->ctime);
}

/* Linux's encoding of a device number in i_block: old if it fits. */
static void
encode_rdev(struct inode *ip, uint32_t rdev)
{
	uint32_t major = (rdev >> 8) & 0xfff;
	uint32_t minor = (rdev & 0xff) | ((rdev >> 12) & 0xfff00);
	if (major < 256 && minor < 256) {
		ip->block[0] = major << 8 | minor;
		ip->block[1] = 0;
	} else {
		ip->block[0] = 0;
		ip->block[1] = rdev;
	}
}

/*
 * Makes a new inode of mode (filled in by fill) and its entry name in dir.
 * The directory's room is found first, in one pass that also says whether
 * the name is taken.
 */
static int
make_node(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
	  uint32_t mode, uint32_t uid, uint32_t gid,
	  int (*fill)(struct ext2_fs *, struct inode *, const void *),
	  const void *arg, uint32_t *ino)
{
	struct inode dp, ip;
	struct dir_pos slot;
	bool is_dir = MODE_IS(mode, S_FDIR);
	int err = check_name(name, len);
	if (!err)
		err = load_dir(fs, dir, &dp);
	if (err)
		return err;
	if (is_dir && dp.links >= EXT2_LINK_MAX)
		return -EMLINK;
	err = dir_make_room(fs, &dp, name, len, &slot);
	if (!err)
		err = ext2_alloc_inode(fs, dir, is_dir, ino);
	if (err)
		goto out;
	err = inode_init(fs, &ip, *ino, mode, uid, gid);
	if (err)
		goto out;
	ip.links = is_dir ? 2 : 1;
	err = fill(fs, &ip, arg);
	if (!err)
		err = dir_insert(fs, &dp, &slot, name, len, *ino, ip.mode);
	if (err) {
		ip.links = 0;
		inode_free(fs, &ip);
		goto out;
	}
	if (is_dir)
		dp.links++;
	err = inode_store(fs, &ip);
out:
	inode_store(fs, &dp);
	return err;
}

static int
fill_node(struct ext2_fs *fs, struct inode *ip, const void *arg)
{
	const uint32_t *rdev = arg;
	if (MODE_IS(ip->mode, S_FDIR))
		return dir_init(fs, ip, *rdev);
	if (MODE_IS(ip->mode, S_FCHR) || MODE_IS(ip->mode, S_FBLK))
		encode_rdev(ip, rdev[1]);
	return 0;
}

int
ext2_create(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
	    uint32_t mode, uint32_t uid, uint32_t gid, uint32_t rdev,
	    uint32_t *ino)
{
	uint32_t type = mode & S_FMT;
	if (type == 0)
		type = S_FREG;
	if (type != S_FREG && type != S_FDIR && type != S_FCHR &&
	    type != S_FBLK && type != S_FIFO && type != S_FSOCK)
		return -EINVAL;
	uint32_t arg[2] = { dir, rdev };
	return make_node(fs, dir, name, len, type | (mode & 07777), uid, gid,
			 fill_node, arg, ino);
}

struct target {
	const char *s;
	size_t len;
};

static int
fill_symlink(struct ext2_fs *fs, struct inode *ip, const void *arg)
{
	const struct target *t = arg;
	ip->size = t->len;
	if (t->len <= FAST_SYMLINK_MAX) {
		uint8_t raw[4 * EXT2_NBLOCK] = { 0 };
		memcpy(raw, t->s, t->len);
		for (int i = 0; i < EXT2_NBLOCK; i++)
			ip->block[i] = get32(raw, 4 * i);
		return 0;
	}
	uint32_t pblk;
	bool fresh;
	struct bbuf *b;
	int err = inode_bmap(fs, ip, 0, true, &pblk, &fresh);
	if (!err)
		err = bcache_get_nofill(fs->cache, pblk, &b);
	if (err)
		return err;
	memset(b->data, 0, fs->block_size);
	memcpy(b->data, t->s, t->len);
	bcache_dirty(fs->cache, b);
	bcache_put(fs->cache, b);
	return 0;
}

int
ext2_symlink(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
	     const char *target, size_t target_len, uint32_t uid,
	     uint32_t gid, uint32_t *ino)
{
	if (target_len == 0)
		return -ENOENT;
	if (target_len >= fs->block_size)
		return -ENAMETOOLONG;
	struct target t = { target, target_len };
	return make_node(fs, dir, name, len, S_FLNK | 0777, uid, gid,
			 fill_symlink, &t, ino);
}

long
ext2_readlink(struct ext2_fs *fs, uint32_t ino, char *buf, size_t size)
{
	struct inode ip;
	int err = inode_load(fs, ino, &ip);
	if (err)
		return err;
	if (!MODE_IS(ip.mode, S_FLNK))
		return -EINVAL;
	bool fast = inode_fast_symlink(fs, &ip);
	if (ip.size == 0 || ip.size > (fast ? FAST_SYMLINK_MAX
					    : fs->block_size - 1))
		return ext2_corrupt(fs, "symlink %u has length %llu", ino,
				    (unsigned long long)ip.size);
	size_t n = ip.size < size ? (size_t)ip.size : size;
	if (fast) {
		uint8_t raw[4 * EXT2_NBLOCK];
		for (int i = 0; i < EXT2_NBLOCK; i++)
			put32(raw, 4 * i, ip.block[i]);
		memcpy(buf, raw, n);
		return (long)n;
	}
	uint32_t pblk;
	bool fresh;
	struct bbuf *b;
	err = inode_bmap(fs, &ip, 0, false, &pblk, &fresh);
	if (err)
		return err;
	if (!pblk)
		return ext2_corrupt(fs, "symlink %u has no block", ino);
	if (bcache_get(fs->cache, pblk, &b))
		return ext2_io_error(fs, "reading block %u failed", pblk);
	memcpy(buf, b->data, n);
	bcache_put(fs->cache, b);
	return (long)n;
}

int
ext2_link(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
	  uint32_t ino)
{
	struct inode dp, ip;
	int err = check_name(name, len);
	if (!err)
		err = load_dir(fs, dir, &dp);
	if (!err)
		err = inode_load(fs, ino, &ip);
	if (err)
		return err;
	if (MODE_IS(ip.mode, S_FDIR))
		return -EPERM;
	if (ip.links == 0)
		return -ENOENT;
	if (ip.links >= EXT2_LINK_MAX)
		return -EMLINK;
	err = inode_check_writable(fs, &ip);
	if (!err)
		err = dir_add(fs, &dp, name, len, ino, ip.mode);
	if (!err) {
		ip.links++;
		touch_ctime(&ip);
		err = inode_store(fs, &ip);
	}
	inode_store(fs, &dp);
	return err;
}

/* ip lost a link (stored by the caller unless freed here). */
static void
drop_or_free(struct ext2_fs *fs, struct inode *ip)
{
	touch_ctime(ip);
	if (ip->links == 0 && !inode_held(fs, ip->ino))
		inode_free(fs, ip);
	else
		inode_store(fs, ip);
}

/* One link less for directory dp, as a subdirectory's ".." went. */
static void
parent_unlink(struct ext2_fs *fs, struct inode *dp)
{
	if (dp->links > 2)
		dp->links--;
	else
		ext2_corrupt(fs, "directory %u has too few links", dp->ino);
}

int
ext2_unlink(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len,
	    bool rmdir, uint32_t *victim)
{
	struct inode dp, vp;
	struct dir_pos pos;
	int err = check_name(name, len);
	if (err)
		return err;
	if (is_dots(name, len))
		return !rmdir ? -EISDIR : len == 1 ? -EINVAL : -ENOTEMPTY;
	err = load_dir(fs, dir, &dp);
	if (!err)
		err = dir_find(fs, &dp, name, len, &pos);
	if (!err)
		err = inode_load(fs, pos.ino, &vp);
	if (!err)
		err = inode_check_writable(fs, &vp);
	if (err)
		return err;
	bool is_dir = MODE_IS(vp.mode, S_FDIR);
	if (rmdir && !is_dir)
		return -ENOTDIR;
	if (!rmdir && is_dir)
		return -EISDIR;
	if (is_dir) {
		err = dir_check(fs, &vp);
		if (!err)
			err = dir_is_empty(fs, &vp);
		if (err <= 0)
			return err ? err : -ENOTEMPTY;
	}
	err = dir_remove(fs, &dp, &pos);
	if (err)
		return err;
	if (is_dir) {
		vp.links = 0;
		parent_unlink(fs, &dp);
	} else {
		inode_drop_link(fs, &vp);
	}
	*victim = vp.ino;
	drop_or_free(fs, &vp);
	return inode_store(fs, &dp);
}

/*
 * 0 if dir is not ancestor or dir itself: walks ".." from dir to the
 * root. -EINVAL if it is, -EIO for a tree that loops.
 */
static int
check_not_within(struct ext2_fs *fs, uint32_t dir, uint32_t ancestor)
{
	uint32_t cur = dir;
	for (int steps = 0; steps < WALK_MAX; steps++) {
		if (cur == ancestor)
			return -EINVAL;
		if (cur == EXT2_ROOT_INO)
			return 0;
		struct inode ip;
		struct dir_pos pos;
		int err = inode_load(fs, cur, &ip);
		if (!err)
			err = dir_check(fs, &ip);
		if (!err)
			err = dir_find(fs, &ip, "..", 2, &pos);
		if (err)
			return err == -ENOENT ? ext2_corrupt(fs, "directory %u "
					"has no ..", cur) : err;
		cur = pos.ino;
	}
	return ext2_corrupt(fs, "directory tree loops above %u", dir);
}

/* Points moved directory ip's ".." to parent. */
static int
set_dotdot(struct ext2_fs *fs, struct inode *ip, uint32_t parent)
{
	struct dir_pos pos;
	int err = dir_check(fs, ip);
	if (!err)
		err = dir_find(fs, ip, "..", 2, &pos);
	if (err == -ENOENT)
		err = ext2_corrupt(fs, "directory %u has no ..", ip->ino);
	return err ? err : dir_set(fs, ip, &pos, parent, S_FDIR);
}

struct rename_op {
	struct inode *odp, *ndp, sp, tp;
	struct dir_pos opos, npos;
	bool has_target, s_dir, t_dir, cross;
};

static int
rename_exchange(struct ext2_fs *fs, struct rename_op *r)
{
	if (r->cross && r->s_dir && !r->t_dir &&
	    r->ndp->links >= EXT2_LINK_MAX)
		return -EMLINK;
	if (r->cross && r->t_dir && !r->s_dir &&
	    r->odp->links >= EXT2_LINK_MAX)
		return -EMLINK;
	int err = 0;
	if (r->cross && r->t_dir)
		err = check_not_within(fs, r->odp->ino, r->tp.ino);
	if (!err)
		err = dir_set(fs, r->odp, &r->opos, r->tp.ino, r->tp.mode);
	if (!err)
		err = dir_set(fs, r->ndp, &r->npos, r->sp.ino, r->sp.mode);
	if (err)
		return err;
	if (r->cross && r->s_dir) {
		set_dotdot(fs, &r->sp, r->ndp->ino);
		parent_unlink(fs, r->odp);
		r->ndp->links++;
	}
	if (r->cross && r->t_dir) {
		set_dotdot(fs, &r->tp, r->odp->ino);
		parent_unlink(fs, r->ndp);
		r->odp->links++;
	}
	touch_ctime(&r->tp);
	return inode_store(fs, &r->tp);
}

/* Moves the entry (the checks made): add or replace, then remove. */
static int
rename_move(struct ext2_fs *fs, struct rename_op *r, const char *oname,
	    size_t olen, const char *nname, size_t nlen, uint32_t *victim)
{
	int err;
	if (r->has_target)
		err = dir_set(fs, r->ndp, &r->npos, r->sp.ino, r->sp.mode);
	else
		err = dir_add(fs, r->ndp, nname, nlen, r->sp.ino, r->sp.mode);
	if (err)
		return err;
	err = dir_find(fs, r->odp, oname, olen, &r->opos);
	if (!err && r->opos.ino != r->sp.ino)
		err = ext2_corrupt(fs, "directory %u changed under a rename",
				   r->odp->ino);
	if (!err)
		err = dir_remove(fs, r->odp, &r->opos);
	if (err)
		return err;
	if (r->s_dir && r->cross) {
		set_dotdot(fs, &r->sp, r->ndp->ino);
		parent_unlink(fs, r->odp);
		r->ndp->links++;
	}
	if (r->has_target) {
		if (r->t_dir) {
			r->tp.links = 0;
			parent_unlink(fs, r->ndp);
		} else {
			inode_drop_link(fs, &r->tp);
		}
		*victim = r->tp.ino;
		drop_or_free(fs, &r->tp);
	}
	return 0;
}

/* The checks rename(2) makes, before anything changes. */
static int
rename_check(struct ext2_fs *fs, struct rename_op *r, unsigned flags)
{
	int err = inode_check_writable(fs, &r->sp);
	if (err)
		return err;
	if (r->has_target) {
		err = inode_check_writable(fs, &r->tp);
		if (err)
			return err;
		if (flags & EXT2_RENAME_EXCHANGE)
			goto within;
		if (r->s_dir && !r->t_dir)
			return -ENOTDIR;
		if (!r->s_dir && r->t_dir)
			return -EISDIR;
		if (r->t_dir) {
			err = dir_check(fs, &r->tp);
			if (!err)
				err = dir_is_empty(fs, &r->tp);
			if (err <= 0)
				return err ? err : -ENOTEMPTY;
		}
	} else if (r->s_dir && r->cross && r->ndp->links >= EXT2_LINK_MAX) {
		return -EMLINK;
	}
within:
	if (r->s_dir && r->cross)
		return check_not_within(fs, r->ndp->ino, r->sp.ino);
	return 0;
}

int
ext2_rename(struct ext2_fs *fs, uint32_t odir, const char *oname,
	    size_t olen, uint32_t ndir, const char *nname, size_t nlen,
	    unsigned flags, uint32_t *victim)
{
	struct inode odp, ndp_own;
	struct rename_op r = { .odp = &odp, .ndp = &odp, .cross = odir != ndir };
	*victim = 0;
	if (flags & ~(EXT2_RENAME_NOREPLACE | EXT2_RENAME_EXCHANGE) ||
	    flags == (EXT2_RENAME_NOREPLACE | EXT2_RENAME_EXCHANGE))
		return -EINVAL;
	int err = check_name(oname, olen);
	if (!err)
		err = check_name(nname, nlen);
	if (err)
		return err;
	if (is_dots(oname, olen) || is_dots(nname, nlen))
		return -EINVAL;
	err = load_dir(fs, odir, &odp);
	if (!err && r.cross) {
		r.ndp = &ndp_own;
		err = load_dir(fs, ndir, &ndp_own);
	}
	if (!err)
		err = dir_find(fs, &odp, oname, olen, &r.opos);
	if (!err)
		err = inode_load(fs, r.opos.ino, &r.sp);
	if (err)
		return err;
	err = dir_find(fs, r.ndp, nname, nlen, &r.npos);
	if (err && err != -ENOENT)
		return err;
	r.has_target = err == 0;
	if (r.has_target && r.npos.ino == r.sp.ino)
		return 0;
	if (r.has_target && (flags & EXT2_RENAME_NOREPLACE))
		return -EEXIST;
	if (!r.has_target && (flags & EXT2_RENAME_EXCHANGE))
		return -ENOENT;
	if (r.has_target && (err = inode_load(fs, r.npos.ino, &r.tp)))
		return err;
	r.s_dir = MODE_IS(r.sp.mode, S_FDIR);
	r.t_dir = r.has_target && MODE_IS(r.tp.mode, S_FDIR);
	err = rename_check(fs, &r, flags);
	if (err)
		return err;
	if (flags & EXT2_RENAME_EXCHANGE)
		err = rename_exchange(fs, &r);
	else
		err = rename_move(fs, &r, oname, olen, nname, nlen, victim);
	touch_ctime(&r.sp);
	inode_store(fs, &r.sp);
	inode_store(fs, &odp);
	if (r.cross)
		inode_store(fs, &ndp_own);
	return err;
}
