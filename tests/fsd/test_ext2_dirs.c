/*
 * Host test of fsd's ext2 code: the name space, on fresh images of 1 KiB
 * and 4 KiB blocks. Unlink, mkdir and rmdir, rename in all its forms,
 * hard links, name lengths, readdir resumed from saved positions, and a
 * directory of thousands of entries, with the errors rename(2) and
 * friends give. Each case ends with e2fsck -fn clean.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include "check.h"
#include "opcase.h"

/* Unlinking gives back every block and the inode. */
static void
case_unlink(struct ctx *c)
{
	struct ext2_statfs before = op_statfs(c), during;
	uint32_t f, e, d, victim = 0;

	f = op_create(c, EXT2_ROOT_INO, "f", S_IFREG | 0644);
	op_put(c, f, 0, 100 * 1024, 1, NULL);
	e = op_create(c, EXT2_ROOT_INO, "e", S_IFREG | 0644);
	during = op_statfs(c);
	CHECK(during.blocks_free < before.blocks_free);
	CHECK_EQ(during.inodes_free, before.inodes_free - 2);
	CHECK_EQ(ext2_unlink(c->fs, EXT2_ROOT_INO, "f", 1, false, &victim), 0);
	CHECK_EQ(victim, f);
	CHECK_EQ(ext2_unlink(c->fs, EXT2_ROOT_INO, "e", 1, false, &victim), 0);
	CHECK_EQ(victim, e);
	op_same_free(c, &before);
	CHECK_EQ(op_lookup_err(c, EXT2_ROOT_INO, "f"), -ENOENT);
	CHECK_EQ(op_unlink(c, EXT2_ROOT_INO, "f", false), -ENOENT);

	d = op_create(c, EXT2_ROOT_INO, "d", S_IFDIR | 0755);
	CHECK_EQ(op_unlink(c, EXT2_ROOT_INO, "d", false), -EISDIR);
	op_create(c, EXT2_ROOT_INO, "x", S_IFREG | 0644);
	CHECK_EQ(op_unlink(c, EXT2_ROOT_INO, "x", true), -ENOTDIR);
	CHECK_EQ(op_unlink(c, d, "x", false), -ENOENT);
	CHECK_EQ(op_lookup(c, EXT2_ROOT_INO, "x") != 0, 1);
	op_remount(c);
	CHECK_EQ(op_lookup_err(c, EXT2_ROOT_INO, "f"), -ENOENT);
	CHECK_EQ(op_lookup(c, EXT2_ROOT_INO, "d"), d);
}

/* A new directory: ".", "..", link counts; rmdir only when empty. */
static void
case_mkdir(struct ctx *c)
{
	struct ext2_statfs before = op_statfs(c);
	uint32_t root_links = op_attr(c, EXT2_ROOT_INO).nlink;
	uint32_t d, f, sub, ino, victim = 0;
	struct ft_dirent *ents = NULL;
	struct ext2_attr a;
	long n;

	d = op_create(c, EXT2_ROOT_INO, "d", S_IFDIR | 0750);
	a = op_attr(c, d);
	CHECK_EQ(a.mode, S_IFDIR | 0750);
	CHECK_EQ(a.nlink, 2);
	CHECK_EQ(a.size, c->bs);
	CHECK_EQ(a.blocks, c->bs / 512);
	CHECK_EQ(op_attr(c, EXT2_ROOT_INO).nlink, root_links + 1);
	n = ft_readdir_all(c->fs, d, 0, &ents);
	CHECK_EQ(n, 2);
	if (n == 2) {
		CHECK_STR(ents[0].name, ".");
		CHECK_EQ(ents[0].ino, d);
		CHECK_STR(ents[1].name, "..");
		CHECK_EQ(ents[1].ino, EXT2_ROOT_INO);
	}
	free(ents);
	CHECK_EQ(op_lookup(c, d, ".."), EXT2_ROOT_INO);
	CHECK_EQ(op_lookup(c, d, "."), d);

	f = op_create(c, d, "f", S_IFREG | 0644);
	sub = op_create(c, d, "sub", S_IFDIR | 0755);
	CHECK_EQ(op_attr(c, d).nlink, 3);
	CHECK_EQ(op_lookup(c, sub, ".."), d);
	CHECK_EQ(op_unlink(c, EXT2_ROOT_INO, "d", true), -ENOTEMPTY);
	CHECK_EQ(op_unlink(c, d, "sub", true), 0);
	CHECK_EQ(op_attr(c, d).nlink, 2);
	CHECK_EQ(op_unlink(c, EXT2_ROOT_INO, "d", true), -ENOTEMPTY);

	/* The errors of a name that is taken or a parent that is a file. */
	CHECK_EQ(ext2_create(c->fs, d, "f", 1, S_IFREG | 0644, 0, 0, 0, &ino),
	    -EEXIST);
	CHECK_EQ(ext2_create(c->fs, d, "f", 1, S_IFDIR | 0755, 0, 0, 0, &ino),
	    -EEXIST);
	CHECK_EQ(ext2_create(c->fs, f, "y", 1, S_IFREG | 0644, 0, 0, 0, &ino),
	    -ENOTDIR);
	CHECK_EQ(ext2_create(c->fs, f, "y", 1, S_IFDIR | 0755, 0, 0, 0, &ino),
	    -ENOTDIR);
	CHECK_EQ(op_lookup_err(c, f, "y"), -ENOTDIR);
	CHECK_EQ(op_unlink(c, f, "y", false), -ENOTDIR);

	CHECK_EQ(op_unlink(c, d, "f", false), 0);
	CHECK_EQ(ext2_unlink(c->fs, EXT2_ROOT_INO, "d", 1, true, &victim), 0);
	CHECK_EQ(victim, d);
	CHECK_EQ(op_attr(c, EXT2_ROOT_INO).nlink, root_links);
	CHECK_EQ(op_lookup_err(c, EXT2_ROOT_INO, "d"), -ENOENT);
	op_same_free(c, &before);

	/* A tree that survives a remount. */
	d = op_create(c, EXT2_ROOT_INO, "d", S_IFDIR | 0755);
	sub = op_create(c, d, "sub", S_IFDIR | 0755);
	op_create(c, sub, "leaf", S_IFREG | 0644);
	op_remount(c);
	CHECK_EQ(ft_walk(c->fs, "/d/sub/leaf", &ino), 0);
	CHECK_EQ(op_attr(c, d).nlink, 3);
	CHECK_EQ(op_attr(c, EXT2_ROOT_INO).nlink, root_links + 1);
}

/* Files renamed within and across directories, and over each other. */
static void
case_rename_files(struct ctx *c)
{
	uint32_t d1, d2, a, b, ino, victim = 0;
	unsigned char model[3000];

	d1 = op_create(c, EXT2_ROOT_INO, "d1", S_IFDIR | 0755);
	d2 = op_create(c, EXT2_ROOT_INO, "d2", S_IFDIR | 0755);
	a = op_create(c, d1, "a", S_IFREG | 0644);
	op_put(c, a, 0, sizeof(model), 1, model);

	fake_now.sec += 10;
	CHECK_EQ(op_rename(c, d1, "a", d1, "a2", 0, &victim), 0);
	CHECK_EQ(victim, 0);
	CHECK_EQ(op_lookup_err(c, d1, "a"), -ENOENT);
	CHECK_EQ(op_lookup(c, d1, "a2"), a);
	CHECK_EQ(op_attr(c, d1).mtime.sec, 1700000010);
	CHECK_EQ(op_rename(c, d1, "a2", d2, "moved", 0, NULL), 0);
	CHECK_EQ(op_lookup_err(c, d1, "a2"), -ENOENT);
	CHECK_EQ(op_lookup(c, d2, "moved"), a);
	CHECK_EQ(op_attr(c, a).nlink, 1);

	/* Over an existing file: that file goes. */
	b = op_create(c, d1, "b", S_IFREG | 0644);
	op_put(c, b, 0, 5000, 2, NULL);
	CHECK_EQ(op_rename(c, d2, "moved", d1, "b", 0, &victim), 0);
	CHECK_EQ(victim, b);
	CHECK_EQ(op_lookup(c, d1, "b"), a);
	CHECK_EQ(op_lookup_err(c, d2, "moved"), -ENOENT);
	op_expect(c, a, 0, model, sizeof(model));

	/* NOREPLACE, missing sources, itself. */
	op_create(c, d1, "c", S_IFREG | 0644);
	CHECK_EQ(op_rename(c, d1, "b", d1, "c", EXT2_RENAME_NOREPLACE, NULL),
	    -EEXIST);
	CHECK_EQ(op_lookup(c, d1, "b"), a);
	CHECK_EQ(op_rename(c, d1, "b", d1, "new", EXT2_RENAME_NOREPLACE,
	    NULL), 0);
	CHECK_EQ(op_rename(c, d1, "new", d1, "b", 0, NULL), 0);
	CHECK_EQ(op_rename(c, d1, "nothing", d1, "x", 0, NULL), -ENOENT);
	CHECK_EQ(op_rename(c, d1, "b", d1, "b", 0, &victim), 0);
	CHECK_EQ(op_lookup(c, d1, "b"), a);
	CHECK_EQ(op_attr(c, a).nlink, 1);

	/* Two names of one inode: rename(2) leaves both. */
	CHECK_EQ(ext2_link(c->fs, d1, "b-link", 6, a), 0);
	CHECK_EQ(op_rename(c, d1, "b", d1, "b-link", 0, NULL), 0);
	CHECK_EQ(op_attr(c, a).nlink, op_lookup(c, d1, "b") ? 2 : 1);

	/* A parent that is a file. */
	CHECK_EQ(op_rename(c, a, "x", d1, "y", 0, NULL), -ENOTDIR);
	CHECK_EQ(op_rename(c, d1, "c", a, "y", 0, NULL), -ENOTDIR);

	op_unmount(c);
	op_cat(c, "/d1/b-link", model, sizeof(model));
	op_mount(c);
	CHECK_EQ(ft_walk(c->fs, "/d1/b-link", &ino), 0);
	CHECK_EQ(ino, a);
}

/* Directories renamed: "..", link counts, and what may not be done. */
static void
case_rename_dirs(struct ctx *c)
{
	uint32_t root_links = op_attr(c, EXT2_ROOT_INO).nlink;
	uint32_t p, q, d, empty, full, t, u, v, f, victim = 0;

	p = op_create(c, EXT2_ROOT_INO, "p", S_IFDIR | 0755);
	q = op_create(c, EXT2_ROOT_INO, "q", S_IFDIR | 0755);
	d = op_create(c, p, "d", S_IFDIR | 0755);
	op_create(c, d, "inside", S_IFREG | 0644);
	CHECK_EQ(op_attr(c, p).nlink, 3);

	/* Across parents: ".." follows, the parents' counts move. */
	CHECK_EQ(op_rename(c, p, "d", q, "d", 0, NULL), 0);
	CHECK_EQ(op_lookup(c, d, ".."), q);
	CHECK_EQ(op_attr(c, p).nlink, 2);
	CHECK_EQ(op_attr(c, q).nlink, 3);
	CHECK_EQ(op_attr(c, d).nlink, 2);
	CHECK_EQ(op_rename(c, q, "d", q, "d2", 0, NULL), 0);
	CHECK_EQ(op_attr(c, q).nlink, 3);

	/* Over an empty directory, not over a full one. */
	empty = op_create(c, p, "empty", S_IFDIR | 0755);
	full = op_create(c, p, "full", S_IFDIR | 0755);
	op_create(c, full, "x", S_IFREG | 0644);
	CHECK_EQ(op_rename(c, q, "d2", p, "full", 0, NULL), -ENOTEMPTY);
	CHECK_EQ(op_rename(c, q, "d2", p, "empty", 0, &victim), 0);
	CHECK_EQ(victim, empty);
	CHECK_EQ(op_lookup(c, p, "empty"), d);
	CHECK_EQ(op_lookup(c, d, ".."), p);
	CHECK_EQ(op_attr(c, p).nlink, 4);	/* empty went, d came */
	CHECK_EQ(op_attr(c, q).nlink, 2);

	/* A directory over a file and a file over a directory. */
	f = op_create(c, q, "file", S_IFREG | 0644);
	CHECK_EQ(op_rename(c, p, "empty", q, "file", 0, NULL), -ENOTDIR);
	CHECK_EQ(op_rename(c, q, "file", p, "full", 0, NULL), -EISDIR);
	CHECK_EQ(op_lookup(c, q, "file"), f);

	/* Never into itself or its own subtree. */
	t = op_create(c, EXT2_ROOT_INO, "t", S_IFDIR | 0755);
	u = op_create(c, t, "u", S_IFDIR | 0755);
	v = op_create(c, u, "v", S_IFDIR | 0755);
	CHECK_EQ(op_rename(c, EXT2_ROOT_INO, "t", v, "w", 0, NULL), -EINVAL);
	CHECK_EQ(op_rename(c, EXT2_ROOT_INO, "t", t, "w", 0, NULL), -EINVAL);
	CHECK_EQ(op_rename(c, t, "u", v, "w", 0, NULL), -EINVAL);
	CHECK_EQ(op_lookup(c, EXT2_ROOT_INO, "t"), t);
	CHECK_EQ(op_lookup(c, u, ".."), t);
	/* Up the tree is fine. */
	CHECK_EQ(op_rename(c, u, "v", EXT2_ROOT_INO, "v", 0, NULL), 0);
	CHECK_EQ(op_lookup(c, v, ".."), EXT2_ROOT_INO);
	CHECK_EQ(op_attr(c, EXT2_ROOT_INO).nlink, root_links + 4);
	CHECK_EQ(op_attr(c, u).nlink, 2);

	op_remount(c);
	CHECK_EQ(op_lookup(c, d, ".."), p);
	CHECK_EQ(op_attr(c, p).nlink, 4);
	CHECK_EQ(op_lookup(c, v, ".."), EXT2_ROOT_INO);
}

/* RENAME_EXCHANGE swaps two names, of files or of a file and a directory. */
static void
case_rename_exchange(struct ctx *c)
{
	uint32_t p, q, f, g, d;

	p = op_create(c, EXT2_ROOT_INO, "p", S_IFDIR | 0755);
	q = op_create(c, EXT2_ROOT_INO, "q", S_IFDIR | 0755);
	f = op_create(c, p, "f", S_IFREG | 0644);
	g = op_create(c, q, "g", S_IFREG | 0644);
	CHECK_EQ(op_rename(c, p, "f", q, "g", EXT2_RENAME_EXCHANGE, NULL), 0);
	CHECK_EQ(op_lookup(c, p, "f"), g);
	CHECK_EQ(op_lookup(c, q, "g"), f);

	d = op_create(c, q, "d", S_IFDIR | 0755);
	CHECK_EQ(op_rename(c, q, "d", p, "f", EXT2_RENAME_EXCHANGE, NULL), 0);
	CHECK_EQ(op_lookup(c, p, "f"), d);
	CHECK_EQ(op_lookup(c, q, "d"), g);
	CHECK_EQ(op_lookup(c, d, ".."), p);
	CHECK_EQ(op_attr(c, p).nlink, 3);
	CHECK_EQ(op_attr(c, q).nlink, 2);
	CHECK_EQ(op_rename(c, p, "f", q, "none", EXT2_RENAME_EXCHANGE, NULL),
	    -ENOENT);
}

/* Hard links: counts, ctime, no links to directories. */
static void
case_link(struct ctx *c)
{
	unsigned char model[5000];
	uint32_t f, d, ino;

	f = op_create(c, EXT2_ROOT_INO, "f", S_IFREG | 0644);
	op_put(c, f, 0, sizeof(model), 1, model);
	d = op_create(c, EXT2_ROOT_INO, "d", S_IFDIR | 0755);
	fake_now.sec += 10;
	CHECK_EQ(ext2_link(c->fs, EXT2_ROOT_INO, "g", 1, f), 0);
	CHECK_EQ(op_attr(c, f).nlink, 2);
	CHECK_EQ(op_attr(c, f).ctime.sec, 1700000010);
	CHECK_EQ(ext2_link(c->fs, d, "h", 1, f), 0);
	CHECK_EQ(op_attr(c, f).nlink, 3);
	CHECK_EQ(op_lookup(c, d, "h"), f);
	CHECK_EQ(ext2_link(c->fs, EXT2_ROOT_INO, "dlink", 5, d), -EPERM);
	CHECK_EQ(ext2_link(c->fs, EXT2_ROOT_INO, "g", 1, f), -EEXIST);
	CHECK_EQ(ext2_link(c->fs, f, "x", 1, f), -ENOTDIR);
	CHECK_EQ(op_attr(c, f).nlink, 3);
	CHECK_EQ(op_unlink(c, EXT2_ROOT_INO, "f", false), 0);
	CHECK_EQ(op_attr(c, f).nlink, 2);
	op_expect(c, f, 0, model, sizeof(model));
	op_remount(c);
	CHECK_EQ(ft_walk(c->fs, "/d/h", &ino), 0);
	CHECK_EQ(ino, f);
	CHECK_EQ(op_attr(c, f).nlink, 2);
	op_unmount(c);
	op_cat(c, "/d/h", model, sizeof(model));
	op_cat(c, "/g", model, sizeof(model));
}

/* EXT2_NAME_MAX bytes work everywhere a name goes; one more does not. */
static void
case_names(struct ctx *c)
{
	char max[EXT2_NAME_MAX + 2], other[EXT2_NAME_MAX + 2];
	uint32_t f, ino;
	struct ft_dirent *ents = NULL;
	long n, seen = 0;

	memset(max, 'm', sizeof(max));
	memset(other, 'o', sizeof(other));
	max[EXT2_NAME_MAX] = other[EXT2_NAME_MAX] = 0;
	f = op_create(c, EXT2_ROOT_INO, max, S_IFREG | 0644);
	CHECK_EQ(op_lookup(c, EXT2_ROOT_INO, max), f);
	n = ft_readdir_all(c->fs, EXT2_ROOT_INO, 0, &ents);
	for (long i = 0; i < n; i++)
		seen += ents[i].len == EXT2_NAME_MAX && !strcmp(ents[i].name,
		    max);
	CHECK_EQ(seen, 1);
	free(ents);
	CHECK_EQ(op_rename(c, EXT2_ROOT_INO, max, EXT2_ROOT_INO, other, 0,
	    NULL), 0);
	CHECK_EQ(ext2_link(c->fs, EXT2_ROOT_INO, max, EXT2_NAME_MAX, f), 0);
	CHECK_EQ(ext2_symlink(c->fs, EXT2_ROOT_INO, "s", 1, max,
	    EXT2_NAME_MAX, 0, 0, &ino), 0);

	max[EXT2_NAME_MAX] = 'm';
	CHECK_EQ(ext2_create(c->fs, EXT2_ROOT_INO, max, EXT2_NAME_MAX + 1,
	    S_IFREG | 0644, 0, 0, 0, &ino), -ENAMETOOLONG);
	CHECK_EQ(ext2_create(c->fs, EXT2_ROOT_INO, max, EXT2_NAME_MAX + 1,
	    S_IFDIR | 0755, 0, 0, 0, &ino), -ENAMETOOLONG);
	CHECK_EQ(ext2_lookup(c->fs, EXT2_ROOT_INO, max, EXT2_NAME_MAX + 1,
	    &ino), -ENAMETOOLONG);
	CHECK_EQ(ext2_link(c->fs, EXT2_ROOT_INO, max, EXT2_NAME_MAX + 1, f),
	    -ENAMETOOLONG);
	CHECK_EQ(ext2_symlink(c->fs, EXT2_ROOT_INO, max, EXT2_NAME_MAX + 1,
	    "t", 1, 0, 0, &ino), -ENAMETOOLONG);
	CHECK_EQ(ext2_rename(c->fs, EXT2_ROOT_INO, "s", 1, EXT2_ROOT_INO, max,
	    EXT2_NAME_MAX + 1, 0, &ino), -ENAMETOOLONG);
	CHECK_EQ(ext2_unlink(c->fs, EXT2_ROOT_INO, max, EXT2_NAME_MAX + 1,
	    false, &ino), -ENAMETOOLONG);
	CHECK_EQ(op_attr(c, f).nlink, 2);
	op_remount(c);
	max[EXT2_NAME_MAX] = 0;
	CHECK_EQ(op_lookup(c, EXT2_ROOT_INO, max), f);
	CHECK_EQ(op_lookup(c, EXT2_ROOT_INO, other), f);
}

#define RESUME_N 60

struct resume {
	unsigned stop_after, consumed;
	unsigned char *seen;		/* per entry eN-: times consumed */
	char refused[EXT2_NAME_MAX + 1];	/* the entry emit refused */
	uint64_t last_next;		/* next_pos of the last consumed */
};

static void
resume_name(char *out, size_t size, int i)
{
	snprintf(out, size, "e%d-%.*s", i, i % 37,
	    "abcdefghijklmnopqrstuvwxyz0123456789");
}

static int
resume_emit(void *ctx, const char *name, size_t len, uint32_t ino,
	    unsigned type, uint64_t next_pos)
{
	struct resume *r = ctx;
	int i;

	(void)ino, (void)type;
	if (r->consumed == r->stop_after) {
		memcpy(r->refused, name, len);
		r->refused[len] = 0;
		return 1;
	}
	if (len > 1 && name[0] == 'e') {
		i = atoi(name + 1);
		if (i >= 0 && i < RESUME_N)
			r->seen[i]++;
	}
	r->consumed++;
	r->last_next = next_pos;
	return 0;
}

/*
 * ext2_readdir resumes where emit stopped: the refused entry comes first
 * next time, *pos is the last consumed entry's next_pos, and every entry
 * comes once, also when entries ahead are removed in between.
 */
static void
case_readdir_resume(struct ctx *c)
{
	uint32_t d = op_create(c, EXT2_ROOT_INO, "d", S_IFDIR | 0755);
	struct ft_dirent *all = NULL, *part = NULL;
	unsigned char seen[RESUME_N] = { 0 }, scratch[RESUME_N];
	struct resume r, next;
	char name[64];
	uint64_t pos = 0, again;
	long n;
	int call;

	for (int i = 0; i < RESUME_N; i++) {
		resume_name(name, sizeof(name), i);
		op_create(c, d, name, S_IFREG | 0644);
	}
	n = ft_readdir_all(c->fs, d, 0, &all);
	CHECK_EQ(n, RESUME_N + 2);
	for (unsigned batch = 1; batch <= 7; batch++) {
		long m = ft_readdir_all(c->fs, d, batch, &part);

		CHECK_EQ(m, n);
		for (long i = 0; i < m && i < n; i++)
			CHECK_STR(part[i].name, all[i].name);
		free(part);
	}
	free(all);

	/* Five at a time, by hand; the last ten go away on the way. */
	for (call = 0; call < 100; call++) {
		r = (struct resume){ .stop_after = 5, .seen = seen };
		CHECK_EQ(ext2_readdir(c->fs, d, &pos, resume_emit, &r) < 0, 0);
		if (r.consumed == 0)
			break;
		if (!r.refused[0])
			continue;
		CHECK_EQ(pos, r.last_next);
		next = (struct resume){ .stop_after = 0, .seen = scratch };
		again = pos;
		CHECK_EQ(ext2_readdir(c->fs, d, &again, resume_emit, &next)
		    < 0, 0);
		CHECK_STR(next.refused, r.refused);
		if (call == 2) {
			for (int i = RESUME_N - 10; i < RESUME_N; i++) {
				resume_name(name, sizeof(name), i);
				CHECK_EQ(op_unlink(c, d, name, false), 0);
			}
		}
	}
	CHECK(call > 2 && call < 100);
	for (int i = 0; i < RESUME_N; i++)
		CHECK_EQ(seen[i], i < RESUME_N - 10 ? 1 : 0);

	/* At the end: nothing more, and no error. */
	r = (struct resume){ .stop_after = 1000, .seen = scratch };
	CHECK_EQ(ext2_readdir(c->fs, d, &pos, resume_emit, &r), 0);
	CHECK_EQ(r.consumed, 0);
	n = ft_readdir_all(c->fs, d, 4, &all);
	CHECK_EQ(n, RESUME_N - 10 + 2);
	free(all);
}

static void
big_name(char *out, size_t size, int i)
{
	snprintf(out, size, "file-%04d%.*s", i, i % 23,
	    "-xxxxxxxxxxxxxxxxxxxxxxxxx");
}

/* 3000 entries: each found, every other removed, readdir sees the rest. */
static void
case_bigdir(struct ctx *c)
{
	enum { N = 3000 };
	uint32_t d = op_create(c, EXT2_ROOT_INO, "big", S_IFDIR | 0755);
	static uint32_t inos[N];
	static unsigned char seen[N];
	struct ft_dirent *ents = NULL;
	char name[64];
	long n;

	for (int i = 0; i < N; i++) {
		big_name(name, sizeof(name), i);
		inos[i] = op_create(c, d, name, S_IFREG | 0644);
	}
	CHECK(op_attr(c, d).size > 20 * c->bs);
	for (int i = 0; i < N; i++) {
		big_name(name, sizeof(name), i);
		CHECK_EQ(op_lookup(c, d, name), inos[i]);
	}
	for (int i = 0; i < N; i += 2) {
		big_name(name, sizeof(name), i);
		CHECK_EQ(op_unlink(c, d, name, false), 0);
	}
	for (int i = 0; i < N; i++) {
		big_name(name, sizeof(name), i);
		CHECK_EQ(op_lookup_err(c, d, name), i % 2 ? 0 : -ENOENT);
	}
	op_remount(c);
	for (unsigned batch = 0; batch < 200; batch += 97) {
		memset(seen, 0, sizeof(seen));
		n = ft_readdir_all(c->fs, d, batch, &ents);
		CHECK_EQ(n, N / 2 + 2);
		for (long j = 0; j < n; j++) {
			int i;

			if (ents[j].name[0] == '.')
				continue;
			i = atoi(ents[j].name + 5);
			if (i < 0 || i >= N) {
				CHECK(!"a name that was never made");
				continue;
			}
			big_name(name, sizeof(name), i);
			CHECK(i % 2 == 1 && !seen[i]);
			CHECK_STR(ents[j].name, name);
			CHECK_EQ(ents[j].ino, inos[i]);
			CHECK_EQ(ents[j].type, DT_REG);
			seen[i] = 1;
		}
		free(ents);
	}
}

static const struct op_case cases[] = {
	{ "unlink", case_unlink },
	{ "mkdir", case_mkdir },
	{ "rename_files", case_rename_files },
	{ "rename_dirs", case_rename_dirs },
	{ "rename_exchange", case_rename_exchange },
	{ "link", case_link },
	{ "names", case_names },
	{ "readdir_resume", case_readdir_resume },
	{ "bigdir", case_bigdir },
};

int
main(void)
{
	return op_run("test_ext2_dirs", cases,
	    sizeof(cases) / sizeof(cases[0]));
}
