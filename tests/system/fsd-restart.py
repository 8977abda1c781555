#!/usr/bin/env python3
# Boots: the default image on microvm, no network, with an empty 64M ext2
#        disk of 1 KiB blocks.
# Does:  writes three files and a dir, fsyncs them (BusyBox `sync FILE`),
#        holds one open on fd 3, starts a writer loop (dd of new files, an
#        appended log), then kills fsd with SIGKILL; reads fd 3; waits for
#        the files to be back under /data; stops the writer; creates and
#        reads a new file; checks the fsynced files; powers off.
# Expects: reading the fd held across the kill fails (EIO); init starts a
#        new fsd within a few seconds; the new file reads back; the fsynced
#        files are intact (in the guest, and by debugfs cat on the host);
#        after power-off e2fsck -fy repairs what it must (status 0 or 1;
#        what it said is printed) and then e2fsck -fn finds nothing.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import expect_lines, expect_status, fail, passed
from fsdlib import (boot_disk, debugfs_cat, e2fsck_clean, e2fsck_repair,
		    guest_sums, mkfs, need_e2fsprogs, scratch, sha256,
		    summarize_repairs, tagged)

SCRIPT = """D=/data
dd if=/dev/urandom of=$D/kept bs=1k count=300 2>/dev/null
echo keep >$D/kept2; mkdir $D/d; echo three >$D/d/kept3
sync $D/kept $D/kept2 $D/d/kept3 $D/d $D && echo synced
sha256sum $D/kept $D/kept2 $D/d/kept3 | tee /tmp/sums | sed 's/^/SUM /'
exec 3<$D/kept2
(i=0; while :; do dd if=/dev/urandom of=$D/w$i bs=1k count=$((i%50+1)); echo $i >>$D/wlog; i=$((i+1)); done) 2>/dev/null &
w=$!
sleep 1
old=$(pidof fsd); kill -9 $old && echo killed $old
cat <&3 >/dev/null 2>/tmp/err && echo read-ok || echo read-failed $(cat /tmp/err)
n=0; until [ -f $D/kept ] || [ $n = 100 ]; do n=$((n+1)); sleep 0.1; done
echo BACK $n
new=$(pidof fsd); [ -n "$new" ] && [ "$new" != "$old" ] && echo fsd-restarted
kill $w; wait $w 2>/dev/null
echo fresh >$D/fresh && [ "$(cat $D/fresh)" = fresh ] && echo create-ok
sha256sum -c -s /tmp/sums && echo kept-ok
echo WRITER $(ls $D | grep -c '^w[0-9]')
grep ' /data ' /proc/mounts
"""


need_e2fsprogs()
with scratch("fsd-restart") as tmp:
	image = os.path.join(tmp, "disk.img")
	mkfs(image, "64M", 1024)
	result = boot_disk(SCRIPT, image)
	expect_status(result, 0)
	expect_lines(result, ["synced"])
	killed = [l for l in result.lines if l.startswith("killed ")]
	if not killed:
		fail("fsd was not killed")
	expect_lines(result, ["read-failed cat: read error: Input/output error",
			      "fsd-restarted", "create-ok", "kept-ok"])
	back = int(tagged(result, "BACK")[0])
	if back >= 100:
		fail("/data did not come back within 10 s")
	print("fsd was back after %.1f s; the writer made %s files" % (
		back / 10, tagged(result, "WRITER")[0]), flush=True)
	said = e2fsck_repair(image)
	e2fsck_clean(image, "after e2fsck -fy")
	for path, digest in guest_sums(result, "SUM").items():
		data = debugfs_cat(image, path[len("/data"):])
		if sha256(data) != digest:
			fail("%s was fsynced before fsd was killed; now it holds "
			     "%d bytes of another sha256" % (path, len(data)))
	if debugfs_cat(image, "/fresh") != b"fresh\n":
		fail("/fresh, written after the restart, is not on the disk")
print("e2fsck -fy after fsd was killed: %s" % summarize_repairs(said))
passed()
