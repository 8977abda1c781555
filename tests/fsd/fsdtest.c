/*
 * Helpers shared by the host tests of fsd's ext2 code (fsdtest.h): the
 * scratch directory, running e2fsprogs, mounting an image through
 * blkfile, memory copies for ext2_read/ext2_write and the sample tree.
 */
#define _GNU_SOURCE
#include "fsdtest.h"
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

char ft_dir[FT_PATH];
unsigned long ft_bad_copies;
unsigned long ft_reports;
bool ft_quiet;
size_t ft_cache_bytes;

static const char *const tools[] = { "mke2fs", "e2fsck", "debugfs",
	"dumpe2fs" };

static void
remove_dir(void)
{
	if (ft_dir[0])
		ft_run(NULL, "rm -rf '%s'", ft_dir);
}

void
ft_setup(const char *test)
{
	const char *path = getenv("PATH");
	char *full;

	/* e2fsprogs live in sbin, which a user's PATH may lack. */
	if (asprintf(&full, "%s:/sbin:/usr/sbin", path ? path : "/bin:/usr/bin")
	    < 0)
		exit(1);
	setenv("PATH", full, 1);
	free(full);
	for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		if (ft_run(NULL, "command -v %s", tools[i]) != 0) {
			fprintf(stderr, "%s: skipped: %s (e2fsprogs) is not "
			    "installed\n", test, tools[i]);
			exit(77);
		}
	}
	snprintf(ft_dir, sizeof(ft_dir), "/tmp/%s.XXXXXX", test);
	if (!mkdtemp(ft_dir)) {
		perror("mkdtemp");
		exit(1);
	}
	atexit(remove_dir);
	umask(022);
}

char *
ft_path(char *out, const char *leaf)
{
	if (snprintf(out, FT_PATH, "%s/%s", ft_dir, leaf) >= FT_PATH)
		abort();
	return out;
}

char *
ft_join(char *out, const char *dir, const char *leaf)
{
	if (snprintf(out, FT_PATH, "%s/%s", dir, leaf) >= FT_PATH)
		abort();
	return out;
}

/* Runs cmd (redirections included) and reads its stdout into *out. */
static int
run_capture(const char *cmd, unsigned char **out, size_t *len)
{
	FILE *p = popen(cmd, "r");
	unsigned char *buf = NULL;
	size_t used = 0, cap = 0, n;
	int status;

	if (!p)
		return -1;
	do {
		if (cap - used < 65536) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap + 1);
			if (!buf)
				abort();
		}
		n = fread(buf + used, 1, cap - used, p);
		used += n;
	} while (n > 0);
	status = pclose(p);
	buf[used] = 0;
	if (out) {
		*out = buf;
		if (len)
			*len = used;
	} else {
		free(buf);
	}
	if (status < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Runs the command fmt makes, in a subshell with `redirect` after it. */
static int
run_format(unsigned char **out, size_t *len, const char *redirect,
	   const char *fmt, va_list ap)
{
	char *cmd, *full;

	if (vasprintf(&cmd, fmt, ap) < 0 ||
	    asprintf(&full, "( %s ) %s", cmd, redirect) < 0)
		abort();
	int r = run_capture(full, out, len);
	free(cmd);
	free(full);
	return r;
}

int
ft_run(char **out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int r = run_format((unsigned char **)out, NULL, "2>&1", fmt, ap);
	va_end(ap);
	return r;
}

int
ft_run_bytes(unsigned char **out, size_t *len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int r = run_format(out, len, "2>/dev/null", fmt, ap);
	va_end(ap);
	return r;
}

int
ft_mkfs(const char *img, unsigned block_size, const char *size,
	const char *dir)
{
	char *out = NULL;
	int r;

	if (dir)
		r = ft_run(&out, "mke2fs -q -F -t ext2 -b %u -d '%s' '%s' %s",
		    block_size, dir, img, size);
	else
		r = ft_run(&out, "mke2fs -q -F -t ext2 -b %u '%s' %s",
		    block_size, img, size);
	if (r != 0)
		fprintf(stderr, "mke2fs %s failed (%d): %s\n", img, r, out);
	free(out);
	return r;
}

int
ft_fsck(const char *img, char **out)
{
	return ft_run(out, "e2fsck -fn '%s'", img);
}

int
ft_debugfs_cat(const char *img, const char *path, unsigned char **out,
	       size_t *len)
{
	return ft_run_bytes(out, len, "debugfs -R 'cat %s' '%s'", path, img);
}

/* The number after "key:" in dumpe2fs's output, or -1. */
static int64_t
field(const char *text, const char *key)
{
	const char *at = strstr(text, key);

	if (!at)
		return -1;
	return strtoll(at + strlen(key), NULL, 10);
}

int
ft_dumpe2fs(const char *img, struct ft_super *sb)
{
	char *out = NULL, *state;
	int r = ft_run(&out, "dumpe2fs -h '%s'", img);

	if (r == 0) {
		sb->blocks = field(out, "\nBlock count:");
		sb->blocks_free = field(out, "\nFree blocks:");
		sb->blocks_reserved = field(out, "\nReserved block count:");
		sb->inodes = field(out, "\nInode count:");
		sb->inodes_free = field(out, "\nFree inodes:");
		state = strstr(out, "\nFilesystem state:");
		sb->clean = state && strncmp(state + 18 + strspn(state + 18,
		    " "), "clean", 5) == 0;
	}
	free(out);
	return r;
}

int
ft_sb_state(const char *img)
{
	unsigned char le[2];
	int fd = open(img, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, le, 2, 1024 + 58);
	close(fd);
	return n == 2 ? le[0] | le[1] << 8 : -1;
}

int
ft_read_file(const char *path, unsigned char **out, size_t *len)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -EIO;
	}
	*out = malloc(st.st_size + 1);
	n = pread(fd, *out, st.st_size, 0);
	close(fd);
	if (n != st.st_size) {
		free(*out);
		return -EIO;
	}
	*len = n;
	return 0;
}

int
ft_write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = pwrite(fd, data, len, 0);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

static void
report(void *ctx, const char *msg)
{
	(void)ctx;
	ft_reports++;
	if (!ft_quiet)
		fprintf(stderr, "  ext2 report: %s\n", msg);
}

/*
 * The device's flush, without blkfile's fdatasync: e2fsprogs read the
 * image through the same page cache, and waiting on the disk made the
 * tests slow on a busy machine. It counts like blkfile's.
 */
static int
flush_counted(struct blkdev *d)
{
	struct ft_mount *m = (struct ft_mount *)((char *)d -
	    offsetof(struct ft_mount, dev));

	m->stats.flushes++;
	return 0;
}

int
ft_mount(struct ft_mount *m, const char *img, bool dev_ro, bool opt_ro)
{
	struct ext2_mount_opts opts = {
		.read_only = opt_ro, .cache_bytes = ft_cache_bytes,
		.report = report,
	};
	int r = blkfile_open(&m->dev, img, dev_ro, &m->stats);

	m->fs = NULL;
	if (r < 0)
		return r;
	m->dev.flush = flush_counted;
	r = ext2_mount(&m->fs, &m->dev, &opts);
	if (r < 0) {
		m->fs = NULL;
		blkfile_close(&m->dev);
	}
	return r;
}

int
ft_unmount(struct ft_mount *m)
{
	int r = ext2_unmount(m->fs);

	m->fs = NULL;
	blkfile_close(&m->dev);
	return r;
}

struct mem_copy {
	unsigned char *buf;
	size_t len;
};

/* The ext2_copy function over a buffer: refuses (and counts) a copy
 * outside it, which would be the ext2 code's mistake. */
static int
mem_copy(void *ctx, uint64_t at, void *cache, size_t n, bool write)
{
	struct mem_copy *m = ctx;

	if (at > m->len || n > m->len - at) {
		ft_bad_copies++;
		return -EFAULT;
	}
	if (write)
		memcpy(cache, m->buf + at, n);
	else
		memcpy(m->buf + at, cache, n);
	return 0;
}

long
ft_read(struct ext2_fs *fs, uint32_t ino, uint64_t off, void *buf,
	size_t len)
{
	struct mem_copy m = { buf, len };
	struct ext2_copy copy = { mem_copy, &m };

	return ext2_read(fs, ino, off, len, &copy);
}

long
ft_write(struct ext2_fs *fs, uint32_t ino, uint64_t off, const void *buf,
	 size_t len, bool append)
{
	struct mem_copy m = { (unsigned char *)buf, len };
	struct ext2_copy copy = { mem_copy, &m };

	return ext2_write(fs, ino, off, len, append, &copy);
}

long
ft_read_all(struct ext2_fs *fs, uint32_t ino, unsigned char **out)
{
	struct ext2_attr a;
	uint64_t done = 0;
	long r = ext2_getattr(fs, ino, &a);

	if (r < 0)
		return r;
	if (a.size > (256u << 20))
		return -EFBIG;
	*out = malloc(a.size + 1);
	while (done < a.size) {
		r = ft_read(fs, ino, done, *out + done, a.size - done);
		if (r <= 0)
			break;
		done += r;
	}
	if (r < 0) {
		free(*out);
		*out = NULL;
		return r;
	}
	return done;
}

int
ft_walk(struct ext2_fs *fs, const char *path, uint32_t *ino)
{
	uint32_t at = EXT2_ROOT_INO;
	const char *p = path;
	size_t len;
	int r;

	while (*p) {
		p += strspn(p, "/");
		len = strcspn(p, "/");
		if (len == 0)
			break;
		r = ext2_lookup(fs, at, p, len, &at);
		if (r < 0)
			return r;
		p += len;
	}
	*ino = at;
	return 0;
}

struct collect {
	struct ft_dirent *ents;
	size_t n, cap;
	unsigned batch, this_call;
};

static int
collect_one(void *ctx, const char *name, size_t len, uint32_t ino,
	    unsigned type, uint64_t next_pos)
{
	struct collect *c = ctx;
	struct ft_dirent *e;

	(void)next_pos;
	if (c->batch && c->this_call == c->batch)
		return 1;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->ents = realloc(c->ents, c->cap * sizeof(*c->ents));
	}
	e = &c->ents[c->n++];
	e->len = len < EXT2_NAME_MAX ? len : EXT2_NAME_MAX;
	memcpy(e->name, name, e->len);
	e->name[e->len] = 0;
	e->ino = ino;
	e->type = type;
	c->this_call++;
	return 0;
}

long
ft_readdir_all(struct ext2_fs *fs, uint32_t dir, unsigned batch,
	       struct ft_dirent **out)
{
	struct collect c = { .batch = batch };
	uint64_t pos = 0;
	int r;

	do {
		c.this_call = 0;
		r = ext2_readdir(fs, dir, &pos, collect_one, &c);
		/* A directory of more entries than this is a loop. */
		if (r >= 0 && c.n > 100000)
			r = -ELOOP;
	} while (r >= 0 && batch && c.this_call == batch);
	if (r < 0) {
		free(c.ents);
		return r;
	}
	*out = c.ents;
	return c.n;
}

void
ft_fill(void *buf, size_t len, uint64_t seed, uint64_t pos)
{
	unsigned char *b = buf;

	for (size_t i = 0; i < len; i++) {
		uint64_t p = pos + i;
		uint64_t x = ((p >> 3) + 1) * 0x9e3779b97f4a7c15ULL ^ seed;

		x ^= x >> 29;
		x *= 0xbf58476d1ce4e5b9ULL;
		x ^= x >> 32;
		b[i] = x >> (p & 7) * 8;
	}
}

/* A file of size bytes (ft_fill with seed = size) and mode. */
static int
put(const char *dir, const char *rel, size_t size, mode_t mode)
{
	char path[FT_PATH];
	unsigned char *data = malloc(size + 1);
	int r;

	ft_join(path, dir, rel);
	ft_fill(data, size, size, 0);
	r = ft_write_file(path, data, size);
	free(data);
	if (r == 0 && chmod(path, mode) < 0)
		r = -errno;
	return r;
}

static int
put_dir(const char *dir, const char *rel, mode_t mode)
{
	char path[FT_PATH];

	ft_join(path, dir, rel);
	if (mkdir(path, mode) < 0 || chmod(path, mode) < 0)
		return -errno;
	return 0;
}

static int
put_link(const char *dir, const char *rel, const char *target,
	 bool hard)
{
	char path[FT_PATH], from[FT_PATH];

	ft_join(path, dir, rel);
	ft_join(from, dir, target);
	if (hard ? link(from, path) : symlink(target, path))
		return -errno;
	return 0;
}

/* A file with data at its start and past 1 MiB, holes between. */
static int
put_sparse(const char *dir, const char *rel)
{
	char path[FT_PATH];
	int fd, r = 0;

	ft_join(path, dir, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -errno;
	if (pwrite(fd, "head", 4, 0) != 4 ||
	    pwrite(fd, "tail", 4, (1 << 20) + 5) != 4 ||
	    ftruncate(fd, 2 << 20) < 0)
		r = -EIO;
	close(fd);
	return r;
}

/* Things only root may make: a device node, a file of another owner. */
static int
put_owned(const char *dir)
{
	char path[FT_PATH];

	if (geteuid() != 0)
		return 0;
	ft_join(path, dir, "null");
	if (mknod(path, S_IFCHR | 0666, makedev(1, 3)) < 0)
		return -errno;
	ft_join(path, dir, "disk");
	if (mknod(path, S_IFBLK | 0660, makedev(8, 300)) < 0)
		return -errno;
	ft_join(path, dir, "b1023");
	if (chown(path, 1234, 5678) < 0)
		return -errno;
	return 0;
}

int
ft_make_tree(const char *dir, bool big)
{
	static const size_t sizes[] = { 0, 1, 1023, 1024, 4097, 70000 };
	char name[FT_PATH], longname[EXT2_NAME_MAX + 1];
	char target[301];
	int r = 0;

	if (mkdir(dir, 0755) < 0)
		return -errno;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]) && !r; i++) {
		snprintf(name, sizeof(name), "b%zu", sizes[i]);
		r = put(dir, name, sizes[i], 0644);
	}
	memset(longname, 'n', EXT2_NAME_MAX);
	longname[EXT2_NAME_MAX] = 0;
	memset(target, 't', 300);
	memcpy(target, "long/", 5);
	target[300] = 0;
	if (!r)
		r = put(dir, "exec", 100, 0755);
	if (!r)
		r = put(dir, "private", 5000, 0600);
	if (!r)
		r = put(dir, "setuid", 10, 04755);
	if (!r)
		r = put(dir, longname, 50, 0644);
	if (!r)
		r = put(dir, "name with spaces", 10, 0644);
	if (!r)
		r = put(dir, "\xc3\xbcn\xc3\xaf", 20, 0644);
	if (!r)
		r = put_dir(dir, "a", 0755);
	if (!r)
		r = put(dir, "a/x.txt", 3000, 0644);
	if (!r)
		r = put_dir(dir, "a/b", 0750);
	if (!r)
		r = put_dir(dir, "a/b/c", 0755);
	if (!r)
		r = put(dir, "a/b/c/deep.txt", 12345, 0640);
	if (!r)
		r = put_dir(dir, "private-dir", 0700);
	if (!r)
		r = put(dir, "private-dir/inner", 7, 0644);
	if (!r)
		r = put_dir(dir, "sticky", 01777);
	if (!r)
		r = put_dir(dir, "empty-dir", 0755);
	if (!r)
		r = put_link(dir, "link-short", "b1", false);
	if (!r)
		r = put_link(dir, "link-long", target, false);
	if (!r)
		r = put_link(dir, "a/b/up", "../../b1", false);
	if (!r)
		r = put(dir, "hard1", 2000, 0644);
	if (!r)
		r = put_link(dir, "a/hard2", "hard1", true);
	if (!r)
		r = put_link(dir, "a/b/hard3", "hard1", true);
	if (!r)
		r = put_sparse(dir, "sparse");
	ft_join(name, dir, "fifo");
	if (!r && mkfifo(name, 0640) < 0)
		r = -errno;
	if (!r)
		r = put_owned(dir);
	if (!r)
		r = put_dir(dir, "many", 0755);
	for (int i = 0; i < (big ? 300 : 20) && !r; i++) {
		snprintf(name, sizeof(name), "many/entry-%03d%.*s", i, i % 40,
		    "-padding-padding-padding-padding-padding");
		r = put(dir, name, i * 7, 0644);
	}
	if (!r && big)
		r = put(dir, "mib3", (3 << 20) + 123, 0644);
	return r;
}
