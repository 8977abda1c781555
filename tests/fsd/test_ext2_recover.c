/*
 * Host test of fsd's ext2 code: an image left not clean (the file system
 * abandoned without an unmount, as when fsd dies) with stale bitmaps and
 * free counts on the disk. The next read-write mount rebuilds them from
 * the inodes: new files never take the old files' blocks, and e2fsck -fn
 * finds no multiply-claimed blocks and no bitmap differences.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>
#include "check.h"
#include "opcase.h"

#define SB 1024
#define SB_FREE_BLOCKS 12
#define SB_FREE_INODES 16
#define SB_FIRST_DATA_BLOCK 20
#define SB_LOG_BLOCK_SIZE 24
#define SB_BLOCKS_PER_GROUP 32
#define SB_INODES_PER_GROUP 40
#define SB_STATE 58
#define SB_INODE_SIZE 88
#define GD_BLOCK_BITMAP 0
#define GD_INODE_BITMAP 4
#define GD_INODE_TABLE 8
#define GD_FREE_BLOCKS 12
#define GD_FREE_INODES 14
#define I_BLOCK 40

/* The image file's layout, as its superblock gives it. */
struct layout {
	int fd;
	uint32_t bs, first_data_block, bpg, ipg, inode_size, ngroups;
	uint32_t blocks_count, inodes_count;
};

static uint32_t
rd(int fd, off_t off, size_t size)
{
	unsigned char le[4] = { 0 };

	CHECK_EQ(pread(fd, le, size, off), size);
	return le[0] | le[1] << 8 | (uint32_t)le[2] << 16 |
	    (uint32_t)le[3] << 24;
}

static void
wr(int fd, off_t off, size_t size, uint32_t v)
{
	unsigned char le[4];

	for (size_t i = 0; i < size; i++)
		le[i] = v >> 8 * i;
	CHECK_EQ(pwrite(fd, le, size, off), size);
}

static void
layout_open(struct layout *l, const char *img)
{
	l->fd = open(img, O_RDWR);
	CHECK(l->fd >= 0);
	l->bs = 1024u << rd(l->fd, SB + SB_LOG_BLOCK_SIZE, 4);
	l->first_data_block = rd(l->fd, SB + SB_FIRST_DATA_BLOCK, 4);
	l->bpg = rd(l->fd, SB + SB_BLOCKS_PER_GROUP, 4);
	l->ipg = rd(l->fd, SB + SB_INODES_PER_GROUP, 4);
	l->inode_size = rd(l->fd, SB + SB_INODE_SIZE, 2);
	l->blocks_count = rd(l->fd, SB + 4, 4);
	l->inodes_count = rd(l->fd, SB + 0, 4);
	l->ngroups = l->inodes_count / l->ipg;
}

/* Where group g's descriptor field at off lies in the image. */
static off_t
gd_at(const struct layout *l, uint32_t g, off_t off)
{
	return (off_t)(l->first_data_block + 1) * l->bs + g * 32 + off;
}

/* Where inode ino's field at off lies in the image. */
static off_t
inode_at(const struct layout *l, uint32_t ino, off_t off)
{
	uint32_t g = (ino - 1) / l->ipg, i = (ino - 1) % l->ipg;
	uint32_t table = rd(l->fd, gd_at(l, g, GD_INODE_TABLE), 4);

	return (off_t)table * l->bs + (off_t)i * l->inode_size + off;
}

/*
 * What a dead fsd can leave: every bitmap's first half marked free (the
 * metadata, the files, the reserved inodes), its second half marked used,
 * and free counts that call everything free.
 */
static void
make_stale(const char *img)
{
	struct layout l;
	unsigned char *map;

	layout_open(&l, img);
	map = malloc(l.bs);
	for (uint32_t g = 0; g < l.ngroups; g++) {
		static const off_t maps[] = { GD_BLOCK_BITMAP,
			GD_INODE_BITMAP };

		for (int m = 0; m < 2; m++) {
			uint32_t bits = m == 0 ? l.bpg : l.ipg;
			off_t at = (off_t)rd(l.fd, gd_at(&l, g, maps[m]), 4) *
			    l.bs;

			memset(map, 0xff, l.bs);
			memset(map, 0, bits / 16);
			CHECK_EQ(pwrite(l.fd, map, l.bs, at), l.bs);
		}
		uint32_t blocks = l.blocks_count - l.first_data_block -
		    g * l.bpg;

		wr(l.fd, gd_at(&l, g, GD_FREE_BLOCKS), 2,
		    (blocks < l.bpg ? blocks : l.bpg) - 1);
		wr(l.fd, gd_at(&l, g, GD_FREE_INODES), 2, l.ipg - 1);
	}
	wr(l.fd, SB + SB_FREE_BLOCKS, 4, l.blocks_count - 100);
	wr(l.fd, SB + SB_FREE_INODES, 4, l.inodes_count - 1);
	free(map);
	close(l.fd);
}

/* As fsd's death leaves the image: nothing more is written. */
static void
op_abandon(struct ctx *c)
{
	ext2_abandon(c->fs);
	blkfile_close(&c->m.dev);
	c->fs = NULL;
}

/* A file of the test and what it holds: ft_fill(len, seed) from 0. */
struct file {
	const char *path;
	size_t len;
	uint32_t ino;
};

static void
put_file(struct ctx *c, uint32_t dir, struct file *f, uint64_t seed)
{
	const char *name = strrchr(f->path, '/') + 1;

	f->ino = op_create(c, dir, name, S_IFREG | 0644);
	if (f->len)
		op_put(c, f->ino, 0, f->len, seed, NULL);
}

static void
expect_file(struct ctx *c, const struct file *f, uint64_t seed, bool host)
{
	unsigned char *want = malloc(f->len + 1);

	ft_fill(want, f->len, seed, 0);
	if (host)
		op_cat(c, f->path, want, f->len);
	else
		op_expect(c, f->ino, 0, want, f->len);
	free(want);
}

/*
 * Files of every depth of block map, a directory of many entries and
 * symlinks are synced, the file system abandoned and the bitmaps made
 * stale; the next mount read-only changes nothing, read-write rebuilds:
 * the free counts are those before, new files leave the old ones whole.
 */
static void
case_stale(struct ctx *c)
{
	struct file old[] = {
		{ "/small", 100, 0 }, { "/one", c->bs, 0 },
		{ "/ind", 13 * c->bs + 7, 0 },
		{ "/dind", (12 + c->bs / 4 + 10) * c->bs, 0 },
		{ "/d/a", 3000, 0 }, { "/d/b", 5 * c->bs, 0 },
	};
	enum { OLD = sizeof(old) / sizeof(old[0]), NEW = 12 };
	struct file new[NEW];
	char names[NEW][16], name[32], target[300];
	struct ext2_statfs before, after;
	unsigned long reports;
	uint32_t d, ino;

	d = op_create(c, EXT2_ROOT_INO, "d", S_IFDIR | 0755);
	for (size_t i = 0; i < OLD; i++)
		put_file(c, strncmp(old[i].path, "/d/", 3) ? EXT2_ROOT_INO : d,
		    &old[i], i + 1);
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "entry-%03d", i);
		op_create(c, d, name, S_IFREG | 0644);
	}
	memset(target, 'x', sizeof(target));
	CHECK_EQ(ext2_symlink(c->fs, EXT2_ROOT_INO, "long", 4, target,
	    sizeof(target), 0, 0, &ino), 0);
	CHECK_EQ(ext2_symlink(c->fs, d, "short", 5, "a", 1, 0, 0, &ino), 0);
	op_create(c, d, "fifo", S_IFIFO | 0600);
	before = op_statfs(c);
	CHECK_EQ(ext2_sync(c->fs), 0);
	op_abandon(c);
	make_stale(c->img);

	op_mount_as(c, false, true);
	op_unmount(c);
	CHECK_EQ(c->m.stats.writes, 0);

	reports = ft_reports;
	op_mount(c);
	CHECK(!ext2_read_only(c->fs));
	CHECK(ft_reports > reports);
	after = op_statfs(c);
	CHECK_EQ(after.blocks_free, before.blocks_free);
	CHECK_EQ(after.inodes_free, before.inodes_free);
	for (int i = 0; i < NEW; i++) {
		snprintf(names[i], sizeof(names[i]), "/new%d", i);
		new[i] = (struct file){ names[i], (i + 1) * 20 * c->bs + i, 0 };
		put_file(c, EXT2_ROOT_INO, &new[i], 100 + i);
	}
	for (size_t i = 0; i < OLD; i++)
		expect_file(c, &old[i], i + 1, false);
	op_unmount(c);
	CHECK_EQ(ft_sb_state(c->img) & 1, 0);	/* still for e2fsck */
	for (size_t i = 0; i < OLD; i++)
		expect_file(c, &old[i], i + 1, true);
	for (int i = 0; i < NEW; i++)
		expect_file(c, &new[i], 100 + i, true);
}

/*
 * Two files whose maps name the same block: the first keeps it, nothing
 * is freed, the mount stays read-write and a new file takes neither's
 * blocks. e2fsck finds that one block shared, and repairs it.
 */
static void
case_shared(struct ctx *c)
{
	struct file a = { "/a", 3 * c->bs, 0 }, b = { "/b", 3 * c->bs, 0 };
	struct file n = { "/n", 400 * c->bs, 0 };
	struct layout l;
	char *out = NULL, inode[32];
	unsigned long reports;

	put_file(c, EXT2_ROOT_INO, &a, 1);
	put_file(c, EXT2_ROOT_INO, &b, 2);
	CHECK_EQ(ext2_sync(c->fs), 0);
	op_abandon(c);
	layout_open(&l, c->img);
	wr(l.fd, inode_at(&l, b.ino, I_BLOCK + 4), 4,
	    rd(l.fd, inode_at(&l, a.ino, I_BLOCK + 4), 4));
	close(l.fd);
	make_stale(c->img);

	reports = ft_reports;
	op_mount(c);
	CHECK(!ext2_read_only(c->fs));
	CHECK(ft_reports >= reports + 2);
	put_file(c, EXT2_ROOT_INO, &n, 3);
	op_unmount(c);
	expect_file(c, &a, 1, true);
	expect_file(c, &n, 3, true);
	CHECK(ft_fsck(c->img, &out) != 0);
	CHECK(out && strstr(out, "Multiply-claimed"));
	snprintf(inode, sizeof(inode), "in inode %u:", n.ino);
	CHECK(out && !strstr(out, inode));
	CHECK(out && !strstr(out, "differences"));
	free(out);
	CHECK_EQ(ft_run(NULL, "e2fsck -fy '%s'", c->img) & ~1, 0);
}

static const struct op_case cases[] = {
	{ "stale", case_stale },
	{ "shared", case_shared },
};

int
main(void)
{
	return op_run("test_ext2_recover", cases,
	    sizeof(cases) / sizeof(cases[0]));
}
