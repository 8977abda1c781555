#!/usr/bin/env python3
# Boots: the default image on microvm (TCG, 1 vCPU).
# Does:  mounts a tmpfs on /tmp/r holding BusyBox and a directory new;
#        from a shell in a new mount namespace (unshare -m) chrooted
#        there, mounts a tmpfs on /new and runs pivot_root /new
#        /new/old; then the same from a shell chrooted there without a
#        namespace of its own, which also mounts proc in the new root,
#        shows its mountinfo's mount points, and unmounts the old root
#        and proc; then, from the first root, lists /tmp/r, shows its
#        /proc/mounts lines for /tmp/r and unmounts it.
# Expects: the first pivot_root is EBUSY ("Resource busy": the root's
#        mount is the initial namespace's too, and Petrel's namespaces
#        share the mount table's entries, so a pivot there would change
#        that namespace's tree as well); the second succeeds and its
#        shell sees "/", "/old" and "/proc" as mount points, then "/"
#        alone; outside, /tmp/r is now the new tmpfs (holding old and
#        proc), one line of /proc/mounts, which unmounts (no panic from
#        the proc mount gone before it); exit status 0.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

inner = "; ".join([
	"B=/bin/busybox",
	"$B mount -t tmpfs none /new",
	"$B mkdir /new/old /new/proc /new/bin",
	"$B cp $B /new/bin/",
	"$B pivot_root /new /new/old && echo pivoted",
	"$B mount -t proc proc /proc",
	"echo points $($B cut -d\" \" -f5 /proc/self/mountinfo | $B sort)",
	"$B umount -l /old",
	"echo points $($B cut -d\" \" -f5 /proc/self/mountinfo | $B sort)",
	"$B umount /proc",
])
script = "; ".join([
	"mkdir -p /tmp/r", "mount -t tmpfs none /tmp/r",
	"mkdir /tmp/r/new /tmp/r/bin", "cp /bin/busybox /tmp/r/bin/",
	"unshare -m chroot /tmp/r /bin/busybox sh -c "
	"'B=/bin/busybox; $B mount -t tmpfs none /new; $B mkdir /new/old;"
	" $B pivot_root /new /new/old 2>&1 | $B grep -c busy'",
	"chroot /tmp/r /bin/busybox sh -c '%s'" % inner,
	"echo in $(ls /tmp/r)",
	"grep -c ' /tmp/r ' /proc/mounts",
	"umount /tmp/r && echo unmounted",
])
result = boot(script)
expect_status(result, 0)
expect_lines(result, ["1", "pivoted", "points / /old /proc", "points / /proc",
		      "in bin old proc", "1", "unmounted"])
passed()
