#!/usr/bin/env python3
# Boots: the test image on microvm (TCG, 1 vCPU, 128 MiB).
# Does:  as uid 65534 (/test/bin/memfill) fills /tmp (the root tmpfs)
#        until a write fails, then as root writes a file there, runs
#        commands and removes both; fills memory with anonymous pages as
#        uid 65534, then runs a command as root; mounts a tmpfs of
#        size=0 (no limit) and fills it as uid 65534 until memory runs
#        short, then writes there as root; mounts a tmpfs with size=4m,
#        fills it, remounts it with size=1m and size=8m.
# Expects: the root tmpfs's size (statfs) is half of memory, and uid 65534
#        gets ENOSPC below it (5% stays root's) while root can still
#        write; the anonymous hog is killed (SIGKILL, as by Linux's OOM
#        killer, and the kernel log says "Out of memory: Killed process")
#        at the page reserve and root then runs; the unlimited tmpfs stops uid 65534 at the
#        reserve and root writes into it; df shows 4096 KiB, uid 65534
#        stops at 3892 KiB, size=1m is refused, df then shows 8192 KiB.
import os, re, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, fail, passed

SCRIPT = """
free -k | awk '/^Mem:/ {print "total:", $2}'
stat -f -c 'root: %S-byte blocks %b' /
/test/bin/memfill file /tmp/fill
echo root-can-write > /tmp/rootfile && cat /tmp/rootfile
ls /tmp >/dev/null && rm /tmp/fill /tmp/rootfile && echo removed
/test/bin/memfill anon
echo alive
mkdir -p /big /mnt
mount -t tmpfs -o size=0,mode=1777 none /big
/test/bin/memfill file /big/fill
echo root-in-reserve > /big/r && cat /big/r && rm /big/fill /big/r
mount -t tmpfs -o size=4m,mode=1777 none /mnt && df -k /mnt | tail -1
/test/bin/memfill file /mnt/fill
mount -o remount,size=1m /mnt 2>/dev/null || echo "size=1m refused"
mount -o remount,size=8m /mnt && df -k /mnt | tail -1
"""

result = boot(["sh", "-c", SCRIPT], test_image=True, extra=["--mem", "128M"])
expect_status(result, 0)
expect_lines(result, [
	"root-can-write",
	"removed",
	"alive",
	"root-in-reserve",
	"none                      4096         0      3892   0% /mnt",
	"file: ENOSPC after 3892 KiB",
	"size=1m refused",
	"none                      8192      3892      3892  50% /mnt",
])


def number(pattern):
	m = re.search(pattern, result.output)
	if not m:
		fail("no line matching %r" % pattern)
	return int(m.group(1))


total_kib = number(r"total: (\d+)")
size_kib = number(r"root: 4096-byte blocks (\d+)") * 4
if not 0.45 * total_kib <= size_kib <= 0.5 * total_kib:
	fail("the root tmpfs holds %d KiB of %d KiB of memory, not half"
	     % (size_kib, total_kib))
fills = [int(k) for k in re.findall(r"file: ENOSPC after (\d+) KiB",
				     result.output)]
if len(fills) != 3:
	fail("expected three fills to end in ENOSPC, got %r" % fills)
if not 0.5 * size_kib <= fills[0] <= 0.95 * size_kib:
	fail("uid 65534 wrote %d KiB of a %d KiB tmpfs" % (fills[0], size_kib))
if not size_kib < fills[1] < total_kib:
	fail("uid 65534 wrote %d KiB into an unlimited tmpfs" % fills[1])
if "anon: child killed by signal 9 after" not in result.output:
	fail("the anonymous memory hog was not killed (SIGKILL)")
if not re.search(r"Out of memory: Killed process \d+ \(memfill\)",
		 result.output):
	fail("no 'Out of memory: Killed process N (memfill)' line")
passed()
