/*
 * Fuzz test of fsd's ext2 code against corrupt images. Small valid images
 * (mke2fs -d of the sample tree, 1 KiB and 4 KiB blocks) are corrupted by
 * a seeded generator, mostly in their metadata (superblock, group
 * descriptors, bitmaps, inode table, directory and indirect blocks, found
 * with dumpe2fs and debugfs), then mounted, walked whole, written to and
 * unmounted, twice. Nothing may crash or trip ASan/UBSan, every call must
 * return success or one of ext2.h's errors, no request may fall outside
 * the device, and each iteration must end within WATCHDOG seconds.
 *
 * EXT2_FUZZ_SEED and EXT2_FUZZ_ITERS (per image) run longer by hand;
 * EXT2_FUZZ_FIRST, EXT2_FUZZ_IMAGE (1024 or 4096) and EXT2_FUZZ_KEEP (a
 * path for the corrupt image) replay one iteration.
 */
#define _GNU_SOURCE
#include "fsdtest.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sanitizer/common_interface_defs.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"

#define ITERS 500		/* per image, by default */
#define WATCHDOG 10		/* seconds per iteration */
#define VISITS 400		/* entries one walk looks at */
#define DEPTH 8
#define DIR_ENTRIES 512		/* entries taken from one directory */
#define KEEP 8			/* files and directories kept for writes */
#define CACHE_BYTES (256 << 10)	/* a small cache: evictions, less to map */

/* What an iteration is, for the failure message of any death. */
static char where[256];
/* Sessions that mounted read-write and so made their writes. */
static unsigned written;

/* The kinds of metadata, and how often each is aimed at (of 16; the
 * rest of the time, anywhere in the image). */
enum kind { SUPER, GROUPS, BITMAPS, INODES, TREE, KINDS };
static const unsigned kind_weight[KINDS] = { 2, 2, 2, 6, 3 };

struct region {
	uint64_t off, len;
};

struct image {
	unsigned bs;
	const char *size;
	unsigned char *data;
	size_t len;
	struct region meta[KINDS][64];
	unsigned nmeta[KINDS];
};

struct fuzz {
	uint64_t rng;
	struct ext2_fs *fs;
	unsigned visits;
	uint32_t stack[DEPTH];
	unsigned depth;
	uint32_t files[KEEP], dirs[KEEP];	/* inodes the walk found */
	char file_names[KEEP][EXT2_NAME_MAX + 1];
	uint32_t file_dirs[KEEP];
	unsigned nfiles, ndirs;
	unsigned bad;			/* failures in this iteration */
};

static void
die_message(void)
{
	ssize_t n = write(2, where, strlen(where));

	(void)n;
}

static void
on_alarm(int sig)
{
	static const char late[] = "watchdog: iteration took too long\n";

	ssize_t n = write(2, late, sizeof(late) - 1);

	(void)sig, (void)n;
	die_message();
	_exit(1);
}

static uint64_t
rnd(struct fuzz *z, uint64_t below)
{
	return below ? check_rand(&z->rng) % below : 0;
}

/* Success, a count, or an error ext2.h names (and -EPERM, link(2)'s). */
static bool
allowed(long r)
{
	switch (r) {
	case -ENOENT: case -EEXIST: case -ENOTDIR: case -EISDIR:
	case -ENOTEMPTY: case -ENOSPC: case -EROFS: case -ENAMETOOLONG:
	case -EMLINK: case -EFBIG: case -EINVAL: case -EIO: case -EPERM:
		return true;
	}
	return r >= 0;
}

static void
fail(struct fuzz *z, int line, const char *what, long r)
{
	check_failures++;
	z->bad++;
	fprintf(stderr, "line %d: %s gave %ld\n%s", line, what, r, where);
}

#define EXPECT(z, call) expect((z), __LINE__, #call, (long)(call))
static long
expect(struct fuzz *z, int line, const char *what, long r)
{
	check_count++;
	if (!allowed(r))
		fail(z, line, what, r);
	return r;
}

/* ---- The images and their metadata ----------------------------------- */

static void
add_region(struct image *im, enum kind k, uint64_t block, uint64_t blocks)
{
	if (im->nmeta[k] < 64 && block * im->bs < im->len &&
	    (block + blocks) * im->bs <= im->len) {
		im->meta[k][im->nmeta[k]++] = (struct region){ block * im->bs,
		    blocks * im->bs };
	}
}

/* "at A-B" or "at A" after key, for each line of dumpe2fs's groups. */
static void
parse_groups(struct image *im, enum kind k, const char *text,
	     const char *key, uint64_t max_blocks)
{
	const char *p = text;
	unsigned long long a, b;

	while ((p = strstr(p, key))) {
		p += strlen(key);
		if (sscanf(p, "%llu-%llu", &a, &b) == 2)
			add_region(im, k, a, b - a + 1 < max_blocks ?
			    b - a + 1 : max_blocks);
		else if (sscanf(p, "%llu", &a) == 1)
			add_region(im, k, a, 1);
	}
}

/* A directory's blocks, as debugfs lists them. */
static void
parse_dir(struct image *im, const char *img, const char *path)
{
	char *out = NULL, *p, *end;
	unsigned long long b;

	ft_run(&out, "debugfs -R 'blocks %s' '%s' 2>/dev/null", path, img);
	for (p = out; p && *p; p = end) {
		b = strtoull(p, &end, 10);
		if (end == p)
			end = p + 1;
		else
			add_region(im, TREE, b, 1);
	}
	free(out);
}

/* A file's indirect blocks: "(IND):N", "(DIND):N" in debugfs's stat. */
static void
parse_indirect(struct image *im, const char *img, const char *path)
{
	char *out = NULL, *p;

	ft_run(&out, "debugfs -R 'stat %s' '%s' 2>/dev/null", path, img);
	for (p = out; p && (p = strstr(p, "IND):")); p += 5)
		add_region(im, TREE, strtoull(p + 5, NULL, 10), 1);
	free(out);
}

static void
make_image(struct image *im, const char *src)
{
	static const char *const dirs[] = { "/", "/a", "/a/b", "/a/b/c",
		"/many", "/private-dir", "/sticky", "/empty-dir",
		"/lost+found", "/link-long" };	/* and a symlink's block */
	char img[FT_PATH], leaf[32], *out = NULL;
	/* Inodes past the first 128 of a group are free: less to aim at. */
	uint64_t table = 128 * 256 / im->bs;

	snprintf(leaf, sizeof(leaf), "base-%u.img", im->bs);
	ft_path(img, leaf);
	if (ft_mkfs(img, im->bs, im->size, src) != 0 ||
	    ft_read_file(img, &im->data, &im->len) != 0 ||
	    ft_run(&out, "dumpe2fs '%s' 2>/dev/null", img) != 0) {
		fprintf(stderr, "cannot make the %u-byte image\n", im->bs);
		exit(1);
	}
	im->meta[SUPER][im->nmeta[SUPER]++] = (struct region){ 1024, 1024 };
	parse_groups(im, GROUPS, out, "Group descriptors at ", 4);
	parse_groups(im, BITMAPS, out, "Block bitmap at ", 1);
	parse_groups(im, BITMAPS, out, "Inode bitmap at ", 1);
	parse_groups(im, INODES, out, "Inode table at ", table);
	free(out);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		parse_dir(im, img, dirs[i]);
	parse_indirect(im, img, "/b70000");
	parse_indirect(im, img, "/sparse");
	remove(img);
	for (int k = 0; k < KINDS; k++) {
		if (im->nmeta[k] == 0) {
			fprintf(stderr, "no metadata of kind %d found\n", k);
			exit(1);
		}
	}
}

/* ---- Corruption -------------------------------------------------------- */

static void
corrupt(struct fuzz *z, unsigned char *buf, const struct image *im)
{
	static const uint32_t values[] = { 0, 1, 2, 0x7fffffff, 0x80000000,
		0xffffffff, 0xffff, 0x8000, 12, 255, 256, 1024, 4096 };
	/* A few changes mostly; now and then a badly damaged image. */
	unsigned count = rnd(z, 8) ? 1 + rnd(z, 6) : 20 + rnd(z, 40);

	for (unsigned i = 0; i < count; i++) {
		uint64_t at, len = im->len;
		unsigned pick = rnd(z, 16), k = 0;
		uint32_t v;

		/* Metadata most of the time, anywhere otherwise. */
		while (k < KINDS && pick >= kind_weight[k])
			pick -= kind_weight[k++];
		at = 0;
		if (k < KINDS) {
			const struct region *r = &im->meta[k][rnd(z,
			    im->nmeta[k])];

			at = r->off;
			len = r->len;
		}
		at += rnd(z, len);
		if (!ft_quiet)
			fprintf(stderr, "corrupting byte %llu of block %llu\n",
			    (unsigned long long)at % im->bs,
			    (unsigned long long)at / im->bs);
		switch (rnd(z, 7)) {
		case 0:
			buf[at] ^= 1 << rnd(z, 8);
			break;
		case 1:
			buf[at] = rnd(z, 256);
			break;
		case 2:
		case 3:
			at &= ~(uint64_t)3;
			v = rnd(z, 2) ? values[rnd(z, 13)] : (uint32_t)rnd(z,
			    im->len / im->bs + 64);
			for (int b = 0; b < (rnd(z, 2) ? 4 : 2); b++)
				buf[at + b] = v >> 8 * b;
			break;
		case 4:
		case 5:
			len = 1 + rnd(z, 64);
			if (at + len > im->len)
				len = im->len - at;
			memset(buf + at, rnd(z, 2) ? 0xff : 0, len);
			break;
		default:
			len = 1 + rnd(z, 16);
			for (uint64_t b = at; b < at + len && b < im->len; b++)
				buf[b] = rnd(z, 256);
		}
	}
}

/* ---- The walk ------------------------------------------------------------ */

struct entries {
	struct ft_dirent *e;
	unsigned n, this_call, stop_after;
	unsigned bad_type, bad_len;
};

static int
take_entry(void *ctx, const char *name, size_t len, uint32_t ino,
	   unsigned type, uint64_t next_pos)
{
	struct entries *es = ctx;
	struct ft_dirent *e;

	(void)next_pos;
	if (es->this_call == es->stop_after || es->n == DIR_ENTRIES)
		return 1;
	if (len == 0 || len > EXT2_NAME_MAX) {
		es->bad_len++;
		return 1;
	}
	if (type > DT_WHT)
		es->bad_type++;
	e = &es->e[es->n++];
	memcpy(e->name, name, len);	/* ASan checks that name is real */
	e->name[len] = 0;
	e->len = len;
	e->ino = ino;
	e->type = type;
	es->this_call++;
	return 0;
}

/* A few pieces of the file: its start, its end, somewhere between. */
static void
read_file(struct fuzz *z, uint32_t ino, uint64_t size)
{
	unsigned char buf[4096];
	uint64_t offs[] = { 0, 4096, 8192, size > 5000 ? size - 5000 : 0,
		rnd(z, size + 1), size, size + 1 };
	long r;

	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		r = EXPECT(z, ft_read(z->fs, ino, offs[i], buf, sizeof(buf)));
		if (r > (long)sizeof(buf))
			fail(z, __LINE__, "read more than asked", r);
	}
}

static void walk(struct fuzz *z, uint32_t dir);

static void
keep(struct fuzz *z, uint32_t dir, const struct ft_dirent *e,
     const struct ext2_attr *a)
{
	if (S_ISREG(a->mode) && z->nfiles < KEEP) {
		z->files[z->nfiles] = e->ino;
		z->file_dirs[z->nfiles] = dir;
		memcpy(z->file_names[z->nfiles++], e->name, e->len + 1);
	} else if (S_ISDIR(a->mode) && z->ndirs < KEEP) {
		z->dirs[z->ndirs++] = e->ino;
	}
}

static void
visit(struct fuzz *z, uint32_t dir, const struct ft_dirent *e)
{
	struct ext2_attr a;
	char target[4200];
	uint32_t ino;
	long r;
	bool on_stack = false;

	EXPECT(z, ext2_lookup(z->fs, dir, e->name, e->len, &ino));
	if (EXPECT(z, ext2_getattr(z->fs, e->ino, &a)) < 0)
		return;
	keep(z, dir, e, &a);
	if (S_ISREG(a.mode)) {
		read_file(z, e->ino, a.size);
	} else if (S_ISLNK(a.mode)) {
		r = EXPECT(z, ext2_readlink(z->fs, e->ino, target, 4096));
		if (r > 4096)
			fail(z, __LINE__, "readlink past the buffer", r);
	} else if (S_ISDIR(a.mode) && z->depth < DEPTH) {
		for (unsigned i = 0; i < z->depth; i++)
			on_stack |= z->stack[i] == e->ino;
		if (!on_stack)
			walk(z, e->ino);
	}
}

/* Every entry of dir, taken a few at a time, and what they name. */
static void
walk(struct fuzz *z, uint32_t dir)
{
	struct entries es = { .e = malloc(DIR_ENTRIES * sizeof(*es.e)) };
	uint64_t pos = 0;
	long r;

	z->stack[z->depth++] = dir;
	for (int call = 0; call < 64 && es.n < DIR_ENTRIES; call++) {
		es.this_call = 0;
		es.stop_after = 1 + rnd(z, 8);
		r = EXPECT(z, ext2_readdir(z->fs, dir, &pos, take_entry, &es));
		if (r < 0 || es.this_call < es.stop_after)
			break;
	}
	if (es.bad_len || es.bad_type)
		fail(z, __LINE__, "readdir gave a bad name or type",
		    es.bad_len + es.bad_type);
	for (unsigned i = 0; i < es.n && z->visits < VISITS; i++) {
		if (!strcmp(es.e[i].name, ".") || !strcmp(es.e[i].name, ".."))
			continue;
		z->visits++;
		visit(z, dir, &es.e[i]);
	}
	z->depth--;
	free(es.e);
}

/* ---- Writes ------------------------------------------------------------ */

static void
write_new(struct fuzz *z)
{
	unsigned char data[3000];
	char target[200];
	uint32_t f = 0, d = 0, ino;
	struct ext2_setattr sa = { .mask = EXT2_SET_SIZE, .size = 1000 };

	ft_fill(data, sizeof(data), z->rng, 0);
	memset(target, 'T', sizeof(target));
	if (EXPECT(z, ext2_create(z->fs, EXT2_ROOT_INO, "fz", 2,
	    S_IFREG | 0644, 0, 0, 0, &f)) == 0) {
		EXPECT(z, ft_write(z->fs, f, 0, data, sizeof(data), false));
		EXPECT(z, ft_write(z->fs, f, 70000, data, 100, false));
		EXPECT(z, ft_write(z->fs, f, 0, data, 100, true));
		EXPECT(z, ft_read(z->fs, f, 0, data, 100));
		EXPECT(z, ext2_setattr(z->fs, f, &sa));
	}
	if (EXPECT(z, ext2_create(z->fs, EXT2_ROOT_INO, "fzd", 3,
	    S_IFDIR | 0755, 0, 0, 0, &d)) == 0) {
		EXPECT(z, ext2_create(z->fs, d, "x", 1, S_IFREG | 0644, 0, 0,
		    0, &ino));
		EXPECT(z, ext2_symlink(z->fs, d, "l", 1, target,
		    sizeof(target), 0, 0, &ino));
		if (f)
			EXPECT(z, ext2_link(z->fs, d, "h", 1, f));
		EXPECT(z, ext2_rename(z->fs, EXT2_ROOT_INO, "fz", 2, d,
		    "moved", 5, 0, &ino));
		EXPECT(z, ext2_unlink(z->fs, d, "x", 1, false, &ino));
		EXPECT(z, ext2_unlink(z->fs, EXT2_ROOT_INO, "fzd", 3, true,
		    &ino));
	}
}

/* Changes to what the walk found (the corrupt parts among them). */
static void
write_found(struct fuzz *z)
{
	unsigned char data[200];
	struct ext2_setattr sa = { .mask = EXT2_SET_SIZE };
	struct ext2_attr a;
	uint32_t ino;
	char name[16];

	ft_fill(data, sizeof(data), z->rng, 0);
	for (unsigned i = 0; i < z->nfiles; i++) {
		uint32_t f = z->files[i];

		EXPECT(z, ft_write(z->fs, f, rnd(z, 5000), data, 50, false));
		EXPECT(z, ft_write(z->fs, f, 0, data, sizeof(data), true));
		if (EXPECT(z, ext2_getattr(z->fs, f, &a)) == 0) {
			sa.size = a.size / 2;
			EXPECT(z, ext2_setattr(z->fs, f, &sa));
		}
		switch (rnd(z, 3)) {
		case 0:
			EXPECT(z, ext2_unlink(z->fs, z->file_dirs[i],
			    z->file_names[i], strlen(z->file_names[i]), false,
			    &ino));
			break;
		case 1:
			snprintf(name, sizeof(name), "r%u", i);
			EXPECT(z, ext2_rename(z->fs, z->file_dirs[i],
			    z->file_names[i], strlen(z->file_names[i]),
			    EXT2_ROOT_INO, name, strlen(name), 0, &ino));
			break;
		}
	}
	for (unsigned i = 0; i < z->ndirs; i++) {
		EXPECT(z, ext2_create(z->fs, z->dirs[i], "new", 3,
		    S_IFDIR | 0755, 0, 0, 0, &ino));
		EXPECT(z, ext2_create(z->fs, z->dirs[i], "f", 1,
		    S_IFREG | 0644, 0, 0, 0, &ino));
	}
}

/* ---- Iterations ---------------------------------------------------------- */

/* Mounts, walks, writes if it may, unmounts; false if refused. */
static bool
session(struct fuzz *z, const char *img, bool writes)
{
	struct ext2_statfs st;
	struct ext2_attr a;
	struct ft_mount m = { .fs = NULL };
	long r;

	r = EXPECT(z, ft_mount(&m, img, false, false));
	if (r >= 0) {
		z->fs = m.fs;
		z->visits = z->nfiles = z->ndirs = 0;
		EXPECT(z, ext2_statfs(z->fs, &st));
		for (uint32_t ino = 0; ino < 16; ino++)
			EXPECT(z, ext2_getattr(z->fs, ino, &a));
		EXPECT(z, ext2_getattr(z->fs, 0xffffffff, &a));
		walk(z, EXT2_ROOT_INO);
		if (writes && !ext2_read_only(z->fs)) {
			written++;
			write_new(z);
			write_found(z);
			EXPECT(z, ext2_sync(z->fs));
			z->visits = 0;
			walk(z, EXT2_ROOT_INO);
		}
		EXPECT(z, ft_unmount(&m));
	}
	if (m.stats.refused != 0)
		fail(z, __LINE__, "requests outside the device",
		    m.stats.refused);
	return r >= 0;
}

static uint64_t
iteration_seed(uint64_t seed, unsigned bs, unsigned iter)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ULL + bs * 0x100000001ULL +
	    iter + 1;

	for (int i = 0; i < 4; i++)
		check_rand(&x);
	return x;
}

static unsigned long
env(const char *name, unsigned long dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtoul(v, NULL, 0) : dflt;
}

/*
 * Makes the file at path hold want, writing only the pages that differ:
 * the device's flushes then have little to write back, which keeps an
 * iteration's time on the CPU rather than on the disk.
 */
static int
set_image(const char *path, const unsigned char *want, unsigned char *have,
	  size_t len)
{
	int fd = open(path, O_RDWR | O_CREAT, 0644), r = 0;

	if (fd < 0)
		return -errno;
	if (pread(fd, have, len, 0) != (ssize_t)len) {
		memset(have, 0, len);
		if (ftruncate(fd, len) < 0)
			r = -errno;
	}
	for (size_t at = 0; at < len && !r; at += 4096) {
		size_t n = len - at < 4096 ? len - at : 4096;

		if (memcmp(have + at, want + at, n) != 0 &&
		    pwrite(fd, want + at, n, at) != (ssize_t)n)
			r = -EIO;
	}
	close(fd);
	return r;
}

/* Returns how many iterations mounted. */
static unsigned
fuzz_image(struct image *im, uint64_t seed, unsigned first, unsigned iters)
{
	unsigned char *work = malloc(im->len), *scratch = malloc(im->len);
	const char *keep_path = getenv("EXT2_FUZZ_KEEP");
	char img[FT_PATH];
	unsigned mounted = 0;
	struct fuzz z;

	ft_path(img, "work.img");
	for (unsigned i = first; i < first + iters; i++) {
		memset(&z, 0, sizeof(z));
		z.rng = iteration_seed(seed, im->bs, i);
		snprintf(where, sizeof(where), "replay: EXT2_FUZZ_SEED=%llu "
		    "EXT2_FUZZ_IMAGE=%u EXT2_FUZZ_FIRST=%u EXT2_FUZZ_ITERS=1 "
		    "build/host-tests/test_ext2_fuzz\n",
		    (unsigned long long)seed, im->bs, i);
		memcpy(work, im->data, im->len);
		corrupt(&z, work, im);
		if (set_image(img, work, scratch, im->len) != 0 ||
		    (keep_path && ft_write_file(keep_path, work, im->len)))
			exit(1);
		alarm(WATCHDOG);
		if (session(&z, img, true)) {
			mounted++;
			session(&z, img, false);
		}
		alarm(0);
	}
	/* A leak report at exit names its allocation, not an iteration. */
	snprintf(where, sizeof(where), "after the iterations\n");
	free(work);
	free(scratch);
	return mounted;
}

int
main(void)
{
	struct image images[] = {
		{ .bs = 1024, .size = "2M" },
		{ .bs = 4096, .size = "4M" },
	};
	uint64_t seed = env("EXT2_FUZZ_SEED", 1);
	unsigned iters = env("EXT2_FUZZ_ITERS", ITERS);
	unsigned first = env("EXT2_FUZZ_FIRST", 0);
	unsigned only = env("EXT2_FUZZ_IMAGE", 0);
	char src[FT_PATH];

	ft_setup("test_ext2_fuzz");
	ft_quiet = getenv("EXT2_FUZZ_VERBOSE") == NULL;
	ft_cache_bytes = CACHE_BYTES;
	__sanitizer_set_death_callback(die_message);
	signal(SIGALRM, on_alarm);
	if (ft_make_tree(ft_path(src, "src"), false) != 0) {
		perror("sample tree");
		return 1;
	}
	for (size_t i = 0; i < sizeof(images) / sizeof(images[0]); i++) {
		struct image *im = &images[i];
		unsigned mounted;

		if (only && only != im->bs)
			continue;
		make_image(im, src);
		written = 0;
		mounted = fuzz_image(im, seed, first, iters);
		fprintf(stderr, "%u-byte blocks: %u iterations from %u (seed "
		    "%llu), %u mounted, %u written; aimed at %u+%u+%u+%u+%u "
		    "regions\n", im->bs, iters, first,
		    (unsigned long long)seed, mounted, written,
		    im->nmeta[SUPER], im->nmeta[GROUPS], im->nmeta[BITMAPS],
		    im->nmeta[INODES], im->nmeta[TREE]);
		free(im->data);
	}
	CHECK_EQ(ft_bad_copies, 0);
	return check_done("test_ext2_fuzz");
}
