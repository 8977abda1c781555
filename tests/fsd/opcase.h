/*
 * The frame of the operation tests (test_ext2_ops, _dirs, _mount): each
 * case runs on a fresh mke2fs image of 1 KiB and of 4 KiB blocks, mounted
 * read-write; after it the image is unmounted and e2fsck -fn must find
 * it clean. Small checked wrappers keep the cases readable. Included by
 * one test file each, after check.h (whose counters it uses).
 */
#ifndef TESTS_FSD_OPCASE_H
#define TESTS_FSD_OPCASE_H

#include "fsdtest.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct ctx {
	unsigned bs;			/* block size */
	char img[FT_PATH];
	struct ft_mount m;
	struct ext2_fs *fs;		/* NULL while unmounted */
};

struct op_case {
	const char *name;
	void (*run)(struct ctx *c);
};

/* The clock the file system stamps; cases set and advance it. */
static struct ext2_time fake_now = { 1700000000, 0 };

static void
fake_clock(struct ext2_time *now)
{
	*now = fake_now;
}

/* Mounts c->img (read-only as asked); a failure ends the test. */
static inline void
op_mount_as(struct ctx *c, bool dev_ro, bool opt_ro)
{
	int r = ft_mount(&c->m, c->img, dev_ro, opt_ro);

	CHECK_EQ(r, 0);
	c->fs = c->m.fs;
	if (!c->fs) {
		fprintf(stderr, "mount of %s failed: %d\n", c->img, r);
		exit(check_done("mount"));
	}
}

static inline void
op_mount(struct ctx *c)
{
	op_mount_as(c, false, false);
}

static inline void
op_unmount(struct ctx *c)
{
	CHECK_EQ(ft_unmount(&c->m), 0);
	CHECK_EQ(c->m.stats.refused, 0);
	c->fs = NULL;
}

/* e2fsck -fn must pass; its output goes into the failure message. */
static inline void
op_fsck(struct ctx *c)
{
	char *out = NULL;
	int r = ft_fsck(c->img, &out);

	if (r != 0)
		fprintf(stderr, "e2fsck -fn %s: exit %d\n%s\n", c->img, r, out);
	CHECK_EQ(r, 0);
	free(out);
}

/* Unmount, check, mount again: what follows reads what reached disk. */
static inline void
op_remount(struct ctx *c)
{
	op_unmount(c);
	op_fsck(c);
	op_mount(c);
}

/* With the image unmounted: debugfs reads path as want. */
static inline void
op_cat(struct ctx *c, const char *path, const void *want, size_t len)
{
	unsigned char *got = NULL;
	size_t got_len = 0;

	CHECK_EQ(ft_debugfs_cat(c->img, path, &got, &got_len), 0);
	CHECK_EQ(got_len, len);
	if (got_len == len && memcmp(got, want, len) != 0) {
		size_t i = 0;

		while (got[i] == ((const unsigned char *)want)[i])
			i++;
		fprintf(stderr, "debugfs cat %s: differs at byte %zu\n", path,
		    i);
		CHECK(!"debugfs sees what was written");
	}
	free(got);
}

/* With the image unmounted: debugfs's stat of path mentions text. */
static inline void
op_stat_says(struct ctx *c, const char *path, const char *text)
{
	char *out = NULL;

	CHECK_EQ(ft_run(&out, "debugfs -R 'stat %s' '%s'", path, c->img), 0);
	if (!out || !strstr(out, text)) {
		fprintf(stderr, "debugfs stat %s lacks \"%s\":\n%s\n", path,
		    text, out);
		CHECK(!"debugfs stat");
	}
	free(out);
}

static inline uint32_t
op_create(struct ctx *c, uint32_t dir, const char *name, uint32_t mode)
{
	uint32_t ino = 0;

	CHECK_EQ(ext2_create(c->fs, dir, name, strlen(name), mode, 0, 0, 0,
	    &ino), 0);
	return ino;
}

/* name's inode in dir, or 0 if the lookup fails. */
static inline uint32_t
op_lookup(struct ctx *c, uint32_t dir, const char *name)
{
	uint32_t ino = 0;

	if (ext2_lookup(c->fs, dir, name, strlen(name), &ino) < 0)
		return 0;
	return ino;
}

/* ext2_lookup's result for name in dir. */
static inline int
op_lookup_err(struct ctx *c, uint32_t dir, const char *name)
{
	uint32_t ino;

	return ext2_lookup(c->fs, dir, name, strlen(name), &ino);
}

static inline struct ext2_attr
op_attr(struct ctx *c, uint32_t ino)
{
	struct ext2_attr a;

	memset(&a, 0, sizeof(a));
	CHECK_EQ(ext2_getattr(c->fs, ino, &a), 0);
	return a;
}

static inline int
op_unlink(struct ctx *c, uint32_t dir, const char *name, bool rmdir)
{
	uint32_t victim;

	return ext2_unlink(c->fs, dir, name, strlen(name), rmdir, &victim);
}

static inline int
op_rename(struct ctx *c, uint32_t odir, const char *oname, uint32_t ndir,
	  const char *nname, unsigned flags, uint32_t *victim)
{
	uint32_t none;

	return ext2_rename(c->fs, odir, oname, strlen(oname), ndir, nname,
	    strlen(nname), flags, victim ? victim : &none);
}

static inline int
op_setattr(struct ctx *c, uint32_t ino, unsigned mask, uint64_t size)
{
	struct ext2_setattr sa = { .mask = mask, .size = size };

	return ext2_setattr(c->fs, ino, &sa);
}

/* Writes len bytes of ft_fill(seed) at off; they also go into model. */
static inline void
op_put(struct ctx *c, uint32_t ino, uint64_t off, size_t len, uint64_t seed,
       unsigned char *model)
{
	unsigned char *buf = malloc(len + 1);

	ft_fill(buf, len, seed, off);
	CHECK_EQ(ft_write(c->fs, ino, off, buf, len, false), len);
	if (model)
		memcpy(model + off, buf, len);
	free(buf);
}

/* Reads len bytes at off: they must equal want. */
static inline void
op_expect(struct ctx *c, uint32_t ino, uint64_t off, const void *want,
	  size_t len)
{
	unsigned char *got = malloc(len + 1);
	long r = ft_read(c->fs, ino, off, got, len);

	CHECK_EQ(r, len);
	if (r != (long)len || memcmp(got, want, len) != 0) {
		fprintf(stderr, "read of %zu at %llu: %ld, not what was "
		    "written\n", len, (unsigned long long)off, r);
		CHECK(!"read back equal");
	}
	free(got);
}

/* Reads len bytes at off: all zero (a hole). */
static inline void
op_expect_zero(struct ctx *c, uint32_t ino, uint64_t off, size_t len)
{
	unsigned char *zero = calloc(1, len + 1);

	op_expect(c, ino, off, zero, len);
	free(zero);
}

static inline struct ext2_statfs
op_statfs(struct ctx *c)
{
	struct ext2_statfs st;

	memset(&st, 0, sizeof(st));
	CHECK_EQ(ext2_statfs(c->fs, &st), 0);
	return st;
}

/* The free counts equal an earlier statfs's. */
static inline void
op_same_free(struct ctx *c, const struct ext2_statfs *before)
{
	struct ext2_statfs now = op_statfs(c);

	CHECK_EQ(now.blocks_free, before->blocks_free);
	CHECK_EQ(now.inodes_free, before->inodes_free);
}

/*
 * Runs every case (or only EXT2_TEST_CASE's) at both block sizes, each on
 * a fresh image; returns the exit status.
 */
static inline int
op_run(const char *test, const struct op_case *cases, size_t n)
{
	static const unsigned sizes[] = { 1024, 4096 };
	const char *only = getenv("EXT2_TEST_CASE");
	struct ctx c;

	ft_setup(test);
	ext2_clock = fake_clock;
	for (size_t s = 0; s < 2; s++) {
		for (size_t i = 0; i < n; i++) {
			int before = check_failures;

			if (only && strcmp(only, cases[i].name) != 0)
				continue;
			memset(&c, 0, sizeof(c));
			c.bs = sizes[s];
			ft_path(c.img, cases[i].name);
			fake_now = (struct ext2_time){ 1700000000, 0 };
			if (ft_mkfs(c.img, c.bs, "64M", NULL) != 0)
				return 1;
			op_mount(&c);
			cases[i].run(&c);
			if (c.fs)
				op_unmount(&c);
			op_fsck(&c);
			CHECK_EQ(ft_bad_copies, 0);
			remove(c.img);
			fprintf(stderr, "%s, %u-byte blocks: %s\n",
			    cases[i].name, c.bs,
			    check_failures == before ? "ok" : "FAILED");
		}
	}
	return check_done(test);
}

#endif
