/*
 * fsd's side of the file protocol (<petrel/fs.h>, docs/abi.md): one call
 * at a time from the kernel, answered from the ext2 code. Names come in
 * through segment 0 (and 1), data moves between the block cache and the
 * caller's buffers by token (pt_msg_read/pt_msg_write), and each reply
 * rides on the next receive. The inodes the kernel holds are held in ext2
 * too, so one unlinked while open lives until the kernel's FORGET.
 */
#include "fsd.h"
#include <petrel/fs.h>
#include <petrel/native.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH_MAX_FS 4096
#define DIRENT_BUF_MAX 65536

struct server {
	struct ext2_fs *fs;
	pt_handle_t chan;
	const struct fsd_options *opts;
	/* The inodes the kernel holds: an open-addressed set (0: empty). */
	uint32_t *held;
	size_t held_cap, held_count;
};

static volatile sig_atomic_t sync_asked;

static void
on_term(int sig)
{
	(void)sig;
	sync_asked = 1;	/* write back; the unmount comes from the kernel */
}

/*
 * What is wrong with a disk goes to the console as well as to fsd's log
 * (init sends a service's stderr to /var/log/fsd.log): whoever sits at
 * the machine must learn why /data is read-only or missing.
 */
static void
report(void *ctx, const char *msg)
{
	const struct fsd_options *opts = ctx;
	static FILE *console;
	fprintf(stderr, "fsd: %s: %s\n", opts->source, msg);
	if (opts->once)
		return;	/* a program's mount(2): its errno says it */
	if (!console)
		console = fopen("/dev/console", "w");
	if (console) {
		fprintf(console, "fsd: %s: %s\n", opts->source, msg);
		fflush(console);
	}
}

/* ---- The kernel's inodes ----------------------------------------------- */

static size_t
held_slot(const struct server *s, uint32_t ino)
{
	size_t i = (ino * 2654435761u) & (s->held_cap - 1);
	while (s->held[i] && s->held[i] != ino)
		i = (i + 1) & (s->held_cap - 1);
	return i;
}

static bool
held_grow(struct server *s)
{
	size_t cap = s->held_cap ? s->held_cap * 2 : 256;
	uint32_t *old = s->held, *fresh = calloc(cap, sizeof(*fresh));
	size_t old_cap = s->held_cap;
	if (!fresh)
		return false;
	s->held = fresh;
	s->held_cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i])
			s->held[held_slot(s, old[i])] = old[i];
	free(old);
	return true;
}

/* The kernel now holds ino (a reply names it). */
static void
hold(struct server *s, uint32_t ino)
{
	if ((s->held_count + 1) * 2 > s->held_cap && !held_grow(s))
		return;	/* an unlinked open file may then go early */
	size_t i = held_slot(s, ino);
	if (s->held[i])
		return;
	s->held[i] = ino;
	s->held_count++;
	ext2_hold(s->fs, ino);
}

static void
forget(struct server *s, uint32_t ino)
{
	if (!s->held_cap || !ino)
		return;
	size_t i = held_slot(s, ino);
	if (!s->held[i])
		return;
	/* Remove, then re-place the run after it (linear probing). */
	s->held[i] = 0;
	s->held_count--;
	for (size_t j = (i + 1) & (s->held_cap - 1); s->held[j];
	     j = (j + 1) & (s->held_cap - 1)) {
		uint32_t v = s->held[j];
		s->held[j] = 0;
		s->held[held_slot(s, v)] = v;
	}
	ext2_release(s->fs, ino);
}

/* ---- Replies --------------------------------------------------------- */

static void
attr_to_wire(const struct ext2_attr *a, struct pt_fs_attr *w)
{
	*w = (struct pt_fs_attr){
		.ino = a->ino, .size = a->size, .blocks = a->blocks,
		.mode = a->mode, .nlink = a->nlink, .uid = a->uid,
		.gid = a->gid, .rdev = a->rdev, .generation = a->generation,
		.atime = a->atime.sec, .atime_ns = a->atime.nsec,
		.mtime = a->mtime.sec, .mtime_ns = a->mtime.nsec,
		.ctime = a->ctime.sec, .ctime_ns = a->ctime.nsec,
	};
}

/* w gets ino's attributes; with keep, the kernel holds it from now on. */
static int
attr_of(struct server *s, uint32_t ino, struct pt_fs_attr *w, bool keep)
{
	struct ext2_attr a;
	int e = ext2_getattr(s->fs, ino, &a);
	if (e < 0)
		return e;
	attr_to_wire(&a, w);
	if (keep)
		hold(s, ino);
	return 0;
}

/* ---- Arguments from the caller ----------------------------------------- */

/* Segment seg as a name (1..255 bytes, no '/' or NUL) into buf. */
static long
read_name(struct server *s, const struct pt_recv *r, unsigned seg,
	  char *buf)
{
	if (seg >= r->nseg || !(r->seg_flags[seg] & PT_SEG_IN))
		return -EINVAL;
	uint64_t len = r->seg_len[seg];
	if (len == 0)
		return -ENOENT;
	if (len > EXT2_NAME_MAX)
		return -ENAMETOOLONG;
	long n = pt_msg_read(s->chan, r->token, seg, 0, buf, len);
	if (n < 0)
		return n;
	if ((uint64_t)n != len || memchr(buf, '/', len) || memchr(buf, 0, len))
		return -EINVAL;
	return n;
}

/* Copies between the block cache and the caller's segments (ext2_copy). */
struct seg_copy {
	struct server *s;
	const struct pt_recv *r;
};

static int
seg_copy_fn(void *ctx, uint64_t at, void *cache, size_t n, bool write)
{
	struct seg_copy *c = ctx;
	const struct pt_recv *r = c->r;
	char *p = cache;
	for (unsigned i = 0; i < r->nseg && n > 0; i++) {
		if (at >= r->seg_len[i]) {
			at -= r->seg_len[i];
			continue;
		}
		size_t part = (size_t)(r->seg_len[i] - at) < n ?
			      (size_t)(r->seg_len[i] - at) : n;
		long e = write ? pt_msg_read(c->s->chan, r->token, i, at, p, part)
			       : pt_msg_write(c->s->chan, r->token, i, at, p, part);
		if (e < 0)
			return (int)e;
		if ((size_t)e != part)
			return -EFAULT;
		p += part;
		n -= part;
		at = 0;
	}
	return n ? -EFAULT : 0;
}

static uint64_t
segs_total(const struct pt_recv *r, uint32_t flag)
{
	uint64_t total = 0;
	for (unsigned i = 0; i < r->nseg; i++)
		if (r->seg_flags[i] & flag)
			total += r->seg_len[i];
	return total;
}

/* ---- Operations -------------------------------------------------------- */

static long
op_hello(struct server *s, struct pt_fs_reply *rep)
{
	struct pt_fs_hello h;
	memset(&h, 0, sizeof(h));
	int e = attr_of(s, EXT2_ROOT_INO, &h.root, true);
	if (e < 0)
		return e;
	h.flags = ext2_read_only(s->fs) ? PT_FS_HELLO_RDONLY : 0;
	snprintf(h.source, sizeof(h.source), "%s", s->opts->source);
	snprintf(h.type, sizeof(h.type), "ext2");
	memcpy(rep, &h, sizeof(h));
	return 0;
}

static long
op_statfs(struct server *s, struct pt_fs_reply *rep)
{
	struct ext2_statfs st;
	int e = ext2_statfs(s->fs, &st);
	if (e < 0)
		return e;
	struct pt_fs_statfs w = {
		.magic = 0xEF53, .bsize = st.block_size, .blocks = st.blocks,
		.bfree = st.blocks_free, .bavail = st.blocks_avail,
		.files = st.inodes, .ffree = st.inodes_free,
		.namelen = st.name_max,
	};
	memcpy(rep, &w, sizeof(w));
	return 0;
}

static long
op_setattr(struct server *s, const struct pt_fs_msg *m,
	   struct pt_fs_reply *rep)
{
	struct ext2_setattr sa = {
		.mask = m->mask & (PT_FS_SET_MODE | PT_FS_SET_UID |
				   PT_FS_SET_GID | PT_FS_SET_SIZE |
				   PT_FS_SET_ATIME | PT_FS_SET_MTIME |
				   PT_FS_SET_ACCESSED),
		.mode = m->mode, .uid = m->uid, .gid = m->gid, .size = m->off,
		.atime = { m->atime, m->atime_ns },
		.mtime = { m->mtime, m->mtime_ns },
	};
	int e = ext2_setattr(s->fs, (uint32_t)m->ino, &sa);
	return e < 0 ? e : attr_of(s, (uint32_t)m->ino, &rep->attr, false);
}

/* CREATE, SYMLINK, LINK: a name in dir for a new or existing inode. */
static long
op_new_name(struct server *s, const struct pt_recv *r,
	    const struct pt_fs_msg *m, struct pt_fs_reply *rep)
{
	char name[EXT2_NAME_MAX + 1];
	long n = read_name(s, r, 0, name);
	if (n < 0)
		return n;
	uint32_t dir = (uint32_t)m->ino, ino = 0;
	int e;
	bool made = true;
	if (m->op == PT_FS_CREATE) {
		e = ext2_create(s->fs, dir, name, (size_t)n, m->mode, m->uid,
				m->gid, m->rdev, &ino);
		if (e == -EEXIST && (m->flags & PT_FS_OPEN)) {
			e = ext2_lookup(s->fs, dir, name, (size_t)n, &ino);
			made = false;
		}
	} else if (m->op == PT_FS_LINK) {
		ino = (uint32_t)m->ino2;
		e = ext2_link(s->fs, dir, name, (size_t)n, ino);
	} else {
		char *target = malloc(PATH_MAX_FS);
		uint64_t tlen = r->nseg > 1 ? r->seg_len[1] : 0;
		e = !target ? -ENOMEM : tlen == 0 ? -ENOENT :
		    tlen >= PATH_MAX_FS ? -ENAMETOOLONG : 0;
		if (e == 0 && pt_msg_read(s->chan, r->token, 1, 0, target,
					  tlen) != (long)tlen)
			e = -EFAULT;
		if (e == 0)
			e = ext2_symlink(s->fs, dir, name, (size_t)n, target,
					 (size_t)tlen, m->uid, m->gid, &ino);
		free(target);
	}
	if (e < 0)
		return e;
	attr_of(s, dir, &rep->dir, false);
	e = attr_of(s, ino, &rep->attr, m->op != PT_FS_LINK);
	if (e < 0)
		return e;
	return (m->flags & PT_FS_OPEN) && made ? 1 : 0;
}

static long
op_lookup(struct server *s, const struct pt_recv *r, const struct pt_fs_msg *m,
	  struct pt_fs_reply *rep)
{
	char name[EXT2_NAME_MAX + 1];
	long n = read_name(s, r, 0, name);
	if (n < 0)
		return n;
	uint32_t ino;
	int e = ext2_lookup(s->fs, (uint32_t)m->ino, name, (size_t)n, &ino);
	return e < 0 ? e : attr_of(s, ino, &rep->attr, true);
}

static long
op_unlink(struct server *s, const struct pt_recv *r, const struct pt_fs_msg *m,
	  struct pt_fs_reply *rep)
{
	char name[EXT2_NAME_MAX + 1];
	long n = read_name(s, r, 0, name);
	if (n < 0)
		return n;
	uint32_t victim = 0;
	int e = ext2_unlink(s->fs, (uint32_t)m->ino, name, (size_t)n,
			    m->flags & PT_FS_RMDIR, &victim);
	if (e < 0)
		return e;
	attr_of(s, (uint32_t)m->ino, &rep->dir, false);
	if (victim && attr_of(s, victim, &rep->attr, false) < 0)
		rep->attr = (struct pt_fs_attr){ .ino = victim };
	return 0;
}

static long
op_rename(struct server *s, const struct pt_recv *r, const struct pt_fs_msg *m,
	  struct pt_fs_reply *rep)
{
	char oname[EXT2_NAME_MAX + 1], nname[EXT2_NAME_MAX + 1];
	long on = read_name(s, r, 0, oname);
	long nn = on < 0 ? on : read_name(s, r, 1, nname);
	if (nn < 0)
		return nn;
	uint32_t victim = 0, moved;
	int e = ext2_rename(s->fs, (uint32_t)m->ino, oname, (size_t)on,
			    (uint32_t)m->ino2, nname, (size_t)nn,
			    (m->flags & PT_FS_NOREPLACE) ? EXT2_RENAME_NOREPLACE : 0,
			    &victim);
	if (e < 0)
		return e;
	if (ext2_lookup(s->fs, (uint32_t)m->ino2, nname, (size_t)nn, &moved) == 0)
		attr_of(s, moved, &rep->attr, false);
	if (victim && attr_of(s, victim, &rep->dir, false) < 0)
		rep->dir = (struct pt_fs_attr){ .ino = victim };
	return 0;
}

static long
op_readlink(struct server *s, const struct pt_recv *r, const struct pt_fs_msg *m)
{
	char buf[PATH_MAX_FS];
	long n = ext2_readlink(s->fs, (uint32_t)m->ino, buf, sizeof(buf));
	if (n < 0)
		return n;
	if (r->nseg < 1 || !(r->seg_flags[0] & PT_SEG_OUT))
		return -EINVAL;
	size_t len = (uint64_t)n < r->seg_len[0] ? (size_t)n : r->seg_len[0];
	long e = pt_msg_write(s->chan, r->token, 0, 0, buf, len);
	return e < 0 ? e : n;
}

static long
op_rw(struct server *s, const struct pt_recv *r, const struct pt_fs_msg *m,
      struct pt_fs_reply *rep)
{
	bool write = m->op == PT_FS_WRITE;
	struct seg_copy c = { s, r };
	struct ext2_copy copy = { seg_copy_fn, &c };
	uint64_t len = segs_total(r, write ? PT_SEG_IN : PT_SEG_OUT);
	if (len != segs_total(r, PT_SEG_IN | PT_SEG_OUT))
		return -EINVAL;	/* every segment goes the one way */
	if (!write)
		return ext2_read(s->fs, (uint32_t)m->ino, m->off, len, &copy);
	long n = ext2_write(s->fs, (uint32_t)m->ino, m->off, len,
			    m->flags & PT_FS_APPEND, &copy);
	if (n >= 0)
		attr_of(s, (uint32_t)m->ino, &rep->attr, false);
	return n;
}

/* linux_dirent64 records, filled until the caller's segment is full. */
struct dirent_fill {
	char *buf;
	size_t len, room;
	bool full;		/* an entry did not fit */
};

static int
emit_dirent(void *ctx, const char *name, size_t len, uint32_t ino,
	    unsigned type, uint64_t next_pos)
{
	struct dirent_fill *d = ctx;
	size_t reclen = (19 + len + 1 + 7) & ~(size_t)7;
	if (d->len + reclen > d->room) {
		d->full = true;
		return 1;
	}
	char *p = d->buf + d->len;
	memset(p, 0, reclen);
	uint64_t ino64 = ino;
	uint16_t rl = (uint16_t)reclen;
	memcpy(p, &ino64, 8);
	memcpy(p + 8, &next_pos, 8);
	memcpy(p + 16, &rl, 2);
	p[18] = (char)type;
	memcpy(p + 19, name, len);
	d->len += reclen;
	return 0;
}

#define FIEMAP_BATCH 256		/* extents a call returns at most */

/* FIEMAP: the extents as pt_fs_extent records into OUT seg 0. */
static long
op_fiemap(struct server *s, const struct pt_recv *r, const struct pt_fs_msg *m)
{
	if (r->nseg < 1 || !(r->seg_flags[0] & PT_SEG_OUT))
		return -EINVAL;
	size_t max = r->seg_len[0] / sizeof(struct pt_fs_extent);
	if (max > FIEMAP_BATCH)
		max = FIEMAP_BATCH;
	struct ext2_extent *e = malloc((max ? max : 1) * sizeof(*e));
	struct pt_fs_extent *rec = malloc((max ? max : 1) * sizeof(*rec));
	long n = e && rec ? ext2_fiemap(s->fs, (uint32_t)m->ino, m->off,
					m->ino2, e, max) : -ENOMEM;
	if (n > 0 && max) {
		for (long i = 0; i < n; i++)
			rec[i] = (struct pt_fs_extent){
				.logical = e[i].logical, .physical = e[i].physical,
				.length = e[i].length,
				.flags = e[i].last ? PT_FS_EXTENT_LAST : 0,
			};
		long w = pt_msg_write(s->chan, r->token, 0, 0, rec,
				      (size_t)n * sizeof(*rec));
		n = w < 0 ? w : n;
	}
	free(e);
	free(rec);
	return n;
}

static long
op_readdir(struct server *s, const struct pt_recv *r, const struct pt_fs_msg *m,
	   struct pt_fs_reply *rep)
{
	if (r->nseg < 1 || !(r->seg_flags[0] & PT_SEG_OUT))
		return -EINVAL;
	struct dirent_fill d = { .room = r->seg_len[0] < DIRENT_BUF_MAX ?
					 r->seg_len[0] : DIRENT_BUF_MAX };
	d.buf = malloc(d.room ? d.room : 1);
	if (!d.buf)
		return -ENOMEM;
	uint64_t pos = m->off;
	int e = ext2_readdir(s->fs, (uint32_t)m->ino, &pos, emit_dirent, &d);
	long n = e < 0 ? e : (long)d.len;
	if (e >= 0 && d.len == 0 && d.full)
		n = -EINVAL;	/* the next entry does not fit the buffer */
	if (n > 0) {
		long w = pt_msg_write(s->chan, r->token, 0, 0, d.buf, d.len);
		n = w < 0 ? w : n;
	}
	rep->pos = pos;
	free(d.buf);
	return n;
}

static long
dispatch(struct server *s, const struct pt_recv *r, const struct pt_fs_msg *m,
	 struct pt_fs_reply *rep, bool *stop)
{
	uint32_t ino = (uint32_t)m->ino;
	/* ino2 names an inode but for FIEMAP (a length). */
	if (m->ino > UINT32_MAX ||
	    (m->ino2 > UINT32_MAX && m->op != PT_FS_FIEMAP))
		return -ENOENT;
	switch (m->op) {
	case PT_FS_HELLO: return op_hello(s, rep);
	case PT_FS_STATFS: return op_statfs(s, rep);
	case PT_FS_LOOKUP: return op_lookup(s, r, m, rep);
	case PT_FS_GETATTR: return attr_of(s, ino, &rep->attr, false);
	case PT_FS_SETATTR: return op_setattr(s, m, rep);
	case PT_FS_CREATE:
	case PT_FS_SYMLINK:
	case PT_FS_LINK: return op_new_name(s, r, m, rep);
	case PT_FS_UNLINK: return op_unlink(s, r, m, rep);
	case PT_FS_RENAME: return op_rename(s, r, m, rep);
	case PT_FS_READLINK: return op_readlink(s, r, m);
	case PT_FS_READ:
	case PT_FS_WRITE: return op_rw(s, r, m, rep);
	case PT_FS_READDIR: return op_readdir(s, r, m, rep);
	case PT_FS_FSYNC: return ext2_fsync(s->fs, ino, m->flags & PT_FS_DATASYNC);
	case PT_FS_SYNC: return ext2_sync(s->fs);
	case PT_FS_FIEMAP: return op_fiemap(s, r, m);
	case PT_FS_FORGET:
		forget(s, ino);
		return 0;
	case PT_FS_UNMOUNT:
		*stop = true;
		return 0;
	}
	return -ENOSYS;
}

/* Answers calls until the kernel unmounts (0) or the channel goes (1). */
static int
serve_loop(struct server *s)
{
	struct pt_fs_msg m;
	struct pt_fs_reply rep;
	struct pt_recv r = { .msg = (uint64_t)(uintptr_t)&m, .msg_cap = sizeof(m),
			     .reply_data = (uint64_t)(uintptr_t)&rep,
			     .reply_len = sizeof(rep) };
	for (;;) {
		if (sync_asked) {
			sync_asked = 0;
			ext2_sync(s->fs);
		}
		long e = pt_channel_recv(s->chan, &r, -1);
		if (e == -EINTR || (e < 0 && r.reply_token)) {
			r.reply_token = 0;	/* given, or its caller is gone */
			continue;
		}
		if (e < 0)
			return 1;	/* -EPIPE: the kernel let go of us */
		memset(&rep, 0, sizeof(rep));
		bool stop = false;
		long status;
		if (!(r.flags & PT_RECV_KERNEL) || r.msg_len < sizeof(m))
			status = -EINVAL;	/* only the kernel speaks this */
		else
			status = dispatch(s, &r, &m, &rep, &stop);
		if (stop) {
			status = ext2_unmount(s->fs);
			s->fs = NULL;
			pt_channel_reply(s->chan, r.token, status, NULL, 0);
			return 0;
		}
		r.reply_token = r.token;
		r.reply_status = status;
	}
}

/*
 * A disk that cannot be mounted: every call (the kernel's HELLO) gets the
 * reason, and fsd then idles rather than end, so init does not restart it
 * into the same refusal again and again. With once (a mount(2) by a
 * program), the first call gets it and fsd ends.
 */
static void
refuse(pt_handle_t chan, int error, bool once)
{
	struct pt_fs_msg m;
	struct pt_recv r = { .msg = (uint64_t)(uintptr_t)&m, .msg_cap = sizeof(m) };
	for (;;) {
		long e = pt_channel_recv(chan, &r, -1);
		if (e == -EINTR || (e < 0 && r.reply_token)) {
			r.reply_token = 0;
			continue;
		}
		if (e < 0)
			break;	/* the kernel let go of the channel */
		if (once) {
			pt_channel_reply(chan, r.token, error, NULL, 0);
			return;
		}
		r.reply_token = r.token;
		r.reply_status = error;
	}
	for (;;)
		pause();
}

int
fsd_refuse(pt_handle_t chan, int error, const struct fsd_options *opts)
{
	refuse(chan, error, opts->once);
	return 2;
}

int
fsd_serve(struct blkdev *dev, pt_handle_t chan, const struct fsd_options *opts)
{
	struct ext2_mount_opts mo = {
		.read_only = opts->read_only, .report = report,
		.report_ctx = (void *)opts,
	};
	struct server s = { .chan = chan, .opts = opts };
	int e = ext2_mount(&s.fs, dev, &mo);
	if (e < 0) {
		char msg[96];
		snprintf(msg, sizeof(msg), "cannot mount: %s", strerror(-e));
		report((void *)opts, msg);
		refuse(chan, e, opts->once);
		return 2;
	}
	if (opts->verbose)
		fprintf(stderr, "fsd: %s mounted%s\n", opts->source,
			ext2_read_only(s.fs) ? " read-only" : "");
	struct sigaction sa = { .sa_handler = on_term };
	sigaction(SIGTERM, &sa, NULL);
	int r = serve_loop(&s);
	if (s.fs) {
		/* The kernel let go without an unmount: leave the disk clean. */
		ext2_unmount(s.fs);
	}
	free(s.held);
	return r;
}
