#!/usr/bin/env python3
# Boots: the default image on microvm, once.
# Does:  runs a shell script using BusyBox applets: ls /, mkdir, cat, find,
#        sort, grep (-c, -l -r), sed, awk, rm -r in /tmp, then ps, free,
#        uptime and mount, which read /proc.
# Expects: exit status 0 and one "applet: result" line per check; "/" holds
#        bin, dev, proc, sbin and tmp, and /proc is mounted as proc.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, fail, passed

SCRIPT = r"""
ls / > /tmp/root-listing
for d in bin dev proc sbin tmp; do
	grep -qx "$d" /tmp/root-listing || echo "ls: /$d missing"
done
echo "ls: done"
mkdir -p /tmp/petrel-t/sub
echo data > /tmp/petrel-t/sub/file.txt
echo other > /tmp/petrel-t/b.txt
echo "cat: $(cat /tmp/petrel-t/sub/file.txt)"
echo "find: $(cd /tmp/petrel-t && find . -name '*.txt' | sort | tr '\n' ' ')"
echo "sort: $(printf '3\n1\n2\n' | sort -n | tr '\n' ' ')"
echo "grep: $(printf 'alpha\nbeta\ngamma\n' | grep -c a) $(grep -l -r data /tmp/petrel-t)"
echo "sed: $(echo 'key=1' | sed 's/1/2/')"
echo "awk: $(echo '3 4' | awk '{ print $1 * $2 + 30 }')"
rm -r /tmp/petrel-t
if [ -e /tmp/petrel-t ]; then echo "rm: failed"; else echo "rm: done"; fi
echo "ps: $(ps | awk 'NR == 1 && /PID/ { h = 1 } END { print (h && NR >= 3) ? "ok" : "bad" }')"
free | grep -q '^Mem:' && echo "free: ok"
uptime | grep -q 'load average' && echo "uptime: ok"
mount | grep -q ' on /proc type proc' && echo "mount: ok"
true
"""

result = boot(SCRIPT)
expect_status(result, 0)
expect_lines(result, [
	"ls: done",
	"cat: data",
	"find: ./b.txt ./sub/file.txt",
	"sort: 1 2 3",
	"grep: 3 /tmp/petrel-t/sub/file.txt",
	"sed: key=2",
	"awk: 42",
	"rm: done",
	"ps: ok",
	"free: ok",
	"uptime: ok",
	"mount: ok",
])
missing = [line for line in result.lines if line.startswith("ls: /")]
if missing:
	fail("; ".join(missing))
passed()
