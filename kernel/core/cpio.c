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
    "parse_hex reads the first digit from the lowest byte");

#define BYTES(b) (0x0101010101010101ull * (b))
/* Each byte's top bit: set where that byte of x (below 0x80) is >= k. */
#define BYTES_GE(x, k) (((x) + BYTES(0x80 - (k))) & BYTES(0x80))

/*
 * Returns 0 and the value of 8 hex digits at p, or -EINVAL. All eight at
 * once, a byte each in one 64-bit word (the boot parses some 100 digits a
 * file: a digit at a time cost about 12 instructions).
 */
static int
parse_hex(const uint8_t *p, uint32_t *out)
{
	uint64_t x, folded, digit, letter, nib, pairs, quads;

	/* One load, even in a kernel built with -fno-builtin. */
	__builtin_memcpy(&x, p, FIELD_LEN);
	if (x & BYTES(0x80))
		return -EINVAL;
	folded = x & BYTES(0xdf);	/* 'a'-'f' as 'A'-'F' */
	digit = BYTES_GE(x, '0') & ~BYTES_GE(x, '9' + 1);
	letter = BYTES_GE(folded, 'A') & ~BYTES_GE(folded, 'F' + 1);
	if ((digit | letter) != BYTES(0x80))
		return -EINVAL;
	/* '0'-'9' and 'A'-'F' end in 0-9 and 1-6: letters add 9. */
	nib = (x & BYTES(0x0f)) + (letter >> 7) * 9;
	/* The first digit is the most significant: pairs, then fours. */
	pairs = ((nib << 4) | (nib >> 8)) & 0x00ff00ff00ff00ffull;
	quads = ((pairs << 8) | (pairs >> 16)) & 0x0000ffff0000ffffull;
	*out = (uint32_t)((quads << 16) | (quads >> 32));
	return 0;
}

/* Returns 0 and the header fields at it->pos, or -EINVAL. */
static int
parse_header(const struct cpio_iter *it, uint32_t f[F_COUNT], bool *has_crc)
{
	const uint8_t *h = it->buf + it->pos;
	int i;

	if (it->len - it->pos < HEADER_LEN)
		return -EINVAL;
	if (memcmp(h, "070701", MAGIC_LEN) == 0)
		*has_crc = false;
	else if (memcmp(h, "070702", MAGIC_LEN) == 0)
		*has_crc = true;
	else
		return -EINVAL;
	for (i = 0; i < F_COUNT; i++)
		if (parse_hex(h + MAGIC_LEN + i * FIELD_LEN, &f[i]) < 0)
			return -EINVAL;
	return 0;
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
	uint32_t f[F_COUNT];
	bool has_crc;
	size_t name_pos, data_pos, end;
	const char *name;
	int err;

	err = parse_header(it, f, &has_crc);
	if (err < 0)
		return err;
	name_pos = it->pos + HEADER_LEN;
	if (f[F_NAMESIZE] == 0 || f[F_NAMESIZE] > it->len - name_pos)
		return -EINVAL;
	name = (const char *)it->buf + name_pos;
	if (strnlen(name, f[F_NAMESIZE]) != f[F_NAMESIZE] - 1)
		return -EINVAL;	/* unterminated, or a NUL inside */
	/* An empty last member may end without its padding. */
	data_pos = pad4(name_pos + f[F_NAMESIZE], it->len);
	if (data_pos == 0 && f[F_FILESIZE] == 0)
		data_pos = it->len;
	if (data_pos == 0 || f[F_FILESIZE] > it->len - data_pos)
		return -EINVAL;
	end = data_pos + f[F_FILESIZE];
	/* The next header, if any, starts 4-aligned; the last may end short. */
	it->pos = pad4(end, it->len);
	if (it->pos == 0)
		it->pos = it->len;
	if (strcmp(name, TRAILER) == 0)
		return 0;
	/* GNU cpio sums only regular files' data (symlinks get 0). */
	if (has_crc && (f[F_MODE] & S_IFMT) == S_IFREG &&
	    checksum(it->buf + data_pos, f[F_FILESIZE]) != f[F_CHECK])
		return -EIO;

	e->name = name;
	e->name_len = f[F_NAMESIZE] - 1;
	strip_prefix(e);
	e->ino = f[F_INO];
	e->mode = f[F_MODE];
	e->uid = f[F_UID];
	e->gid = f[F_GID];
	e->nlink = f[F_NLINK];
	e->mtime = f[F_MTIME];
	e->dev_major = f[F_DEVMAJOR];
	e->dev_minor = f[F_DEVMINOR];
	e->rdev_major = f[F_RDEVMAJOR];
	e->rdev_minor = f[F_RDEVMINOR];
	e->data = it->buf + data_pos;
	e->size = f[F_FILESIZE];
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
