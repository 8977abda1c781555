/*
 * cpio "newc" reader (see cpio(5)): a 110-byte ASCII header of a magic and
 * thirteen 8-digit hex fields, the name, then the data, each padded to 4.
 * Several archives may follow one another, as Linux's initramfs allows:
 * `./petrel run --pack` appends its layer to the base image that way.
 */
#include <kernel/types.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include <kernel/cpio.h>

#define HEADER_LEN	110
#define MAGIC_LEN	6
#define FIELD_LEN	8

/* The fields after the magic, in header order. */
enum {
	F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE,
	F_DEVMAJOR, F_DEVMINOR, F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK,
	F_COUNT
};

_Static_assert(MAGIC_LEN + F_COUNT * FIELD_LEN == HEADER_LEN,
    "newc header: 6-byte magic and 13 fields of 8 hex digits");

static const char TRAILER[] = "TRAILER!!!";

#define S_IFMT		0170000
#define S_IFREG		0100000
#define S_IFCHR		0020000
#define S_IFBLK		0060000
#define S_IFLNK		0120000

/* Starts an iteration; see cpio.h. */
void
cpio_iter_init(struct cpio_iter *it, const void *buf, size_t len)
{
	it->buf = buf;
	it->len = len;
	it->pos = 0;
	it->state = 0;
	it->archive = 0;
}

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
    "hex_value reads the first digit from the lowest byte");

#define BYTES(b) (0x0101010101010101ull * (b))
/* Each byte's top bit: set where that byte of x (below 0x80) is >= k. */
#define BYTES_GE(x, k) (((x) + BYTES(0x80 - (k))) & BYTES(0x80))

/* 8 bytes at p in one load, even in a kernel built with -fno-builtin. */
static inline uint64_t
load64(const uint8_t *p)
{
	uint64_t x;

	__builtin_memcpy(&x, p, sizeof(x));
	return x;
}

/*
 * Each byte's top bit: set where that byte of x is not a hex digit (a
 * byte of 0x80 or more may leave its neighbours' bits wrong: the caller
 * refuses x for its own top bit anyway).
 */
static inline uint64_t
hex_bad(uint64_t x)
{
	uint64_t folded = x & BYTES(0xdf);	/* 'a'-'f' as 'A'-'F' */
	uint64_t digit = BYTES_GE(x, '0') & ~BYTES_GE(x, '9' + 1);
	uint64_t letter = BYTES_GE(folded, 'A') & ~BYTES_GE(folded, 'F' + 1);

	return x | ~(digit | letter);
}

/*
 * The value of 8 hex digits (hex_bad found none bad), a byte each in x,
 * the first the most significant. '0'-'9' end in 0-9; 'A'-'F' and 'a'-'f'
 * in 1-6, with bit 6 set: letters add 9. Then each multiply puts a lane
 * and its neighbour, shifted, side by side: pairs, fours, all eight.
 */
static inline uint32_t
hex_value(uint64_t x)
{
	uint64_t v = (x & BYTES(0x0f)) + ((x >> 6) & BYTES(1)) * 9;

	v = ((v * 0x1001) >> 8) & 0x00ff00ff00ff00ffull;
	v = ((v * 0x1000001) >> 16) & 0x0000ffff0000ffffull;
	return (uint32_t)((v * 0x1000000000001ull) >> 32);
}

/* "070701" (or "070702", the last byte one more) as load64 reads it. */
#define MAGIC_MASK	0x0000ffffffffffffull
#define MAGIC_NEWC	0x313037303730ull
#define MAGIC_CRC	(MAGIC_NEWC + (1ull << 40))

/*
 * Field i's value; a digit that is not hex sets top bits in *bad. Only the
 * fields a member needs are read: Linux's reader (init/initramfs.c)
 * checks no digit at all, so a field never read is never checked.
 */
static inline uint32_t
field(const uint8_t *h, int i, uint64_t *bad)
{
	uint64_t x = load64(h + MAGIC_LEN + i * FIELD_LEN);

	*bad |= hex_bad(x);
	return hex_value(x);
}

/* The header's fields that place the member, beside those of the entry. */
struct header {
	uint32_t namesize, filesize, check;
	bool has_crc;
};

/*
 * Returns 0 with the header's fields at it->pos in *e (its name, data and
 * archive left for the caller) and *hd, or -EINVAL. The boot reads some
 * 300 headers: only the fields a member of its kind needs are converted
 * and checked (cpio.h); the others are 0.
 */
static int
parse_header(const struct cpio_iter *it, struct cpio_entry *e,
	     struct header *hd)
{
	const uint8_t *h = it->buf + it->pos;
	uint64_t magic, bad = 0;
	uint32_t type;

	if (it->len - it->pos < HEADER_LEN)
		return -EINVAL;
	magic = load64(h) & MAGIC_MASK;
	if (magic != MAGIC_NEWC && magic != MAGIC_CRC)
		return -EINVAL;
	hd->has_crc = magic == MAGIC_CRC;
	e->mode = field(h, F_MODE, &bad);
	hd->filesize = field(h, F_FILESIZE, &bad);
	hd->namesize = field(h, F_NAMESIZE, &bad);
	hd->check = 0;
	type = e->mode & S_IFMT;
	e->uid = e->gid = e->mtime = 0;
	if (type != S_IFLNK) {
		e->uid = field(h, F_UID, &bad);
		e->gid = field(h, F_GID, &bad);
		e->mtime = field(h, F_MTIME, &bad);
	}
	e->nlink = e->ino = e->dev_major = e->dev_minor = 0;
	if (type == S_IFREG) {
		/* GNU cpio sums only regular files' data. */
		if (hd->has_crc)
			hd->check = field(h, F_CHECK, &bad);
		/* Hard links are told by ino and device, where nlink > 1. */
		e->nlink = field(h, F_NLINK, &bad);
		if (e->nlink > 1) {
			e->ino = field(h, F_INO, &bad);
			e->dev_major = field(h, F_DEVMAJOR, &bad);
			e->dev_minor = field(h, F_DEVMINOR, &bad);
		}
	}
	e->rdev_major = e->rdev_minor = 0;
	if (type == S_IFCHR || type == S_IFBLK) {
		e->rdev_major = field(h, F_RDEVMAJOR, &bad);
		e->rdev_minor = field(h, F_RDEVMINOR, &bad);
	}
	return bad & BYTES(0x80) ? -EINVAL : 0;
}

/*
 * Returns the offset of pos rounded up to 4, or 0 if that is past len.
 * (pos is never 0 here: it follows at least a header.)
 */
static size_t
pad4(size_t pos, size_t len)
{
	size_t padded = ALIGN_UP(pos, (size_t)4);

	return padded < pos || padded > len ? 0 : padded;
}

static void
strip_prefix(struct cpio_entry *e)
{
	for (;;) {
		if (e->name[0] == '/') {
			e->name++;
			e->name_len--;
		} else if (e->name[0] == '.' && e->name[1] == '/') {
			e->name += 2;
			e->name_len -= 2;
		} else {
			break;
		}
	}
	if (e->name_len == 1 && e->name[0] == '.') {
		e->name++;
		e->name_len = 0;
	}
}

/*
 * Whether name[0..size) is a C string of size - 1 bytes: NUL-terminated,
 * no NUL inside. A word at a time (a NUL byte is a borrow into its top
 * bit); size is at least 1.
 */
static bool
name_ok(const uint8_t *name, size_t size)
{
	size_t i = 0, len = size - 1;

	if (name[len] != 0)
		return false;
	for (; len - i >= 8; i += 8) {
		uint64_t w = load64(name + i);
		if ((w - BYTES(1)) & ~w & BYTES(0x80))
			return false;
	}
	for (; i < len; i++)
		if (name[i] == 0)
			return false;
	return true;
}

static uint32_t
checksum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;

	while (n-- > 0)
		sum += *p++;
	return sum;
}

/* Parses the member at it->pos; returns 1, 0 (trailer) or -errno. */
static int
read_member(struct cpio_iter *it, struct cpio_entry *e)
{
	struct header hd;
	size_t name_pos, data_pos, end;
	const char *name;
	int err;

	err = parse_header(it, e, &hd);
	if (err < 0)
		return err;
	name_pos = it->pos + HEADER_LEN;
	if (hd.namesize == 0 || hd.namesize > it->len - name_pos)
		return -EINVAL;
	name = (const char *)it->buf + name_pos;
	if (!name_ok((const uint8_t *)name, hd.namesize))
		return -EINVAL;	/* unterminated, or a NUL inside */
	/* An empty last member may end without its padding. */
	data_pos = pad4(name_pos + hd.namesize, it->len);
	if (data_pos == 0 && hd.filesize == 0)
		data_pos = it->len;
	if (data_pos == 0 || hd.filesize > it->len - data_pos)
		return -EINVAL;
	end = data_pos + hd.filesize;
	/* The next header, if any, starts 4-aligned; the last may end short. */
	it->pos = pad4(end, it->len);
	if (it->pos == 0)
		it->pos = it->len;
	if (hd.namesize == sizeof(TRAILER) && strcmp(name, TRAILER) == 0)
		return 0;
	/* GNU cpio sums only regular files' data (symlinks get 0). */
	if (hd.has_crc && (e->mode & S_IFMT) == S_IFREG &&
	    checksum(it->buf + data_pos, hd.filesize) != hd.check)
		return -EIO;

	e->name = name;
	e->name_len = hd.namesize - 1;
	strip_prefix(e);
	e->data = it->buf + data_pos;
	e->size = hd.filesize;
	e->archive = it->archive;
	return 1;
}

/*
 * After a trailer: skips the zero bytes that pad an archive (cpio pads to
 * 512, a bootloader or cat may add more). Returns 1 if another archive
 * starts there, 4-aligned as Linux requires, 0 at the end of the buffer,
 * -EINVAL for anything else.
 */
static int
next_archive(struct cpio_iter *it)
{
	while (it->pos < it->len && it->buf[it->pos] == 0)
		it->pos++;
	if (it->pos == it->len)
		return 0;
	return it->pos % 4 == 0 ? 1 : -EINVAL;
}

/* Returns 1 for a member, 0 at the last trailer, or -errno; see cpio.h. */
int
cpio_next(struct cpio_iter *it, struct cpio_entry *e)
{
	int r;

	if (it->state == 1)
		return 0;
	if (it->state < 0)
		return it->state;
	for (;;) {
		r = read_member(it, e);
		if (r != 0)
			break;
		r = next_archive(it);	/* 1: read its first member */
		if (r != 1)
			break;
		it->archive++;
	}
	if (r <= 0)
		it->state = r == 0 ? 1 : r;
	return r;
}
