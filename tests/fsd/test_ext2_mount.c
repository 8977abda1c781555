/*
 * Host test of fsd's ext2 code: the file system as a whole, on fresh
 * images of 1 KiB and 4 KiB blocks. Read-only mounts write nothing, a
 * read-write mount marks the image not clean until unmount, statfs agrees
 * with dumpe2fs, a full disk gives -ENOSPC and recovers, a remount sees
 * everything, and images that must be refused or mounted read-only are
 * (a root that is not a directory is refused before anything is written).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "check.h"
#include "opcase.h"

#define SB 1024			/* the superblock's offset */
#define SB_STATE 58
#define SB_INCOMPAT 96
#define SB_RO_COMPAT 100
#define STATE_VALID 1
#define STATE_ERROR 2

/* Sets bits in the little-endian 16- or 32-bit field at off. */
static void
set_bits(const char *img, off_t off, size_t size, uint32_t bits)
{
	unsigned char le[4] = { 0 };
	uint32_t v;
	int fd = open(img, O_RDWR);

	CHECK_EQ(pread(fd, le, size, off), size);
	v = le[0] | le[1] << 8 | (uint32_t)le[2] << 16 | (uint32_t)le[3] << 24;
	v |= bits;
	for (size_t i = 0; i < size; i++)
		le[i] = v >> 8 * i;
	CHECK_EQ(pwrite(fd, le, size, off), size);
	close(fd);
}

/* Every change a read-only file system refuses with -EROFS. */
static void
check_refuses_writes(struct ext2_fs *fs, uint32_t f, uint32_t d)
{
	struct ext2_setattr sa = { .mask = EXT2_SET_MODE, .mode = 0600 };
	struct ext2_attr a;
	uint32_t ino;
	char byte = 'x';

	CHECK(ext2_read_only(fs));
	CHECK_EQ(ext2_create(fs, EXT2_ROOT_INO, "new", 3, S_IFREG | 0644, 0,
	    0, 0, &ino), -EROFS);
	CHECK_EQ(ext2_create(fs, EXT2_ROOT_INO, "dir", 3, S_IFDIR | 0755, 0,
	    0, 0, &ino), -EROFS);
	CHECK_EQ(ext2_symlink(fs, EXT2_ROOT_INO, "sl", 2, "f", 1, 0, 0, &ino),
	    -EROFS);
	CHECK_EQ(ext2_link(fs, EXT2_ROOT_INO, "hl", 2, f), -EROFS);
	CHECK_EQ(ext2_unlink(fs, EXT2_ROOT_INO, "f", 1, false, &ino), -EROFS);
	CHECK_EQ(ext2_unlink(fs, EXT2_ROOT_INO, "d", 1, true, &ino), -EROFS);
	CHECK_EQ(ext2_rename(fs, EXT2_ROOT_INO, "f", 1, d, "g", 1, 0, &ino),
	    -EROFS);
	CHECK_EQ(ft_write(fs, f, 0, &byte, 1, false), -EROFS);
	CHECK_EQ(ft_write(fs, f, 0, &byte, 1, true), -EROFS);
	CHECK_EQ(ext2_setattr(fs, f, &sa), -EROFS);
	sa.mask = EXT2_SET_SIZE;
	CHECK_EQ(ext2_setattr(fs, f, &sa), -EROFS);
	CHECK_EQ(ext2_getattr(fs, f, &a), 0);
	CHECK_EQ(a.mode, S_IFREG | 0644);
	CHECK_EQ(a.size, 3000);
}

/* A file, a directory and a symlink, written and unmounted. */
static void
make_sample(struct ctx *c, unsigned char *model, size_t len)
{
	uint32_t f = op_create(c, EXT2_ROOT_INO, "f", S_IFREG | 0644);
	uint32_t ino;

	op_create(c, EXT2_ROOT_INO, "d", S_IFDIR | 0755);
	CHECK_EQ(ext2_symlink(c->fs, EXT2_ROOT_INO, "l", 1, "f", 1, 0, 0,
	    &ino), 0);
	op_put(c, f, 0, len, 1, model);
	op_unmount(c);
}

/*
 * Read-only by option and by device: reads work, every change fails with
 * -EROFS, and not one byte of the image is written.
 */
static void
case_read_only(struct ctx *c)
{
	unsigned char model[3000], *orig, *now;
	size_t orig_len, now_len;
	uint32_t f, d;
	char target[8];

	make_sample(c, model, sizeof(model));
	CHECK_EQ(ft_read_file(c->img, &orig, &orig_len), 0);
	for (int dev_ro = 0; dev_ro < 2; dev_ro++) {
		unsigned long reports = ft_reports;
		int r;

		op_mount_as(c, dev_ro, !dev_ro);
		if (dev_ro)
			CHECK(ft_reports > reports);
		CHECK_EQ(ft_walk(c->fs, "/f", &f), 0);
		CHECK_EQ(ft_walk(c->fs, "/d", &d), 0);
		check_refuses_writes(c->fs, f, d);
		op_expect(c, f, 0, model, sizeof(model));
		CHECK_EQ(ft_walk(c->fs, "/l", &f), 0);
		CHECK_EQ(ext2_readlink(c->fs, f, target, sizeof(target)), 1);
		r = ext2_sync(c->fs);
		CHECK(r == 0 || r == -EROFS);
		op_statfs(c);
		op_unmount(c);
		CHECK_EQ(c->m.stats.writes, 0);
		CHECK_EQ(ft_read_file(c->img, &now, &now_len), 0);
		CHECK(now_len == orig_len && !memcmp(now, orig, orig_len));
		free(now);
	}
	free(orig);

	/* Forced read-only while mounted. */
	op_mount(c);
	CHECK(!ext2_read_only(c->fs));
	ext2_set_read_only(c->fs);
	CHECK_EQ(ft_walk(c->fs, "/f", &f), 0);
	CHECK_EQ(ft_walk(c->fs, "/d", &d), 0);
	check_refuses_writes(c->fs, f, d);
}

/* s_state: not clean while mounted read-write, clean after unmount. */
static void
case_clean(struct ctx *c)
{
	struct ft_super sb;

	CHECK_EQ(ft_sb_state(c->img) & STATE_VALID, 0);
	CHECK_EQ(ft_dumpe2fs(c->img, &sb), 0);
	CHECK(!sb.clean);
	op_create(c, EXT2_ROOT_INO, "f", S_IFREG | 0644);
	CHECK_EQ(ext2_sync(c->fs), 0);
	CHECK_EQ(ft_sb_state(c->img) & STATE_VALID, 0);
	op_unmount(c);
	CHECK_EQ(ft_sb_state(c->img), STATE_VALID);
	CHECK_EQ(ft_dumpe2fs(c->img, &sb), 0);
	CHECK(sb.clean);

	op_mount_as(c, false, true);
	CHECK_EQ(ft_sb_state(c->img), STATE_VALID);
	op_unmount(c);
	CHECK_EQ(c->m.stats.writes, 0);

	op_mount(c);
	CHECK_EQ(ft_sb_state(c->img) & STATE_VALID, 0);
	op_unmount(c);
	CHECK_EQ(ft_sb_state(c->img), STATE_VALID);
}

/* statfs before and after work agrees with what dumpe2fs reads. */
static void
case_statfs(struct ctx *c)
{
	struct ext2_statfs st = op_statfs(c);
	struct ft_super sb;
	uint32_t d, f;
	char name[16];

	CHECK_EQ(ft_dumpe2fs(c->img, &sb), 0);
	CHECK_EQ(st.block_size, c->bs);
	CHECK_EQ(st.name_max, EXT2_NAME_MAX);
	CHECK_EQ(st.inodes, sb.inodes);
	CHECK_EQ(st.inodes_free, sb.inodes_free);
	CHECK_EQ(st.blocks_free, sb.blocks_free);
	CHECK(st.blocks <= sb.blocks && st.blocks > sb.blocks / 2);

	d = op_create(c, EXT2_ROOT_INO, "d", S_IFDIR | 0755);
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		f = op_create(c, d, name, S_IFREG | 0644);
		op_put(c, f, 0, i * 3000, i, NULL);
	}
	for (int i = 0; i < 20; i += 3) {
		snprintf(name, sizeof(name), "f%d", i);
		CHECK_EQ(op_unlink(c, d, name, false), 0);
	}
	st = op_statfs(c);
	op_unmount(c);
	CHECK_EQ(ft_dumpe2fs(c->img, &sb), 0);
	CHECK_EQ(st.inodes, sb.inodes);
	CHECK_EQ(st.inodes_free, sb.inodes_free);
	CHECK_EQ(st.blocks_free, sb.blocks_free);
	CHECK_EQ(st.blocks_avail, sb.blocks_free > sb.blocks_reserved ?
	    sb.blocks_free - sb.blocks_reserved : 0);
	CHECK(sb.clean);
}

/* Fill the inodes, then the blocks; e2fsck clean; empty again. */
static void
case_enospc(struct ctx *c)
{
	enum { CHUNK = 8192 };
	unsigned char *chunk = malloc(CHUNK), *data;
	struct ext2_statfs empty, full;
	uint32_t d, big, ino;
	uint64_t total = 0;
	char name[16];
	int made = 0, r = 0;
	long w;

	op_unmount(c);
	CHECK_EQ(ft_mkfs(c->img, c->bs, "2M", NULL), 0);
	op_mount(c);
	empty = op_statfs(c);

	d = op_create(c, EXT2_ROOT_INO, "many", S_IFDIR | 0755);
	while (made < 100000) {
		snprintf(name, sizeof(name), "f%d", made);
		r = ext2_create(c->fs, d, name, strlen(name), S_IFREG | 0644,
		    0, 0, 0, &ino);
		if (r < 0)
			break;
		made++;
	}
	CHECK_EQ(r, -ENOSPC);
	CHECK_EQ(made, empty.inodes_free - 1);
	CHECK_EQ(op_statfs(c).inodes_free, 0);
	CHECK_EQ(ext2_create(c->fs, EXT2_ROOT_INO, "x", 1, S_IFDIR | 0755, 0,
	    0, 0, &ino), -ENOSPC);
	CHECK_EQ(ext2_symlink(c->fs, EXT2_ROOT_INO, "s", 1, "t", 1, 0, 0,
	    &ino), -ENOSPC);
	for (int i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		CHECK_EQ(op_unlink(c, d, name, false), 0);
	}

	big = op_create(c, EXT2_ROOT_INO, "big", S_IFREG | 0644);
	for (int i = 0; i < 100000; i++) {
		ft_fill(chunk, CHUNK, 5, total);
		w = ft_write(c->fs, big, total, chunk, CHUNK, false);
		if (w < 0) {
			CHECK_EQ(w, -ENOSPC);
			break;
		}
		CHECK(w <= CHUNK);
		total += w;
		if (w < CHUNK) {
			CHECK_EQ(ft_write(c->fs, big, total, chunk, CHUNK,
			    false), -ENOSPC);
			break;
		}
	}
	full = op_statfs(c);
	CHECK(full.blocks_avail <= 2);
	CHECK_EQ(op_attr(c, big).size, total);
	/* A write into a hole fails whole: the size stays. */
	CHECK_EQ(ft_write(c->fs, big, total + 100 * c->bs, chunk, 10, false),
	    -ENOSPC);
	CHECK_EQ(op_attr(c, big).size, total);

	op_remount(c);
	CHECK_EQ(op_attr(c, big).size, total);
	data = malloc(total + 1);
	ft_fill(data, total, 5, 0);
	op_expect(c, big, 0, data, total);
	free(data);

	CHECK_EQ(op_unlink(c, EXT2_ROOT_INO, "big", false), 0);
	for (int i = 10; i < made; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		CHECK_EQ(op_unlink(c, d, name, false), 0);
	}
	CHECK_EQ(op_unlink(c, EXT2_ROOT_INO, "many", true), 0);
	op_same_free(c, &empty);
	free(chunk);
}

static void
same_attr(const struct ext2_attr *a, const struct ext2_attr *b)
{
	CHECK_EQ(a->ino, b->ino);
	CHECK_EQ(a->mode, b->mode);
	CHECK_EQ(a->nlink, b->nlink);
	CHECK_EQ(a->uid, b->uid);
	CHECK_EQ(a->gid, b->gid);
	CHECK_EQ(a->rdev, b->rdev);
	CHECK_EQ(a->generation, b->generation);
	CHECK_EQ(a->size, b->size);
	CHECK_EQ(a->blocks, b->blocks);
	CHECK_EQ(a->atime.sec, b->atime.sec);
	CHECK_EQ(a->atime.nsec, b->atime.nsec);
	CHECK_EQ(a->mtime.sec, b->mtime.sec);
	CHECK_EQ(a->mtime.nsec, b->mtime.nsec);
	CHECK_EQ(a->ctime.sec, b->ctime.sec);
	CHECK_EQ(a->ctime.nsec, b->ctime.nsec);
}

/* One file of each kind, changed in several ways, then remounted. */
static void
case_remount(struct ctx *c)
{
	static const char *const paths[] = {
		"/", "/a", "/a/b", "/a/b/file", "/empty", "/one", "/indirect",
		"/a/hard", "/short", "/long", "/fifo", "/tty", "/renamed",
	};
	enum { N = sizeof(paths) / sizeof(paths[0]) };
	uint32_t inos[N];
	struct ext2_attr attrs[N];
	struct ext2_setattr sa = {
		.mask = EXT2_SET_MODE | EXT2_SET_UID | EXT2_SET_MTIME,
		.mode = 0600, .uid = 77777, .mtime = { 1111111111, 0 },
	};
	unsigned char *model = malloc(13 * c->bs + 7);
	char long_target[700];
	uint32_t a, b, f, ino;
	struct ext2_attr now;

	a = op_create(c, EXT2_ROOT_INO, "a", S_IFDIR | 0755);
	b = op_create(c, a, "b", S_IFDIR | 0700);
	f = op_create(c, b, "file", S_IFREG | 0644);
	op_put(c, f, 0, 5000, 1, NULL);
	op_create(c, EXT2_ROOT_INO, "empty", S_IFREG | 0644);
	fake_now.sec += 100;
	ino = op_create(c, EXT2_ROOT_INO, "one", S_IFREG | 0644);
	op_put(c, ino, 0, 1, 2, NULL);
	ino = op_create(c, EXT2_ROOT_INO, "indirect", S_IFREG | 0644);
	op_put(c, ino, 0, 13 * c->bs + 7, 3, model);
	CHECK_EQ(ext2_setattr(c->fs, ino, &sa), 0);
	CHECK_EQ(ext2_link(c->fs, a, "hard", 4, f), 0);
	CHECK_EQ(ext2_symlink(c->fs, EXT2_ROOT_INO, "short", 5, "a/b/file",
	    8, 5, 6, &ino), 0);
	memset(long_target, 'L', sizeof(long_target));
	CHECK_EQ(ext2_symlink(c->fs, EXT2_ROOT_INO, "long", 4, long_target,
	    sizeof(long_target), 0, 0, &ino), 0);
	op_create(c, EXT2_ROOT_INO, "fifo", S_IFIFO | 0600);
	CHECK_EQ(ext2_create(c->fs, EXT2_ROOT_INO, "tty", 3, S_IFCHR | 0620,
	    0, 5, makedev(4, 1), &ino), 0);
	op_create(c, a, "gone", S_IFREG | 0644);
	CHECK_EQ(op_unlink(c, a, "gone", false), 0);
	op_create(c, b, "before", S_IFREG | 0644);
	CHECK_EQ(op_rename(c, b, "before", EXT2_ROOT_INO, "renamed", 0, NULL),
	    0);

	for (size_t i = 0; i < N; i++) {
		CHECK_EQ(ft_walk(c->fs, paths[i], &inos[i]), 0);
		attrs[i] = op_attr(c, inos[i]);
	}
	op_remount(c);
	for (size_t i = 0; i < N; i++) {
		CHECK_EQ(ft_walk(c->fs, paths[i], &ino), 0);
		CHECK_EQ(ino, inos[i]);
		now = op_attr(c, ino);
		same_attr(&attrs[i], &now);
	}
	CHECK_EQ(op_lookup_err(c, a, "gone"), -ENOENT);
	CHECK_EQ(op_lookup_err(c, b, "before"), -ENOENT);
	CHECK_EQ(ft_walk(c->fs, "/indirect", &ino), 0);
	op_expect(c, ino, 0, model, 13 * c->bs + 7);
	free(model);
}

/*
 * Images to refuse (-EINVAL): not ext2, larger than the device, an
 * unknown incompatible feature. Images to mount read-only: an unknown
 * read-only-compatible feature, errors recorded.
 */
static void
case_refuse(struct ctx *c)
{
	static const struct {
		const char *what;
		off_t off;
		size_t size;
		uint32_t bits;
		int result;
	} bad[] = {
		{ "extents (incompatible)", SB + SB_INCOMPAT, 4, 0x40,
		  -EINVAL },
		{ "unknown incompatible", SB + SB_INCOMPAT, 4, 1u << 30,
		  -EINVAL },
		{ "unknown read-only", SB + SB_RO_COMPAT, 4, 1u << 30, 0 },
		{ "errors recorded", SB + SB_STATE, 2, STATE_ERROR, 0 },
	};
	char copy[FT_PATH];
	unsigned char zeros[4096] = { 0 };
	struct ft_mount m;

	op_unmount(c);
	ft_path(copy, "copy.img");
	CHECK_EQ(ft_write_file(copy, zeros, sizeof(zeros)), 0);
	CHECK_EQ(ft_mount(&m, copy, false, false), -EINVAL);
	CHECK_EQ(m.stats.refused, 0);
	CHECK_EQ(ft_run(NULL, "cp '%s' '%s' && truncate -s 32M '%s'", c->img,
	    copy, copy), 0);
	CHECK_EQ(ft_mount(&m, copy, false, false), -EINVAL);
	CHECK_EQ(m.stats.refused, 0);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned long reports = ft_reports;
		int before = check_failures;

		CHECK_EQ(ft_run(NULL, "cp '%s' '%s'", c->img, copy), 0);
		set_bits(copy, bad[i].off, bad[i].size, bad[i].bits);
		CHECK_EQ(ft_mount(&m, copy, false, false), bad[i].result);
		CHECK(ft_reports > reports);
		if (m.fs) {
			uint32_t f;

			CHECK(ext2_read_only(m.fs));
			CHECK_EQ(ext2_create(m.fs, EXT2_ROOT_INO, "f", 1,
			    S_IFREG | 0644, 0, 0, 0, &f), -EROFS);
			CHECK_EQ(ft_unmount(&m), 0);
			CHECK_EQ(m.stats.writes, 0);
		}
		CHECK_EQ(m.stats.refused, 0);
		if (check_failures != before)
			fprintf(stderr, "  (image: %s)\n", bad[i].what);
	}
	remove(copy);
}

/*
 * A root inode that is not a directory (a misplaced inode table reads as
 * zeros) is refused before anything is written: the image is not marked
 * in use by a mount that then fails.
 */
static void
case_bad_root(struct ctx *c)
{
	static const char *const modes[] = { "0100644", "0", "0120777" };
	char copy[FT_PATH];
	struct ft_mount m;

	op_unmount(c);
	ft_path(copy, "root.img");
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		unsigned long reports = ft_reports;

		CHECK_EQ(ft_run(NULL, "cp '%s' '%s' && debugfs -w -R "
		    "'sif <2> mode %s' '%s' >/dev/null 2>&1", c->img, copy,
		    modes[i], copy), 0);
		CHECK_EQ(ft_mount(&m, copy, false, false), -EINVAL);
		CHECK(ft_reports > reports);
		CHECK_EQ(m.stats.writes, 0);
	}
	remove(copy);
}

static const struct op_case cases[] = {
	{ "read_only", case_read_only },
	{ "clean", case_clean },
	{ "statfs", case_statfs },
	{ "enospc", case_enospc },
	{ "remount", case_remount },
	{ "refuse", case_refuse },
	{ "bad_root", case_bad_root },
};

int
main(void)
{
	return op_run("test_ext2_mount", cases,
	    sizeof(cases) / sizeof(cases[0]));
}
