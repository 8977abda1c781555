#!/usr/bin/env python3
# Boots: the default image on microvm (virtio-mmio), q35 and pc (virtio-pci
#        with MSI-X), each with a scratch disk that `./petrel run --disk`
#        makes (an empty ext2 file system) and no network.
# Does:  gives the one-shot command the virtio-blk device (--device) and
#        runs `fsd --probe --write-test`: fsd reads the ext2 superblock,
#        checks that requests past the end are refused, writes a pattern
#        over the disk's last MiB in 136 requests at once (more than the
#        ring holds), flushes, and reads it back in one request that
#        crosses two DMA chunks; on q35 with requests capped at 12 KiB, so
#        the driver splits them. Then the same on a read-only disk
#        (--disk-ro), and fsd without a device.
# Expects: "fsd probe: ok" and the pattern in the image file's last MiB;
#        on the read-only disk the write fails with EROFS (exit 1) and the
#        image is unchanged; without a device fsd fails cleanly (exit 1).
import hashlib, os, subprocess, sys, tempfile
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_in, expect_lines, expect_status, fail, passed

SECTOR = 512
TEST_BYTES = 1 << 20


def pattern(sector):
	"""What fsd's write test puts in absolute sector (servers/fsd/main.c)."""
	head = b"fsd-probe sector %d\n" % sector
	return head + bytes((sector * 131 + j) & 0xff
			    for j in range(len(head), SECTOR))


def expect_pattern(path):
	with open(path, "rb") as f:
		data = f.read()
	last = len(data) // SECTOR
	first = last - TEST_BYTES // SECTOR
	for sector in range(first, last):
		got = data[sector * SECTOR:(sector + 1) * SECTOR]
		if got != pattern(sector):
			fail("%s: sector %d does not hold the pattern" % (path, sector))


def probe(machine, disk_option, image, *fsd_args):
	return boot(["/sbin/fsd", "--probe"] + list(fsd_args), machine=machine,
		    extra=[disk_option, image, "--disk-size", "8M",
			   "--device", "virtio-blk", "--net", "none"])


def digest(path):
	with open(path, "rb") as f:
		return hashlib.sha256(f.read()).hexdigest()


with tempfile.TemporaryDirectory(prefix="fsd-probe-") as tmp:
	for machine, limit in (("microvm", []), ("q35", ["--max-request", "12288"]),
			       ("pc", [])):
		image = os.path.join(tmp, machine + ".img")
		result = probe(machine, "--disk", image, "--write-test", *limit)
		expect_status(result, 0)
		if "made an empty ext2 file system of 8M" not in result.errors:
			fail("petrel did not say that it made %s" % image)
		expect_lines(result, [
			"fsd: read sectors 0-7: an ext2 superblock",
			"fsd probe: ok",
		])
		expect_pattern(image)

	image = os.path.join(tmp, "ro.img")
	subprocess.run(["mke2fs", "-q", "-t", "ext2", "-F", image, "8M"],
		       check=True, capture_output=True)
	before = digest(image)
	result = probe("microvm", "--disk-ro", image, "--write-test")
	expect_status(result, 1)
	expect_in(result, "read-only yes")
	expect_lines(result, ["fsd probe: write: Read-only file system (-30)"])
	if digest(image) != before:
		fail("the read-only image changed")

result = boot(["/sbin/fsd", "--probe"], extra=["--net", "none"])
expect_status(result, 1)
passed()
