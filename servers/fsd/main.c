/*
 * fsd: Petrel's storage server. It owns the virtio-blk device that init
 * passes on (PETREL_DEVICE) and serves the ext2 file system on it to the
 * kernel on the channel init mounted (PETREL_SERVE; serve.c):
 *
 *   fsd [-v] [--read-only] [--source NAME] [--file PATH]
 *       serves until the kernel unmounts the tree; NAME (default
 *       /dev/vda, or PATH) is what /proc/mounts shows; with --file, the
 *       disk is the file or block device PATH (a loop device that
 *       mount(2) named: init's mounter starts fsd so), and a disk that
 *       cannot be mounted ends fsd once it has told the kernel why
 *   fsd --probe [--write-test] [--max-request BYTES]
 *       reports the disk, reads its first sectors; --write-test writes a
 *       pattern over the disk's last MiB in many requests at once, flushes,
 *       reads it back and compares; --max-request caps one virtio request
 *       (to test the driver's splitting). Prints "fsd probe: ok", exit 0.
 */
#include "fsd.h"
#include "vblk.h"
#include "blkfile.h"
#include <petrel/native.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IRQ_BIT 0

#define TEST_BYTES (1u << 20)
#define TEST_SECTORS (TEST_BYTES / BLK_SECTOR)
/* The write test's requests: the first half in big ones, the rest in
   pages, more than a ring holds at once. */
#define TEST_BIG 8
#define TEST_SMALL 128
#define TEST_REQUESTS (TEST_BIG + TEST_SMALL)

static struct vblk disk;
static struct blkdev file_disk;
static struct blkfile_stats file_stats;

static int
handle_from_env(const char *name)
{
	const char *s = getenv(name);
	return s ? atoi(s) : 0;
}

/*
 * Opens the virtio-blk device named by PETREL_DEVICE as b, its interrupts
 * on bit IRQ_BIT of a new notification, which the driver waits on. Returns
 * 0, or -errno after a message on stderr.
 */
static int
device_setup(struct vblk *b)
{
	int dev = handle_from_env("PETREL_DEVICE");
	if (dev <= 0) {
		fprintf(stderr, "fsd: no device handle (PETREL_DEVICE): "
				"init starts fsd with device=virtio-blk\n");
		return -ENODEV;
	}
	long n = pt_notify_create();
	if (n < 0) {
		fprintf(stderr, "fsd: notify_create: %s\n", strerror((int)-n));
		return (int)n;
	}
	int e = vblk_open(b, (pt_handle_t)dev, (pt_handle_t)n, IRQ_BIT);
	if (e < 0) {
		fprintf(stderr, "fsd: virtio-blk: %s\n", strerror(-e));
		pt_handle_close((pt_handle_t)n);
	}
	return e;
}

/* ---- The probe ---------------------------------------------------------- */

static int
probe_fail(const char *what, int e)
{
	printf("fsd probe: %s: %s (%d)\n", what, strerror(-e), e);
	return 1;
}

static void
report(struct vblk *b)
{
	uint64_t sectors = b->blk.sectors;
	printf("fsd: virtio-blk on %s: %" PRIu64 " sectors (%" PRIu64 " MiB), "
	       "read-only %s, flush %s\n",
	       b->v.bus == PT_BUS_PCI ? "pci" : "mmio", sectors,
	       sectors / 2048, b->blk.read_only ? "yes" : "no",
	       b->has_flush ? "yes" : "no");
	char seg_max[16] = "none", size_max[16] = "none";
	if (b->seg_max != UINT32_MAX)
		snprintf(seg_max, sizeof(seg_max), "%" PRIu32, b->seg_max);
	if (b->size_max != UINT32_MAX)
		snprintf(size_max, sizeof(size_max), "%" PRIu32, b->size_max);
	printf("fsd: seg_max %s, size_max %s, blk_size %" PRIu32 ", queue %u, "
	       "request_max %" PRIu32 "\n", seg_max, size_max, b->blk_size,
	       b->q.size, b->request_max);
}

/* Sectors 0-7: the ext2 superblock, at byte 1024, has its magic at 56. */
static int
read_start(struct vblk *b)
{
	uint8_t *buf = b->blk.alloc(&b->blk, 4096);
	if (buf == NULL)
		return probe_fail("alloc", -ENOMEM);
	struct blk_io io = { .sector = 0, .buf = buf, .len = 4096 };
	int e = b->blk.rw(&b->blk, &io, 1);
	if (e < 0)
		return probe_fail("read sectors 0-7", e);
	bool ext2 = buf[1024 + 56] == 0x53 && buf[1024 + 57] == 0xef;
	printf("fsd: read sectors 0-7: %s\n",
	       ext2 ? "an ext2 superblock" : "no ext2 superblock");
	return 0;
}

/* Requests past the end are refused, and nothing else goes wrong. */
static int
check_bounds(struct vblk *b)
{
	uint8_t *buf = b->blk.alloc(&b->blk, 4096);
	if (buf == NULL)
		return probe_fail("alloc", -ENOMEM);
	uint64_t end = b->blk.sectors;
	struct blk_io io[2] = {
		{ .sector = end, .buf = buf, .len = BLK_SECTOR },
		{ .sector = end - 1, .buf = buf, .len = 2 * BLK_SECTOR },
	};
	int e = b->blk.rw(&b->blk, io, 2);
	if (e != -EINVAL || io[0].status != -EINVAL || io[1].status != -EINVAL)
		return probe_fail("a read past the end was not refused",
				  e ? e : -EIO);
	return 0;
}

/* The pattern of absolute sector s, which the system test checks too. */
static void
pattern(uint8_t *out, uint64_t s)
{
	int head = snprintf((char *)out, BLK_SECTOR,
			    "fsd-probe sector %" PRIu64 "\n", s);
	for (unsigned j = (unsigned)head; j < BLK_SECTOR; j++)
		out[j] = (uint8_t)(s * 131 + j);
}

static int
write_test(struct vblk *b)
{
	if (b->blk.sectors < TEST_SECTORS + 8)
		return probe_fail("the disk is too small for the write test",
				  -ENOSPC);
	/* Over four MiB: the read-back buffer straddles two DMA chunks. */
	uint8_t *mem = b->blk.alloc(&b->blk, 5u << 20);
	if (mem == NULL)
		return probe_fail("alloc of 5 MiB", -ENOMEM);
	uint8_t *out = mem, *in = mem + (4u << 20) - TEST_BYTES / 2;
	uint64_t first = b->blk.sectors - TEST_SECTORS;
	for (unsigned i = 0; i < TEST_SECTORS; i++)
		pattern(out + i * BLK_SECTOR, first + i);
	struct blk_io io[TEST_REQUESTS];
	uint32_t off = 0;
	for (unsigned i = 0; i < TEST_REQUESTS; i++) {
		uint32_t len = i < TEST_BIG ? TEST_BYTES / 2 / TEST_BIG
					    : TEST_BYTES / 2 / TEST_SMALL;
		io[i] = (struct blk_io){ .sector = first + off / BLK_SECTOR,
					 .buf = out + off, .len = len,
					 .write = true };
		off += len;
	}
	int e = b->blk.rw(&b->blk, io, TEST_REQUESTS);
	if (e < 0)
		return probe_fail("write", e);
	if ((e = b->blk.flush(&b->blk)) < 0)
		return probe_fail("flush", e);
	memset(in, 0, TEST_BYTES);
	struct blk_io back = { .sector = first, .buf = in, .len = TEST_BYTES };
	if ((e = b->blk.rw(&b->blk, &back, 1)) < 0)
		return probe_fail("read back", e);
	for (unsigned i = 0; i < TEST_SECTORS; i++) {
		size_t at = (size_t)i * BLK_SECTOR;
		if (memcmp(in + at, out + at, BLK_SECTOR) != 0) {
			printf("fsd probe: sector %" PRIu64
			       " read back differs\n", first + i);
			return 1;
		}
	}
	printf("fsd: wrote %u KiB at sector %" PRIu64 " in %u requests, "
	       "flushed, read it back in one: the same\n", TEST_BYTES / 1024,
	       first, TEST_REQUESTS);
	return 0;
}

static int
probe(struct vblk *b, bool writes)
{
	report(b);
	if (read_start(b) || check_bounds(b) || (writes && write_test(b)))
		return 1;
	printf("fsd: %" PRIu64 " virtio requests, %" PRIu64 " interrupts\n",
	       b->requests, b->interrupts);
	printf("fsd probe: ok\n");
	return 0;
}

static int
usage(void)
{
	fprintf(stderr, "usage: fsd [-v] [--read-only] [--source NAME] "
			"[--file PATH]\n"
			"       fsd --probe [--write-test] [--max-request BYTES]\n");
	return 2;
}

static int
serve(const struct fsd_options *opts, const char *file)
{
	int chan = handle_from_env("PETREL_SERVE");
	if (chan <= 0) {
		fprintf(stderr, "fsd: no channel (PETREL_SERVE): init starts "
				"fsd with mount=PATH\n");
		return 1;
	}
	if (!file) {
		if (device_setup(&disk) < 0)
			return 1;
		return fsd_serve(&disk.blk, (pt_handle_t)chan, opts);
	}
	int e = blkfile_open(&file_disk, file, opts->read_only, &file_stats);
	if (e < 0) {
		fprintf(stderr, "fsd: %s: %s\n", file, strerror(-e));
		/* The kernel's HELLO learns why, as for a bad disk. */
		struct fsd_options once = *opts;
		once.once = true;
		return fsd_refuse((pt_handle_t)chan, e, &once);
	}
	return fsd_serve(&file_disk, (pt_handle_t)chan, opts);
}

int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	bool probing = false, writes = false;
	const char *file = NULL;
	long max_request = 0;
	struct fsd_options opts = { .source = "/dev/vda" };
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0)
			opts.verbose = true;
		else if (strcmp(argv[i], "--read-only") == 0)
			opts.read_only = true;
		else if (strcmp(argv[i], "--source") == 0 && i + 1 < argc)
			opts.source = argv[++i];
		else if (strcmp(argv[i], "--file") == 0 && i + 1 < argc)
			file = argv[++i];
		else if (strcmp(argv[i], "--probe") == 0)
			probing = true;
		else if (strcmp(argv[i], "--write-test") == 0)
			writes = true;
		else if (strcmp(argv[i], "--max-request") == 0 && i + 1 < argc)
			max_request = atol(argv[++i]);
		else
			return usage();
	}
	if (file) {
		opts.once = true;
		if (strcmp(opts.source, "/dev/vda") == 0)
			opts.source = file;
	}
	if (!probing)
		return serve(&opts, file);
	if (device_setup(&disk) < 0)
		return 1;
	if (max_request > UINT32_MAX)
		max_request = UINT32_MAX;
	if (max_request > 0)
		vblk_limit(&disk, (uint32_t)max_request);
	return probe(&disk, writes);
}
