#!/usr/bin/env python3
# Boots: the default image on microvm, no network, three times on one
#        64M ext2 disk of 1 KiB blocks.
# Does:  boot 1 writes files (one of 700 KiB: double indirect blocks),
#        dirs, a symlink, a log, and their sha256sums to /data/SUMS1;
#        boot 2 checks SUMS1, then appends to the log, overwrites the
#        middle of the big file, truncates one file, removes one, renames a
#        directory, adds 100 small files and writes SUMS2; boot 3 checks
#        SUMS2 and that the removed and renamed names are gone.
# Expects: every check passes in the guest; after each boot e2fsck -fn
#        finds nothing, the superblock says clean, and debugfs cat gives
#        the bytes the guest summed.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import expect_lines, expect_status, fail, passed
from fsdlib import (boot_disk, debugfs_cat, e2fsck_clean, expect_clean_state,
		    mkfs, need_e2fsprogs, scratch, sha256)

SUMS = ("find . -path ./lost+found -prune -o -type f ! -name 'SUMS*' -print"
	" | sort | xargs sha256sum >%s; sync; echo wrote $(wc -l <%s) sums")

BOOT1 = """set -e; cd /data
dd if=/dev/urandom of=big bs=1k count=700 2>/dev/null
mkdir -p dir/sub keep; echo one >dir/sub/f; echo two >keep/f; echo gone >gone
seq 1 1000 >log; printf '%%05000d' 7 >trim; ln -s dir/sub/f link
""" + SUMS % ("SUMS1", "SUMS1")

BOOT2 = """set -e; cd /data
sha256sum -c -s SUMS1 && echo sums1-ok
[ "$(cat link)" = one ] && echo link-ok
seq 1001 2000 >>log
dd if=/dev/urandom of=big bs=1k seek=300 count=50 conv=notrunc 2>/dev/null
truncate -s 1234 trim; rm gone; mv dir moved
mkdir many; for i in $(seq 100); do echo $i >many/f$i; done
""" + SUMS % ("SUMS2", "SUMS2")

BOOT3 = """cd /data || exit 1
sha256sum -c -s SUMS2 && echo sums2-ok
[ ! -e gone ] && [ ! -e dir ] && [ -d moved/sub ] && echo names-ok
[ $(wc -l <log) = 2000 ] && [ $(wc -c <trim) = 1234 ] && echo sizes-ok
[ $(stat -c %s big) = 716800 ] && echo big-size-ok
[ "$(cat link 2>&1)" != one ] && echo link-dangles
"""


def check_host(image, sums_name, when):
	e2fsck_clean(image, when)
	expect_clean_state(image)
	listing = debugfs_cat(image, "/" + sums_name).decode()
	lines = listing.splitlines()
	if not lines:
		fail("%s is empty on the disk" % sums_name)
	for line in lines:
		digest, name = line.split("  ", 1)
		data = debugfs_cat(image, name[1:])
		if sha256(data) != digest:
			fail("%s: debugfs cat gives sha256 %s, %s says %s"
			     % (name, sha256(data), sums_name, digest))
	return len(lines)


need_e2fsprogs()
with scratch("fsd-reboot") as tmp:
	image = os.path.join(tmp, "disk.img")
	mkfs(image, "64M", 1024)

	result = boot_disk(BOOT1, image)
	expect_status(result, 0)
	expect_lines(result, ["wrote 6 sums"])
	check_host(image, "SUMS1", "after boot 1")

	result = boot_disk(BOOT2, image)
	expect_status(result, 0)
	expect_lines(result, ["sums1-ok", "link-ok", "wrote 105 sums"])
	check_host(image, "SUMS2", "after boot 2")

	result = boot_disk(BOOT3, image)
	expect_status(result, 0)
	expect_lines(result, ["sums2-ok", "names-ok", "sizes-ok", "big-size-ok",
			      "link-dangles"])
	check_host(image, "SUMS2", "after boot 3")
passed()
