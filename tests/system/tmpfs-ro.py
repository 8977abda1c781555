#!/usr/bin/env python3
# Boots: the default image on microvm (TCG, 1 vCPU).
# Does:  mounts a tmpfs on /tmp/ro, makes a file and a directory there,
#        remounts it read-only (mount -o remount,ro), tries to change it
#        every way BusyBox can (create, write, mkdir, rmdir, rm, mv, ln,
#        chmod, chown, touch, truncate), reads the file, shows its line of
#        /proc/mounts, then remounts it read-write and creates a file,
#        and unmounts it: from a shell whose cwd is in it, with a file of
#        it open, then with neither.
# Expects: every change fails with "Read-only file system" (EROFS, as
#        Linux's tmpfs mounted ro answers before any permission check),
#        reading still works, /proc/mounts says ro then rw, and after the
#        second remount the file is made; umount is EBUSY while a shell's
#        cwd or an open file is there, then unmounts it (the directory
#        empty again); exit status 0.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

tries = [
	("create", "echo x > /tmp/ro/new"),
	("write", "echo x >> /tmp/ro/file"),
	("mkdir", "mkdir /tmp/ro/d2"),
	("rmdir", "rmdir /tmp/ro/d"),
	("rm", "rm -f /tmp/ro/file"),
	("mv", "mv /tmp/ro/file /tmp/ro/moved"),
	("ln", "ln /tmp/ro/file /tmp/ro/link"),
	("chmod", "chmod 600 /tmp/ro/file"),
	("chown", "chown 1 /tmp/ro/file"),
	("touch", "touch /tmp/ro/file"),
	("truncate", "truncate -s 0 /tmp/ro/file"),
]
script = "; ".join([
	"mkdir -p /tmp/ro", "mount -t tmpfs none /tmp/ro", "mkdir /tmp/ro/d", "echo data > /tmp/ro/file",
	"mount -o remount,ro /tmp/ro",
] + ["{ %s; } 2>/tmp/e; echo %s: $(grep -c 'Read-only file system' /tmp/e)"
     % (cmd, name) for name, cmd in tries] + [
	"cat /tmp/ro/file",
	"grep ' /tmp/ro ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1",
	"mount -o remount,rw /tmp/ro",
	"grep ' /tmp/ro ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1",
	"echo y > /tmp/ro/new && echo made",
	"(cd /tmp/ro && umount /tmp/ro 2>&1 | grep -c busy)",
	"exec 3</tmp/ro/new; umount /tmp/ro 2>&1 | grep -c busy; exec 3<&-",
	"umount /tmp/ro && echo unmounted $(grep -c ' /tmp/ro ' /proc/mounts)",
	"ls /tmp/ro | wc -l",
])
result = boot(script)
expect_status(result, 0)
expect_lines(result, ["%s: 1" % name for name, _ in tries] +
	     ["data", "ro", "rw", "made", "1", "1", "unmounted 0", "0"])
passed()
