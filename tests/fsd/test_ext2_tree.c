/*
 * Host test of fsd's ext2 code reading what e2fsprogs wrote: mke2fs -d
 * makes images with 1 KiB and 4 KiB blocks from a sample tree, and a walk
 * through ext2_readdir, ext2_lookup, ext2_getattr, ext2_read and
 * ext2_readlink must find that tree exactly: names, types, sizes, modes,
 * owners, link counts, times, device numbers, symlink targets and bytes.
 */
#define _GNU_SOURCE
#include "fsdtest.h"
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"

/* Host inode to ext2 inode, so hard links are seen to share one. */
struct link_map {
	ino_t host[64];
	uint32_t ext2[64];
	unsigned n;
};

static void walk_dir(struct ext2_fs *fs, uint32_t dir, uint32_t parent,
    const char *host, struct link_map *links);

/* The ext2 entry called name, or NULL; counts how many there are. */
static struct ft_dirent *
find(struct ft_dirent *ents, long n, const char *name, int *count)
{
	struct ft_dirent *hit = NULL;

	*count = 0;
	for (long i = 0; i < n; i++) {
		if (strcmp(ents[i].name, name) == 0) {
			hit = &ents[i];
			(*count)++;
		}
	}
	return hit;
}

/* The file's bytes read whole, then in odd pieces, then past its end. */
static void
compare_data(struct ext2_fs *fs, uint32_t ino, const char *host)
{
	unsigned char *want, *got = NULL, piece[1007];
	size_t len, at;
	long r;

	if (ft_read_file(host, &want, &len) != 0) {
		CHECK(!"host file unreadable");
		return;
	}
	r = ft_read_all(fs, ino, &got);
	CHECK_EQ(r, len);
	if (r == (long)len && memcmp(got, want, len) != 0) {
		fprintf(stderr, "content differs: %s\n", host);
		CHECK(!"content equal");
	}
	for (at = 0; at < len; at += r) {
		r = ft_read(fs, ino, at, piece, sizeof(piece));
		if (r <= 0 || memcmp(piece, want + at, r) != 0) {
			fprintf(stderr, "%s: read at %zu gave %ld\n", host, at,
			    r);
			CHECK(!"piecewise read equal");
			break;
		}
	}
	CHECK_EQ(ft_read(fs, ino, len, piece, sizeof(piece)), 0);
	CHECK_EQ(ft_read(fs, ino, len + 5000, piece, sizeof(piece)), 0);
	if (len > 3)
		CHECK_EQ(ft_read(fs, ino, len - 3, piece, sizeof(piece)), 3);
	free(want);
	free(got);
}

static void
compare_link(struct ext2_fs *fs, uint32_t ino, const char *host)
{
	char want[4096], got[4096];
	ssize_t n = readlink(host, want, sizeof(want));

	CHECK_EQ(ext2_readlink(fs, ino, got, sizeof(got)), n);
	CHECK(n > 0 && memcmp(want, got, n) == 0);
}

static void
check_hard_link(struct link_map *links, const struct stat *st, uint32_t ino)
{
	for (unsigned i = 0; i < links->n; i++) {
		if (links->host[i] == st->st_ino) {
			CHECK_EQ(links->ext2[i], ino);
			return;
		}
	}
	if (links->n < 64) {
		links->host[links->n] = st->st_ino;
		links->ext2[links->n++] = ino;
	}
}

/* How many directories dir holds: 2 + that is its link count. */
static unsigned
host_subdirs(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	while (d && (e = readdir(d))) {
		if (e->d_type == DT_DIR && strcmp(e->d_name, ".") &&
		    strcmp(e->d_name, ".."))
			n++;
	}
	if (d)
		closedir(d);
	return n;
}

/* One entry: the ext2 inode against the host's lstat. */
static void
compare_entry(struct ext2_fs *fs, uint32_t dir, const struct ft_dirent *e,
	      const char *host, struct link_map *links)
{
	struct ext2_attr a;
	struct stat st;
	uint32_t ino = 0;

	CHECK_EQ(lstat(host, &st), 0);
	CHECK_EQ(ext2_lookup(fs, dir, e->name, e->len, &ino), 0);
	CHECK_EQ(ino, e->ino);
	CHECK_EQ(e->type, IFTODT(st.st_mode));
	CHECK_EQ(ext2_getattr(fs, e->ino, &a), 0);
	CHECK_EQ(a.ino, e->ino);
	CHECK_EQ(a.mode, st.st_mode);
	CHECK_EQ(a.uid, st.st_uid);
	CHECK_EQ(a.gid, st.st_gid);
	CHECK_EQ(a.mtime.sec, st.st_mtime);
	if (S_ISDIR(st.st_mode)) {
		CHECK_EQ(a.nlink, 2 + host_subdirs(host));
		CHECK(a.size > 0 && a.size % 1024 == 0);
		CHECK_EQ(a.blocks * 512, a.size);
		walk_dir(fs, e->ino, dir, host, links);
		return;
	}
	CHECK_EQ(a.nlink, st.st_nlink);
	CHECK_EQ(a.size, st.st_size);
	if (st.st_nlink > 1)
		check_hard_link(links, &st, e->ino);
	if (S_ISREG(st.st_mode)) {
		compare_data(fs, e->ino, host);
		/* Allocated space: at least the data, less for a sparse one. */
		if (strcmp(e->name, "sparse") == 0)
			CHECK(a.blocks * 512 < a.size / 2);
		else
			CHECK(a.blocks * 512 >= a.size);
	} else if (S_ISLNK(st.st_mode)) {
		compare_link(fs, e->ino, host);
	} else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
		CHECK_EQ(a.rdev, st.st_rdev);
	}
}

/*
 * dir (whose parent is parent) against the host directory: the same
 * names, each once, besides "." and ".." (and lost+found in the root).
 */
static void
walk_dir(struct ext2_fs *fs, uint32_t dir, uint32_t parent, const char *host,
	 struct link_map *links)
{
	struct ft_dirent *ents = NULL, *again = NULL, *e;
	long n, n_again, matched = 0;
	char path[FT_PATH];
	struct dirent *he;
	int count;
	DIR *d;

	n = ft_readdir_all(fs, dir, 0, &ents);
	CHECK(n >= 2);
	if (n < 2) {
		fprintf(stderr, "readdir %s: %ld\n", host, n);
		return;
	}
	/* Three entries per call: the same list, resumed from *pos. */
	n_again = ft_readdir_all(fs, dir, 3, &again);
	CHECK_EQ(n_again, n);
	for (long i = 0; i < n && i < n_again; i++) {
		CHECK_STR(again[i].name, ents[i].name);
		CHECK_EQ(again[i].ino, ents[i].ino);
	}
	e = find(ents, n, ".", &count);
	CHECK(count == 1 && e->ino == dir && e->type == DT_DIR);
	e = find(ents, n, "..", &count);
	CHECK(count == 1 && e->ino == parent && e->type == DT_DIR);
	if (dir == EXT2_ROOT_INO && find(ents, n, "lost+found", &count))
		matched++;
	d = opendir(host);
	while (d && (he = readdir(d))) {
		if (!strcmp(he->d_name, ".") || !strcmp(he->d_name, ".."))
			continue;
		e = find(ents, n, he->d_name, &count);
		if (count != 1) {
			fprintf(stderr, "%s/%s: %d entries in the image\n",
			    host, he->d_name, count);
			CHECK(count == 1);
			continue;
		}
		matched++;
		ft_join(path, host, he->d_name);
		compare_entry(fs, dir, e, path, links);
	}
	closedir(d);
	CHECK_EQ(matched + 2, n);
	free(ents);
	free(again);
}

static int
count_entry(void *ctx, const char *name, size_t len, uint32_t ino,
	    unsigned type, uint64_t next_pos)
{
	(void)name, (void)len, (void)ino, (void)type, (void)next_pos;
	(*(int *)ctx)++;
	return 0;
}

/* The errors a reader meets on this tree. */
static void
check_errors(struct ext2_fs *fs)
{
	char name[EXT2_NAME_MAX + 2], buf[64];
	uint32_t file, dir, ino;
	uint64_t pos = 0;
	int entries = 0;

	CHECK_EQ(ft_walk(fs, "/b1024", &file), 0);
	CHECK_EQ(ft_walk(fs, "/a", &dir), 0);
	CHECK_EQ(ext2_lookup(fs, dir, "missing", 7, &ino), -ENOENT);
	CHECK_EQ(ext2_lookup(fs, file, "x", 1, &ino), -ENOTDIR);
	CHECK_EQ(ext2_readlink(fs, file, buf, sizeof(buf)), -EINVAL);
	CHECK_EQ(ext2_readdir(fs, file, &pos, count_entry, &entries),
	    -ENOTDIR);
	CHECK_EQ(entries, 0);
	CHECK_EQ(ft_read(fs, dir, 0, buf, sizeof(buf)), -EISDIR);
	memset(name, 'n', sizeof(name));
	CHECK_EQ(ext2_lookup(fs, EXT2_ROOT_INO, name, EXT2_NAME_MAX, &ino), 0);
	CHECK_EQ(ext2_lookup(fs, EXT2_ROOT_INO, name, EXT2_NAME_MAX + 1, &ino),
	    -ENAMETOOLONG);
}

static void
test_image(const char *src, unsigned block_size)
{
	struct ft_mount m;
	struct link_map links = { .n = 0 };
	char img[FT_PATH], leaf[32], *out = NULL;
	struct ext2_statfs st;
	int before = check_failures;

	snprintf(leaf, sizeof(leaf), "tree-%u.img", block_size);
	ft_path(img, leaf);
	if (ft_mkfs(img, block_size, "16M", src) != 0) {
		CHECK(!"mke2fs -d");
		return;
	}
	CHECK_EQ(ft_fsck(img, NULL), 0);

	/* Read-only: nothing may be written. */
	CHECK_EQ(ft_mount(&m, img, false, true), 0);
	if (m.fs) {
		CHECK(ext2_read_only(m.fs));
		CHECK_EQ(ext2_statfs(m.fs, &st), 0);
		CHECK_EQ(st.block_size, block_size);
		CHECK_EQ(st.name_max, EXT2_NAME_MAX);
		walk_dir(m.fs, EXT2_ROOT_INO, EXT2_ROOT_INO, src, &links);
		CHECK_EQ(ft_unmount(&m), 0);
		CHECK_EQ(m.stats.writes, 0);
		CHECK_EQ(m.stats.refused, 0);
	}

	/* Read-write: the same, and the image is clean after. */
	links.n = 0;
	CHECK_EQ(ft_mount(&m, img, false, false), 0);
	if (m.fs) {
		CHECK(!ext2_read_only(m.fs));
		walk_dir(m.fs, EXT2_ROOT_INO, EXT2_ROOT_INO, src, &links);
		check_errors(m.fs);
		CHECK_EQ(ft_unmount(&m), 0);
		CHECK_EQ(m.stats.refused, 0);
		if (ft_fsck(img, &out) != 0) {
			fprintf(stderr, "e2fsck after a read-write walk:\n%s",
			    out);
			CHECK(!"e2fsck clean");
		}
		free(out);
	}
	CHECK_EQ(ft_bad_copies, 0);
	fprintf(stderr, "%u-byte blocks: %s\n", block_size,
	    check_failures == before ? "ok" : "FAILED");
}

int
main(void)
{
	char src[FT_PATH];

	ft_setup("test_ext2_tree");
	if (ft_make_tree(ft_path(src, "src"), true) != 0) {
		perror("sample tree");
		return 1;
	}
	test_image(src, 1024);
	test_image(src, 4096);
	return check_done("test_ext2_tree");
}
