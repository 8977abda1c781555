/*
 * Unit test of kernel/core/cpio.c: archives written here and by the host's
 * cpio(1), concatenated ones, then truncated, corrupted and fuzzed ones
 * (ASan checks bounds).
 */
#include <kernel/types.h>
#include <kernel/errno.h>
#include <kernel/cpio.h>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"

#define HDR 110

struct archive {
	unsigned char *buf;
	size_t len, cap;
};

static void
put(struct archive *a, const void *p, size_t n)
{
	if (a->len + n + 4 > a->cap) {
		a->cap = (a->len + n + 4) * 2;
		a->buf = realloc(a->buf, a->cap);
	}
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

static void
pad4(struct archive *a)
{
	static const char zeros[4];

	put(a, zeros, (4 - a->len % 4) % 4);
}

/* Appends one member, as cpio -H newc (or crc for "070702") would. */
static void
add(struct archive *a, const char *magic, const char *name, uint32_t ino,
    uint32_t mode, uint32_t nlink, const void *data, size_t size)
{
	char hdr[160];
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i < size && strcmp(magic, "070702") == 0; i++)
		sum += ((const unsigned char *)data)[i];
	snprintf(hdr, sizeof(hdr),
	    "%.6s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
	    magic, ino, mode, 1000, 100, nlink, 1700000000, (unsigned)size,
	    8, 1,
	    mode >> 12 == 2 ? 4 : 0, mode >> 12 == 2 ? 64 : 0,
	    (unsigned)strlen(name) + 1, sum);
	put(a, hdr, HDR);
	put(a, name, strlen(name) + 1);
	pad4(a);
	put(a, data, size);
	pad4(a);
}

static void
add_trailer(struct archive *a, const char *magic)
{
	add(a, magic, "TRAILER!!!", 0, 0, 1, "", 0);
}

/* A small archive with every kind of member. */
static struct archive
sample(const char *magic)
{
	struct archive a = { 0 };

	add(&a, magic, ".", 1, 040755, 3, "", 0);
	add(&a, magic, "./bin", 2, 040755, 2, "", 0);
	add(&a, magic, "./bin/sh", 3, 0100755, 1, "#!sh\n", 5);
	add(&a, magic, "/etc", 4, 040755, 2, "", 0);
	add(&a, magic, "etc/link", 5, 0120777, 1, "../bin/sh", 9);
	add(&a, magic, "etc/a", 6, 0100644, 2, "", 0);	/* hard link pair */
	add(&a, magic, "etc/b", 6, 0100644, 2, "shared", 6);
	add(&a, magic, "dev/console", 7, 020600, 1, "", 0);
	add_trailer(&a, magic);
	return a;
}

/* Copies an archive into a buffer of exactly len bytes, for ASan. */
static unsigned char *
exact_copy(const void *p, size_t len)
{
	unsigned char *q = malloc(len ? len : 1);

	memcpy(q, p, len);
	return q;
}

/* Iterates to the end; returns the final status and counts members. */
static int
walk(const void *buf, size_t len, int *members)
{
	const char *lo = buf, *hi = lo + len;
	struct cpio_iter it;
	struct cpio_entry e;
	int r, n = 0;

	cpio_iter_init(&it, buf, len);
	while ((r = cpio_next(&it, &e)) == 1) {
		/* Everything reported must lie in the buffer. */
		if (e.name < lo || e.name + e.name_len >= hi ||
		    (const char *)e.data < lo ||
		    e.size > (size_t)(hi - (const char *)e.data))
			return -1000;
		if (strlen(e.name) != e.name_len)
			return -1001;
		n++;
	}
	if (members != NULL)
		*members = n;
	return r;
}

static void
test_sample(const char *magic)
{
	struct archive a = sample(magic);
	unsigned char *buf = exact_copy(a.buf, a.len);
	struct cpio_iter it;
	struct cpio_entry e;

	cpio_iter_init(&it, buf, a.len);
	CHECK_EQ(cpio_next(&it, &e), 1);
	CHECK_STR(e.name, "");
	CHECK_EQ(e.mode, 040755);
	CHECK_EQ(cpio_next(&it, &e), 1);
	CHECK_STR(e.name, "bin");
	CHECK_EQ(cpio_next(&it, &e), 1);
	CHECK_STR(e.name, "bin/sh");
	CHECK_EQ(e.name_len, 6);
	CHECK_EQ(e.mode, 0100755);
	CHECK_EQ(e.uid, 1000);
	CHECK_EQ(e.gid, 100);
	CHECK_EQ(e.mtime, 1700000000);
	CHECK_EQ(e.nlink, 1);
	/* Not a hard link: its ino and device are not read (cpio.h). */
	CHECK_EQ(e.ino, 0);
	CHECK_EQ(e.dev_major, 0);
	CHECK_EQ(e.dev_minor, 0);
	CHECK_EQ(e.rdev_major, 0);
	CHECK_EQ(e.size, 5);
	CHECK(memcmp(e.data, "#!sh\n", 5) == 0);
	CHECK_EQ(cpio_next(&it, &e), 1);
	CHECK_STR(e.name, "etc");
	CHECK_EQ(cpio_next(&it, &e), 1);
	CHECK_STR(e.name, "etc/link");
	CHECK_EQ(e.mode >> 12, 012);
	CHECK_EQ(e.size, 9);
	CHECK(memcmp(e.data, "../bin/sh", 9) == 0);
	/* A symlink's owner and time are not read (cpio.h). */
	CHECK_EQ(e.uid, 0);
	CHECK_EQ(e.gid, 0);
	CHECK_EQ(e.mtime, 0);
	CHECK_EQ(cpio_next(&it, &e), 1);
	CHECK_STR(e.name, "etc/a");
	CHECK_EQ(e.ino, 6);
	CHECK_EQ(e.nlink, 2);
	CHECK_EQ(e.size, 0);
	CHECK_EQ(cpio_next(&it, &e), 1);
	CHECK_STR(e.name, "etc/b");
	CHECK_EQ(e.ino, 6);
	CHECK_EQ(e.dev_major, 8);
	CHECK_EQ(e.dev_minor, 1);
	CHECK_EQ(e.nlink, 2);
	CHECK_EQ(e.size, 6);
	CHECK(memcmp(e.data, "shared", 6) == 0);
	CHECK_EQ(cpio_next(&it, &e), 1);
	CHECK_STR(e.name, "dev/console");
	CHECK_EQ(e.rdev_major, 4);
	CHECK_EQ(e.rdev_minor, 64);
	CHECK_EQ(cpio_next(&it, &e), 0);
	CHECK_EQ(cpio_next(&it, &e), 0);	/* stays at the end */
	free(buf);
	free(a.buf);
}

/* Every prefix short of the trailer's end is an error, never an entry
 * past the end and never the trailer. */
static void
test_truncated(void)
{
	struct archive a = sample("070701");
	unsigned char *buf;
	size_t len, end;
	int r, n;

	/* "TRAILER!!!\0" ends 3 bytes short of the archive (pad to 4). */
	end = a.len - 3;
	for (len = 0; len < a.len; len++) {
		buf = exact_copy(a.buf, len);
		r = walk(buf, len, &n);
		if (len < end)
			CHECK_EQ(r, -EINVAL);
		else
			CHECK_EQ(r, 0);
		free(buf);
	}
	CHECK_EQ(walk(a.buf, a.len, &n), 0);
	CHECK_EQ(n, 8);
	free(a.buf);
}

/* Appends the n bytes of b to a. */
static void
append(struct archive *a, const struct archive *b, size_t n)
{
	put(a, b->buf, n);
}

/* The members in order: the second archive's "bin/a" comes last; each
 * says which archive it is in (inode numbers are an archive's own). */
static void
check_concatenated_order(const struct archive *cat)
{
	struct cpio_iter it;
	struct cpio_entry e;

	cpio_iter_init(&it, cat->buf, cat->len);
	CHECK_EQ(cpio_next(&it, &e), 1);
	CHECK_STR(e.name, "bin/a");
	CHECK_EQ(e.size, 3);
	CHECK_EQ(e.archive, 0);
	CHECK_EQ(cpio_next(&it, &e), 1);
	CHECK_STR(e.name, "bin/b");
	CHECK_EQ(e.archive, 1);
	CHECK_EQ(cpio_next(&it, &e), 1);
	CHECK_STR(e.name, "bin/a");
	CHECK_EQ(e.mode, 0120777);
	CHECK_EQ(e.archive, 1);
	CHECK_EQ(cpio_next(&it, &e), 0);
	CHECK_EQ(cpio_next(&it, &e), 0);
}

/*
 * Concatenated archives, as `petrel run --pack` makes: the members of
 * both come out in order, across zero padding of any length that leaves
 * the next archive 4-aligned; a header after a short (unpadded) trailer,
 * junk, or an unaligned archive after a trailer is -EINVAL.
 */
static void
test_concatenated(void)
{
	struct archive first = { 0 }, second = { 0 }, cat;
	static const char zeros[512];
	unsigned char *buf;
	size_t pad;
	int n;

	add(&first, "070701", "bin/a", 1, 0100755, 1, "one", 3);
	add_trailer(&first, "070701");
	add(&second, "070702", "bin/b", 1, 0100755, 1, "two", 3);
	add(&second, "070702", "bin/a", 2, 0120777, 1, "b", 1);
	add_trailer(&second, "070702");
	for (pad = 0; pad <= sizeof(zeros); pad += 4) {
		cat = (struct archive){ 0 };
		append(&cat, &first, first.len);
		put(&cat, zeros, pad);
		append(&cat, &second, second.len);
		put(&cat, zeros, pad % 12);	/* zeros after the last, too */
		buf = exact_copy(cat.buf, cat.len);
		CHECK_EQ(walk(buf, cat.len, &n), 0);
		CHECK_EQ(n, 3);
		free(buf);
		free(cat.buf);
	}
	cat = (struct archive){ 0 };
	append(&cat, &first, first.len);
	append(&cat, &second, second.len);
	check_concatenated_order(&cat);
	free(cat.buf);

	/* One zero byte too many: the next header is unaligned. */
	cat = (struct archive){ 0 };
	append(&cat, &first, first.len);
	put(&cat, zeros, 5);
	append(&cat, &second, second.len);
	CHECK_EQ(walk(cat.buf, cat.len, NULL), -EINVAL);
	free(cat.buf);
	/* Junk after the trailer. */
	cat = (struct archive){ 0 };
	append(&cat, &first, first.len);
	put(&cat, "junk", 4);
	CHECK_EQ(walk(cat.buf, cat.len, &n), -EINVAL);
	CHECK_EQ(n, 1);
	free(cat.buf);
	/* The second archive truncated, at every length. */
	for (pad = 1; pad < second.len - 3; pad++) {
		cat = (struct archive){ 0 };
		append(&cat, &first, first.len);
		append(&cat, &second, pad);
		buf = exact_copy(cat.buf, cat.len);
		CHECK_EQ(walk(buf, cat.len, NULL), -EINVAL);
		free(buf);
		free(cat.buf);
	}
	free(first.buf);
	free(second.buf);
}

/* Sets field i (0 = ino ... 12 = check) of the member at off. */
static void
set_field(unsigned char *buf, size_t off, int i, const char *v)
{
	memcpy(buf + off + 6 + 8 * i, v, 8);
}

static void
test_corrupt(void)
{
	struct archive a = sample("070701");
	struct archive c = sample("070702");
	struct archive d;
	unsigned char *buf = exact_copy(a.buf, a.len);
	size_t second = HDR + 2;	/* after ".\0", already 4-aligned */

	/* The second member starts right after the first. */
	CHECK(memcmp(buf + second, "070701", 6) == 0);

	memcpy(buf, "070707", 6);	/* old portable ASCII: not newc */
	CHECK_EQ(walk(buf, a.len, NULL), -EINVAL);
	memcpy(buf, a.buf, a.len);
	set_field(buf, 0, 1, "0000G755");
	CHECK_EQ(walk(buf, a.len, NULL), -EINVAL);
	memcpy(buf, a.buf, a.len);
	set_field(buf, 0, 1, "0000-755");
	CHECK_EQ(walk(buf, a.len, NULL), -EINVAL);
	/* Sizes past the end, including ones that overflow 32 bits. */
	memcpy(buf, a.buf, a.len);
	set_field(buf, second, 6, "FFFFFFFF");
	CHECK_EQ(walk(buf, a.len, NULL), -EINVAL);
	memcpy(buf, a.buf, a.len);
	set_field(buf, second, 11, "FFFFFFFF");
	CHECK_EQ(walk(buf, a.len, NULL), -EINVAL);
	memcpy(buf, a.buf, a.len);
	set_field(buf, second, 11, "00000000");
	CHECK_EQ(walk(buf, a.len, NULL), -EINVAL);
	/* Name size one short: the name is no longer NUL-terminated. */
	memcpy(buf, a.buf, a.len);
	set_field(buf, second, 11, "00000005");
	CHECK_EQ(walk(buf, a.len, NULL), -EINVAL);
	/* Name size one long: a NUL inside the name. */
	memcpy(buf, a.buf, a.len);
	set_field(buf, second, 11, "00000007");
	CHECK_EQ(walk(buf, a.len, NULL), -EINVAL);
	/* Lowercase hex is accepted. */
	memcpy(buf, a.buf, a.len);
	set_field(buf, 0, 4, "0000000a");
	CHECK_EQ(walk(buf, a.len, NULL), 0);
	free(buf);

	/* 070702: checksums are verified. */
	buf = exact_copy(c.buf, c.len);
	CHECK_EQ(walk(buf, c.len, NULL), 0);
	free(buf);
	d = (struct archive){ 0 };
	add(&d, "070702", "f", 1, 0100644, 1, "data", 4);
	add_trailer(&d, "070702");
	buf = exact_copy(d.buf, d.len);
	CHECK_EQ(walk(buf, d.len, NULL), 0);
	buf[HDR + 2] ^= 1;	/* "f\0" needs no padding: data follows */
	CHECK_EQ(walk(buf, d.len, NULL), -EIO);
	free(buf);
	free(d.buf);
	free(a.buf);
	free(c.buf);
}

/*
 * Every 8-byte hex field is read as strtoul would, whatever its case, and
 * anything but 8 hex digits is -EINVAL: random fields (the parser reads
 * the 8 digits at once), each byte a hex digit, a neighbour of a digit
 * range ('/', ':', '@', 'G', '`', 'g') or any byte.
 */
static void
test_hex_fields(void)
{
	static const char near[] = "0123456789abcdefABCDEF/:@G`g";
	uint64_t seed = 0x4e3;
	struct archive a = { 0 };
	struct cpio_iter it;
	struct cpio_entry e;
	char field[9];
	int valid_seen = 0;

	/* nlink 2: the parser reads ino only for a hard link. */
	add(&a, "070701", "f", 1, 0100644, 2, "", 0);
	add_trailer(&a, "070701");
	for (int i = 0; i < 20000; i++) {
		int valid = 1;
		for (int j = 0; j < 8; j++) {
			unsigned r = (unsigned)check_rand(&seed);
			char ch = r % 4 ? near[(r >> 8) % (sizeof(near) - 1)] :
					  (char)(r >> 8);
			field[j] = ch;
			if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
			      (ch >= 'A' && ch <= 'F')))
				valid = 0;
		}
		field[8] = 0;
		set_field(a.buf, 0, 0, field);
		cpio_iter_init(&it, a.buf, a.len);
		int r = cpio_next(&it, &e);
		if (valid) {
			valid_seen++;
			CHECK_EQ(r, 1);
			CHECK_EQ(e.ino, (uint32_t)strtoul(field, NULL, 16));
		} else {
			CHECK_EQ(r, -EINVAL);
		}
	}
	CHECK(valid_seen > 100);	/* about 300 */
	free(a.buf);
}

/*
 * Every field a member needs is checked (cpio.c): a bad byte in any place
 * of such a field, of the first member or a later one, is -EINVAL, and
 * the good header beside it still reads. The two members here are
 * directories: they need mode, uid, gid, mtime, filesize and namesize,
 * not ino, nlink, the devices or the checksum: those are not read, so, as
 * in Linux, their digits are not checked. The bad
 * bytes are those next to the digit ranges, a NUL, a space, and bytes
 * with the top bit set (which must not carry into a neighbour's check).
 */
static void
test_bad_digit_each_field(void)
{
	static const unsigned char bad[] = "/:@G`g \0\x80\xb0\xc1\xff";
	struct archive a = sample("070701");
	unsigned char *buf = malloc(a.len);
	size_t second = 0;
	struct cpio_iter it;
	struct cpio_entry e;

	/* The second member's header: after the first's name and data. */
	cpio_iter_init(&it, a.buf, a.len);
	CHECK_EQ(cpio_next(&it, &e), 1);
	second = it.pos;
	for (int field = 0; field < 13; field++) {
		bool read = (field >= 1 && field <= 3) || field == 5 ||
			    field == 6 || field == 11;
		for (int place = 0; place < 8; place++) {
			for (size_t k = 0; k < sizeof(bad) - 1; k++) {
				memcpy(buf, a.buf, a.len);
				buf[6 + 8 * field + place] = bad[k];
				CHECK_EQ(walk(buf, a.len, NULL), read ? -EINVAL : 0);
				memcpy(buf, a.buf, a.len);
				buf[second + 6 + 8 * field + place] = bad[k];
				cpio_iter_init(&it, buf, a.len);
				CHECK_EQ(cpio_next(&it, &e), 1);
				CHECK_EQ(cpio_next(&it, &e), read ? -EINVAL : 1);
			}
		}
	}
	free(buf);
	free(a.buf);
}

/*
 * A field is read, and so checked, only where the member's kind needs it
 * (cpio.h): nlink and a "070702" archive's checksum for regular files,
 * and their ino and device where nlink > 1; rdev for device nodes; uid,
 * gid and mtime for all but symlinks. Field i of member m of sample(magic)
 * set to "0000000G": -EINVAL where it is read, else the archive reads
 * whole, the field 0 (ino, rdev) or unused.
 */
static int
walk_with_bad_field(const char *magic, int m, int i)
{
	struct archive a = sample(magic);
	struct cpio_iter it;
	struct cpio_entry e;
	size_t off = 0;
	int r;

	cpio_iter_init(&it, a.buf, a.len);
	for (int k = 0; k < m; k++) {
		CHECK_EQ(cpio_next(&it, &e), 1);
		off = it.pos;
	}
	set_field(a.buf, off, i, "0000000G");
	r = walk(a.buf, a.len, NULL);
	free(a.buf);
	return r;
}

static void
test_fields_read_by_kind(void)
{
	/* Member 4, "etc/link": a symlink, nlink 1. 7, "dev/console": a
	 * character device, nlink 1. 2, "./bin/sh": a file, nlink 1. 6,
	 * "etc/b": a file, nlink 2. */
	for (int i = 0; i < 13; i++) {
		bool always = i == 1 || i == 6 || i == 11;
		bool owner = i == 2 || i == 3 || i == 5;	/* uid gid mtime */
		bool dev = i == 7 || i == 8;
		CHECK_EQ(walk_with_bad_field("070701", 4, i), always ? -EINVAL : 0);
		CHECK_EQ(walk_with_bad_field("070701", 7, i),
			 always || owner || i == 9 || i == 10 ? -EINVAL : 0);
		CHECK_EQ(walk_with_bad_field("070702", 2, i),
			 always || owner || i == 4 || i == 12 ? -EINVAL : 0);
		CHECK_EQ(walk_with_bad_field("070701", 6, i),
			 always || owner || i == 4 || i == 0 || dev ? -EINVAL : 0);
	}
}

/* Flips random bytes of a valid archive: the reader must fail cleanly. */
static void
test_fuzz(void)
{
	struct archive a = sample("070701");
	uint64_t seed = 0x5eed;
	unsigned char *buf;
	int i, flips, r, outcome[3] = { 0 };
	static const char hexish[] = "0123456789abcdefFG0/ \0\xff";

	buf = malloc(a.len);
	for (i = 0; i < 10000; i++) {
		memcpy(buf, a.buf, a.len);
		for (flips = 1 + check_rand(&seed) % 4; flips > 0; flips--)
			buf[check_rand(&seed) % a.len] =
			    check_rand(&seed) & 1 ?
			    (unsigned char)check_rand(&seed) :
			    hexish[check_rand(&seed) % (sizeof(hexish) - 1)];
		r = walk(buf, a.len, NULL);
		CHECK(r == 0 || r == -EINVAL);
		outcome[r == 0 ? 0 : r == -EINVAL ? 1 : 2]++;
	}
	/* Both outcomes occur, so the fuzzing reaches the parser's checks. */
	CHECK(outcome[0] > 100 && outcome[1] > 100);
	free(buf);
	free(a.buf);
}

static int
write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static unsigned char *
read_all(const char *path, size_t *len)
{
	unsigned char *buf = NULL, *q;
	size_t cap = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	*len = 0;
	if (fd < 0)
		return NULL;
	do {
		if (*len == cap)
			buf = realloc(buf, cap = cap * 2 + 4096);
		n = read(fd, buf + *len, cap - *len);
		if (n > 0)
			*len += n;
	} while (n > 0);
	close(fd);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	q = exact_copy(buf, *len);
	free(buf);
	return q;
}

/* Archives written by the host's cpio -o, in both newc formats. */
static void
test_host_cpio(const char *format)
{
	char dir[] = "/tmp/petrel-cpio-XXXXXX", cmd[512], path[300];
	struct cpio_iter it;
	struct cpio_entry e;
	unsigned char *buf;
	size_t len;
	int r, found = 0;
	uint32_t link_ino = 0;
	struct stat st;

	if (mkdtemp(dir) == NULL) {
		CHECK(!"mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/root", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/root/sub", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/root/sub/hello.txt", dir);
	CHECK(write_file(path, "hello, world\n") == 0);
	snprintf(cmd, sizeof(cmd), "%s/root/sub/again.txt", dir);
	CHECK(link(path, cmd) == 0);
	snprintf(path, sizeof(path), "%s/root/empty", dir);
	CHECK(write_file(path, "") == 0);
	snprintf(path, sizeof(path), "%s/root/sym", dir);
	CHECK(symlink("sub/hello.txt", path) == 0);
	snprintf(cmd, sizeof(cmd), "cd %s/root && find . | LC_ALL=C sort | "
	    "cpio -o -H %s --quiet > %s/a.cpio", dir, format, dir);
	CHECK_EQ(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/a.cpio", dir);
	buf = read_all(path, &len);
	CHECK(buf != NULL && len > 0);

	cpio_iter_init(&it, buf, len);
	while ((r = cpio_next(&it, &e)) == 1) {
		snprintf(path, sizeof(path), "%s/root/%s", dir, e.name);
		CHECK(lstat(path, &st) == 0);
		CHECK_EQ(e.mode, st.st_mode);
		/* Only a regular file's nlink is read, a symlink's owner
		 * not (cpio.h). */
		CHECK_EQ(e.nlink, S_ISREG(st.st_mode) ? st.st_nlink : 0);
		CHECK_EQ(e.uid, S_ISLNK(st.st_mode) ? 0 : st.st_uid);
		if (strcmp(e.name, "sym") == 0) {
			CHECK_EQ(e.size, 13);
			CHECK(memcmp(e.data, "sub/hello.txt", 13) == 0);
			found++;
		} else if (strcmp(e.name, "sub/again.txt") == 0) {
			/* The first of two links: newc puts no data here. */
			CHECK_EQ(e.size, 0);
			CHECK_EQ(e.nlink, 2);
			link_ino = e.ino;
			found++;
		} else if (strcmp(e.name, "sub/hello.txt") == 0) {
			CHECK_EQ(e.size, 13);
			CHECK(memcmp(e.data, "hello, world\n", 13) == 0);
			CHECK_EQ(e.ino, link_ino);
			found++;
		} else if (strcmp(e.name, "empty") == 0) {
			CHECK_EQ(e.size, 0);
			found++;
		}
	}
	CHECK_EQ(r, 0);
	CHECK_EQ(found, 4);
	free(buf);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK_EQ(system(cmd), 0);
}

int
main(void)
{
	test_sample("070701");
	test_sample("070702");
	test_truncated();
	test_concatenated();
	test_corrupt();
	test_hex_fields();
	test_bad_digit_each_field();
	test_fields_read_by_kind();
	test_fuzz();
	test_host_cpio("newc");
	test_host_cpio("crc");
	return check_done("test_cpio");
}
