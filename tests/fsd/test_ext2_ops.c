/*
 * Host test of fsd's ext2 code: operations on files, on fresh images of
 * 1 KiB and 4 KiB blocks. Data (write, overwrite, append, truncate, holes
 * up to triple-indirect blocks), symlinks, FIFOs and device nodes, times,
 * owners and modes, and inodes held open past their last link. Each case
 * ends with e2fsck -fn clean, and debugfs reads what was written.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <sys/sysmacros.h>
#include "check.h"
#include "opcase.h"

/* Written in pieces of 777 bytes, read back whole and in pieces. */
static void
case_write_read(struct ctx *c)
{
	size_t len = 3 * c->bs + 333;
	unsigned char *model = malloc(len), piece[100];
	uint32_t f, empty, one_block;
	struct ext2_attr a;
	unsigned long flushes;

	f = op_create(c, EXT2_ROOT_INO, "f", S_IFREG | 0644);
	a = op_attr(c, f);
	CHECK_EQ(a.ino, f);
	CHECK_EQ(a.mode, S_IFREG | 0644);
	CHECK_EQ(a.nlink, 1);
	CHECK_EQ(a.size, 0);
	CHECK_EQ(a.blocks, 0);
	CHECK_EQ(ft_read(c->fs, f, 0, piece, sizeof(piece)), 0);
	for (size_t at = 0; at < len; at += 777)
		op_put(c, f, at, at + 777 < len ? 777 : len - at, 1, model);
	a = op_attr(c, f);
	CHECK_EQ(a.size, len);
	CHECK_EQ(a.blocks, 4 * c->bs / 512);
	op_expect(c, f, 0, model, len);
	for (size_t at = 0; at < len; at += sizeof(piece))
		op_expect(c, f, at, model + at,
		    at + sizeof(piece) < len ? sizeof(piece) : len - at);
	CHECK_EQ(ft_read(c->fs, f, len - 10, piece, sizeof(piece)), 10);
	CHECK_EQ(ft_read(c->fs, f, len, piece, sizeof(piece)), 0);

	empty = op_create(c, EXT2_ROOT_INO, "empty", S_IFREG | 0600);
	CHECK_EQ(op_attr(c, empty).size, 0);
	one_block = op_create(c, EXT2_ROOT_INO, "block", S_IFREG | 0644);
	op_put(c, one_block, 0, c->bs, 1, NULL);
	CHECK_EQ(op_attr(c, one_block).blocks, c->bs / 512);

	/* Writing to a directory, reading one. */
	CHECK_EQ(ft_write(c->fs, EXT2_ROOT_INO, 0, model, 10, false),
	    -EISDIR);
	CHECK_EQ(ft_read(c->fs, EXT2_ROOT_INO, 0, piece, 10), -EISDIR);

	flushes = c->m.stats.flushes;
	CHECK_EQ(ext2_fsync(c->fs, f, false), 0);
	CHECK(c->m.stats.flushes > flushes);
	flushes = c->m.stats.flushes;
	CHECK_EQ(ext2_sync(c->fs), 0);
	CHECK(c->m.stats.flushes > flushes);

	op_remount(c);
	op_expect(c, f, 0, model, len);
	op_unmount(c);
	op_cat(c, "/f", model, len);
	op_cat(c, "/empty", "", 0);
	free(model);
}

/* Overwrites across a block boundary, then past the end. */
static void
case_overwrite(struct ctx *c)
{
	size_t len = 3 * c->bs + 100;
	unsigned char *model = malloc(len + 100);
	uint32_t f = op_create(c, EXT2_ROOT_INO, "f", S_IFREG | 0644);
	struct ext2_attr a;

	op_put(c, f, 0, len, 2, model);
	a = op_attr(c, f);
	op_put(c, f, c->bs - 200, 500, 3, model);
	CHECK_EQ(op_attr(c, f).size, len);
	CHECK_EQ(op_attr(c, f).blocks, a.blocks);
	op_put(c, f, 2 * c->bs + 1, 1, 4, model);
	op_put(c, f, len - 50, 150, 5, model);
	CHECK_EQ(op_attr(c, f).size, len + 100);
	op_expect(c, f, 0, model, len + 100);
	op_unmount(c);
	op_cat(c, "/f", model, len + 100);
	free(model);
}

/* Appends go to the end whatever the offset says. */
static void
case_append(struct ctx *c)
{
	size_t sizes[] = { 1000, 1500, 2 * c->bs + 1, 1 }, len = 0;
	unsigned char *model = malloc(2502 + 2 * c->bs + 1);
	uint32_t f = op_create(c, EXT2_ROOT_INO, "f", S_IFREG | 0644);

	for (size_t i = 0; i < 4; i++) {
		ft_fill(model + len, sizes[i], 6 + i, 0);
		CHECK_EQ(ft_write(c->fs, f, i * 7, model + len, sizes[i],
		    true), sizes[i]);
		len += sizes[i];
		CHECK_EQ(op_attr(c, f).size, len);
	}
	op_expect(c, f, 0, model, len);
	op_unmount(c);
	op_cat(c, "/f", model, len);
	free(model);
}

/*
 * Truncating down frees blocks and forgets the bytes past the new end;
 * extending reads zeros (also in the kept last block), allocating nothing.
 */
static void
case_truncate(struct ctx *c)
{
	size_t len = 5 * c->bs + 17, big = 300 * c->bs;
	unsigned char *model = calloc(1, big);
	uint32_t f, g, h;
	struct ext2_statfs empty;

	f = op_create(c, EXT2_ROOT_INO, "f", S_IFREG | 0644);
	empty = op_statfs(c);
	op_put(c, f, 0, len, 7, model);
	CHECK_EQ(op_setattr(c, f, EXT2_SET_SIZE, c->bs + 5), 0);
	CHECK_EQ(op_attr(c, f).size, c->bs + 5);
	CHECK_EQ(op_attr(c, f).blocks, 2 * c->bs / 512);
	op_expect(c, f, 0, model, c->bs + 5);
	CHECK_EQ(op_setattr(c, f, EXT2_SET_SIZE, 10 * c->bs), 0);
	CHECK_EQ(op_attr(c, f).size, 10 * c->bs);
	CHECK_EQ(op_attr(c, f).blocks, 2 * c->bs / 512);
	op_expect_zero(c, f, c->bs + 5, 9 * c->bs - 5);
	op_put(c, f, 20 * c->bs, 10, 8, NULL);
	CHECK_EQ(op_attr(c, f).size, 20 * c->bs + 10);
	op_expect_zero(c, f, 10 * c->bs, 10 * c->bs);
	CHECK_EQ(op_setattr(c, f, EXT2_SET_SIZE, 0), 0);
	CHECK_EQ(op_attr(c, f).blocks, 0);
	op_same_free(c, &empty);

	/* Down to 100 bytes and up again: zeros after byte 100. */
	g = op_create(c, EXT2_ROOT_INO, "g", S_IFREG | 0644);
	op_put(c, g, 0, 3 * c->bs, 9, model);
	CHECK_EQ(op_setattr(c, g, EXT2_SET_SIZE, 100), 0);
	CHECK_EQ(op_setattr(c, g, EXT2_SET_SIZE, 3 * c->bs), 0);
	memset(model + 100, 0, 3 * c->bs - 100);
	op_expect(c, g, 0, model, 3 * c->bs);

	/* Through the indirect blocks and back: every block comes back. */
	empty = op_statfs(c);
	h = op_create(c, EXT2_ROOT_INO, "h", S_IFREG | 0644);
	op_put(c, h, 0, big, 10, NULL);
	CHECK_EQ(op_setattr(c, h, EXT2_SET_SIZE, 5 * c->bs - 1), 0);
	CHECK_EQ(op_attr(c, h).blocks, 5 * c->bs / 512);
	CHECK_EQ(op_setattr(c, h, EXT2_SET_SIZE, 0), 0);
	CHECK_EQ(op_unlink(c, EXT2_ROOT_INO, "h", false), 0);
	op_same_free(c, &empty);

	CHECK_EQ(op_setattr(c, EXT2_ROOT_INO, EXT2_SET_SIZE, 0), -EISDIR);
	op_unmount(c);
	op_cat(c, "/f", "", 0);
	op_cat(c, "/g", model, 3 * c->bs);
	free(model);
}

/* Reads [from, from + len) (up to the end) of a file with 10 bytes
 * ft_fill(i) at each offs[i], the last at its end, and holes elsewhere. */
static void
expect_sparse(struct ctx *c, uint32_t f, const uint64_t *offs, size_t n,
	      uint64_t from, size_t len)
{
	unsigned char *want;

	if (from + len > offs[n - 1] + 10)
		len = offs[n - 1] + 10 - from;
	want = calloc(1, len);

	for (size_t i = 0; i < n; i++) {
		for (uint64_t at = offs[i]; at < offs[i] + 10; at++) {
			if (at >= from && at < from + len)
				ft_fill(want + (at - from), 1, i, at);
		}
	}
	op_expect(c, f, from, want, len);
	free(want);
}

/*
 * Data at the first block of each level of indirection (direct, single,
 * double, triple) and beyond, holes between, and the largest size.
 */
static void
case_sparse(struct ctx *c)
{
	uint64_t per = c->bs / 4, bs = c->bs;
	uint64_t single = 12 * bs, dbl = (12 + per) * bs;
	uint64_t triple = (12 + per + per * per) * bs;
	uint64_t max = triple + per * per * per * bs;
	uint64_t offs[] = { 0, single - 3, single + bs, dbl - 5,
		dbl + per * bs + 1, triple - 7, triple + per * per * bs + 3 };
	size_t n = sizeof(offs) / sizeof(offs[0]), small_len;
	unsigned char data[16], *model;
	struct ext2_statfs empty = op_statfs(c);
	uint32_t f = op_create(c, EXT2_ROOT_INO, "sparse", S_IFREG | 0644);
	uint32_t g;

	for (size_t i = 0; i < n; i++)
		op_put(c, f, offs[i], 10, i, NULL);
	CHECK_EQ(op_attr(c, f).size, offs[n - 1] + 10);
	for (size_t i = 0; i < n; i++) {
		uint64_t from = offs[i] > 2 * bs ? offs[i] - 2 * bs : 0;

		expect_sparse(c, f, offs, n, from, offs[i] + 2 * bs - from);
	}
	expect_sparse(c, f, offs, n, (offs[n - 1] + offs[n - 2]) / 2, 3 * bs);

	/* The largest file: 1 KiB blocks reach 16 GiB; 4 KiB, past 2^41. */
	if (c->bs == 1024) {
		op_put(c, f, max - 10, 10, 99, NULL);
		CHECK_EQ(op_attr(c, f).size, max);
		CHECK_EQ(ft_write(c->fs, f, max, data, 1, false), -EFBIG);
		CHECK_EQ(op_setattr(c, f, EXT2_SET_SIZE, max + 1), -EFBIG);
	}
	CHECK_EQ(ft_write(c->fs, f, 1ull << 45, data, 1, false), -EFBIG);
	op_remount(c);
	expect_sparse(c, f, offs, n, offs[n - 1] - bs, 3 * bs);
	CHECK_EQ(op_unlink(c, EXT2_ROOT_INO, "sparse", false), 0);
	op_same_free(c, &empty);

/* One debugfs can read whole: up to the first triple-indirect
	 * block with 1 KiB blocks (64 MiB), the first double with 4 KiB. */
	small_len = (c->bs == 1024 ? triple : dbl) + 100;
	model = calloc(1, small_len);
	g = op_create(c, EXT2_ROOT_INO, "g", S_IFREG | 0644);
	for (size_t i = 0; i < n && offs[i] + 10 <= small_len; i++)
		op_put(c, g, offs[i], 10, i, model);
	op_put(c, g, small_len - 20, 20, 50, model);
	op_unmount(c);
	op_cat(c, "/g", model, small_len);
	free(model);
}

/* Short targets live in the inode, long ones in a block. */
static void
case_symlink(struct ctx *c)
{
	static const size_t lens[] = { 1, 12, 59, 60, 61, 1000 };
	char target[1001], got[1100], name[16];
	uint32_t ino[6];
	struct ext2_attr a;

	for (size_t i = 0; i < 6; i++) {
		ft_fill(target, lens[i], i, 0);
		for (size_t j = 0; j < lens[i]; j++)
			target[j] = 'a' + (unsigned char)target[j] % 26;
		snprintf(name, sizeof(name), "l%zu", lens[i]);
		CHECK_EQ(ext2_symlink(c->fs, EXT2_ROOT_INO, name, strlen(name),
		    target, lens[i], 1000, 1001, &ino[i]), 0);
		a = op_attr(c, ino[i]);
		CHECK_EQ(a.mode, S_IFLNK | 0777);
		CHECK_EQ(a.size, lens[i]);
		CHECK_EQ(a.uid, 1000);
		CHECK_EQ(a.gid, 1001);
		CHECK_EQ(a.nlink, 1);
		if (lens[i] < 60)
			CHECK_EQ(a.blocks, 0);
		else
			CHECK_EQ(a.blocks, c->bs / 512);
		CHECK_EQ(ext2_readlink(c->fs, ino[i], got, lens[i]), lens[i]);
		CHECK(memcmp(got, target, lens[i]) == 0);
	}
	memset(target, 'x', sizeof(target));
	CHECK_EQ(ext2_symlink(c->fs, EXT2_ROOT_INO, "l12", 3, target, 5, 0, 0,
	    &ino[0]), -EEXIST);
	CHECK_EQ(ext2_readlink(c->fs, EXT2_ROOT_INO, got, sizeof(got)),
	    -EINVAL);
	op_remount(c);
	for (size_t i = 0; i < 6; i++)
		CHECK_EQ(ext2_readlink(c->fs, ino[i], got, sizeof(got)),
		    lens[i]);
	op_unmount(c);
	op_stat_says(c, "/l12", "Fast link dest:");
}

/* FIFOs, sockets and device nodes keep their type and number. */
static void
case_nodes(struct ctx *c)
{
	static const struct {
		const char *name;
		uint32_t mode;
		unsigned type;
	} nodes[] = {
		{ "fifo", S_IFIFO | 0640, DT_FIFO },
		{ "sock", S_IFSOCK | 0755, DT_SOCK },
		{ "null", S_IFCHR | 0666, DT_CHR },
		{ "disk", S_IFBLK | 0660, DT_BLK },
	};
	/* makedev is a function, not a constant. */
	uint32_t rdevs[] = { 0, 0, makedev(1, 3), makedev(8, 300) };
	struct ft_dirent *ents = NULL;
	uint32_t ino[4];
	long n;

	for (size_t i = 0; i < 4; i++) {
		CHECK_EQ(ext2_create(c->fs, EXT2_ROOT_INO, nodes[i].name,
		    strlen(nodes[i].name), nodes[i].mode, 0, 0, rdevs[i],
		    &ino[i]), 0);
	}
	op_remount(c);
	n = ft_readdir_all(c->fs, EXT2_ROOT_INO, 0, &ents);
	for (size_t i = 0; i < 4; i++) {
		struct ext2_attr a = op_attr(c, ino[i]);
		bool seen = false;

		CHECK_EQ(a.mode, nodes[i].mode);
		CHECK_EQ(a.rdev, rdevs[i]);
		CHECK_EQ(a.size, 0);
		for (long j = 0; j < n; j++) {
			if (strcmp(ents[j].name, nodes[i].name) == 0) {
				seen = true;
				CHECK_EQ(ents[j].type, nodes[i].type);
			}
		}
		CHECK(seen);
	}
	free(ents);
	op_unmount(c);
	op_stat_says(c, "/null", "Device major/minor number: 01:03");
	op_stat_says(c, "/disk", "Device major/minor number: 08:300");
}

/* The clock's time on create and write; setattr's times exactly. */
static void
case_times(struct ctx *c)
{
	struct ext2_setattr sa = { .mask = EXT2_SET_ATIME | EXT2_SET_MTIME };
	uint32_t f, d, x;
	struct ext2_attr a;

	f = op_create(c, EXT2_ROOT_INO, "f", S_IFREG | 0644);
	a = op_attr(c, f);
	CHECK_EQ(a.atime.sec, 1700000000);
	CHECK_EQ(a.mtime.sec, 1700000000);
	CHECK_EQ(a.ctime.sec, 1700000000);
	CHECK_EQ(op_attr(c, EXT2_ROOT_INO).mtime.sec, 1700000000);

	fake_now.sec += 10;
	op_put(c, f, 0, 100, 1, NULL);
	a = op_attr(c, f);
	CHECK_EQ(a.mtime.sec, 1700000010);
	CHECK_EQ(a.ctime.sec, 1700000010);

	fake_now.sec += 10;
	sa.atime = (struct ext2_time){ 1234567890, 0 };
	sa.mtime = (struct ext2_time){ 987654321, 0 };
	CHECK_EQ(ext2_setattr(c->fs, f, &sa), 0);
	a = op_attr(c, f);
	CHECK_EQ(a.atime.sec, 1234567890);
	CHECK_EQ(a.mtime.sec, 987654321);
	CHECK_EQ(a.ctime.sec, 1700000020);

	/* Nanoseconds where the inode has room (256-byte inodes do). */
	x = op_create(c, EXT2_ROOT_INO, "ns", S_IFREG | 0644);
	sa.atime = (struct ext2_time){ 1600000000, 123456789 };
	sa.mtime = (struct ext2_time){ 1600000001, 999999999 };
	CHECK_EQ(ext2_setattr(c->fs, x, &sa), 0);
	a = op_attr(c, x);
	CHECK_EQ(a.atime.sec, 1600000000);
	CHECK(a.atime.nsec == 123456789 || a.atime.nsec == 0);
	CHECK(a.mtime.nsec == 999999999 || a.mtime.nsec == 0);

	/* A directory's mtime and ctime move with its entries. */
	fake_now.sec += 10;
	d = op_create(c, EXT2_ROOT_INO, "d", S_IFDIR | 0755);
	fake_now.sec += 10;
	op_create(c, d, "x", S_IFREG | 0644);
	CHECK_EQ(op_attr(c, d).mtime.sec, 1700000040);
	CHECK_EQ(op_attr(c, d).ctime.sec, 1700000040);
	fake_now.sec += 10;
	CHECK_EQ(op_unlink(c, d, "x", false), 0);
	CHECK_EQ(op_attr(c, d).mtime.sec, 1700000050);

	op_remount(c);
	a = op_attr(c, f);
	CHECK_EQ(a.atime.sec, 1234567890);
	CHECK_EQ(a.mtime.sec, 987654321);
	CHECK_EQ(a.ctime.sec, 1700000020);
	CHECK_EQ(op_attr(c, d).mtime.sec, 1700000050);
	op_unmount(c);
	op_stat_says(c, "/f", "mtime: 0x3ade68b1");	/* 987654321 */
	op_stat_says(c, "/f", "atime: 0x499602d2");	/* 1234567890 */
}

/* Permission bits, owners past 16 bits, the type kept. */
static void
case_setattr(struct ctx *c)
{
	struct ext2_setattr sa = {
		.mask = EXT2_SET_MODE | EXT2_SET_UID | EXT2_SET_GID,
		.mode = 04751, .uid = 100000, .gid = 70000,
	};
	uint32_t f = op_create(c, EXT2_ROOT_INO, "f", S_IFREG | 0644);
	uint32_t d = op_create(c, EXT2_ROOT_INO, "d", S_IFDIR | 0755);
	struct ext2_attr a;

	fake_now.sec += 5;
	CHECK_EQ(ext2_setattr(c->fs, f, &sa), 0);
	a = op_attr(c, f);
	CHECK_EQ(a.mode, S_IFREG | 04751);
	CHECK_EQ(a.uid, 100000);
	CHECK_EQ(a.gid, 70000);
	CHECK_EQ(a.ctime.sec, 1700000005);
	sa = (struct ext2_setattr){ .mask = EXT2_SET_MODE, .mode = 01700 };
	CHECK_EQ(ext2_setattr(c->fs, d, &sa), 0);
	CHECK_EQ(op_attr(c, d).mode, S_IFDIR | 01700);
	sa = (struct ext2_setattr){ .mask = EXT2_SET_UID, .uid = 65536 };
	CHECK_EQ(ext2_setattr(c->fs, d, &sa), 0);
	CHECK_EQ(op_attr(c, d).uid, 65536);
	CHECK_EQ(op_attr(c, d).gid, 0);

	op_remount(c);
	a = op_attr(c, f);
	CHECK_EQ(a.mode, S_IFREG | 04751);
	CHECK_EQ(a.uid, 100000);
	CHECK_EQ(a.gid, 70000);
	CHECK_EQ(op_attr(c, d).mode, S_IFDIR | 01700);
	CHECK_EQ(op_attr(c, d).uid, 65536);
	op_unmount(c);
	op_stat_says(c, "/f", "User: 100000   Group: 70000");
}

/* A held inode outlives its last link until ext2_release. */
static void
case_hold(struct ctx *c)
{
	struct ext2_statfs before = op_statfs(c), during;
	size_t len = 50 * 1024;
	unsigned char *model = malloc(len);
	uint32_t f, g, victim = 0;
	struct ext2_attr a;

	f = op_create(c, EXT2_ROOT_INO, "f", S_IFREG | 0644);
	op_put(c, f, 0, len, 11, model);
	ext2_hold(c->fs, f);
	CHECK_EQ(op_unlink(c, EXT2_ROOT_INO, "f", false), 0);
	CHECK_EQ(op_lookup_err(c, EXT2_ROOT_INO, "f"), -ENOENT);
	a = op_attr(c, f);
	CHECK_EQ(a.nlink, 0);
	CHECK_EQ(a.size, len);
	op_expect(c, f, 0, model, len);
	/* Still writable: an open file is. */
	op_put(c, f, len - 10, 10, 12, model);
	op_expect(c, f, 0, model, len);
	during = op_statfs(c);
	CHECK(during.blocks_free < before.blocks_free);
	CHECK(during.inodes_free < before.inodes_free);
	ext2_release(c->fs, f);
	op_same_free(c, &before);

	/* Replaced by a rename while held. */
	f = op_create(c, EXT2_ROOT_INO, "f", S_IFREG | 0644);
	op_put(c, f, 0, len, 13, model);
	g = op_create(c, EXT2_ROOT_INO, "g", S_IFREG | 0644);
	ext2_hold(c->fs, f);
	CHECK_EQ(op_rename(c, EXT2_ROOT_INO, "g", EXT2_ROOT_INO, "f", 0,
	    &victim), 0);
	CHECK_EQ(victim, f);
	CHECK_EQ(op_lookup(c, EXT2_ROOT_INO, "f"), g);
	CHECK_EQ(op_attr(c, f).nlink, 0);
	op_expect(c, f, 0, model, len);
	ext2_release(c->fs, f);
	CHECK_EQ(op_unlink(c, EXT2_ROOT_INO, "f", false), 0);
	op_same_free(c, &before);

	/* Held and released with its links intact: nothing happens. */
	f = op_create(c, EXT2_ROOT_INO, "kept", S_IFREG | 0644);
	ext2_hold(c->fs, f);
	ext2_release(c->fs, f);
	CHECK_EQ(op_attr(c, f).nlink, 1);
	CHECK_EQ(op_lookup(c, EXT2_ROOT_INO, "kept"), f);
	free(model);
}

static const struct op_case cases[] = {
	{ "write_read", case_write_read },
	{ "overwrite", case_overwrite },
	{ "append", case_append },
	{ "truncate", case_truncate },
	{ "sparse", case_sparse },
	{ "symlink", case_symlink },
	{ "nodes", case_nodes },
	{ "times", case_times },
	{ "setattr", case_setattr },
	{ "hold", case_hold },
};

int
main(void)
{
	return op_run("test_ext2_ops", cases, sizeof(cases) / sizeof(cases[0]));
}
