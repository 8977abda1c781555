#!/usr/bin/env python3
# Boots: the test image on microvm, no network, twice on one 64M ext2 disk.
# Does:  boot 1 writes five files on /data through writable MAP_SHARED
#        mappings only (/test/bin/mapwrite, progs/mapwrite.c: ftruncate,
#        close, stores), each ended another way: msync(MS_SYNC), munmap,
#        plain exit, SIGKILL (the pages wait, dirty, for the unmount at
#        poweroff), and two processes storing into one mapping across
#        fork; boot 2 checks each file's bytes, then rewrites one through
#        a mapping and checks it again in the same boot, and runs
#        /test/bin/mapraces on a file boot 1 made (progs/mapraces.c:
#        faults that sleep for the server while another thread mprotects or replaces the mapping;
#        the fault must not map a page writable after the mprotect, nor
#        into the anonymous memory that replaced it). Where the host
#        has sqlite3, boot 3 packs it (docs/pack.md) and uses a database
#        on /data in WAL mode from three processes in turn: its -shm index
#        is a shared mapping of a /data file.
# Expects: every check passes in the guest; after each boot e2fsck -fn
#        finds nothing and debugfs cat gives the pattern's bytes; the
#        host's sqlite3 finds the database whole, with all three rows.
import os, shutil, subprocess, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import expect_lines, expect_status, fail, need_test_image, passed
from fsdlib import (boot_disk, debugfs_cat, e2fsck_clean, mkfs,
		    need_e2fsprogs, scratch)

# name, size, seed, how the writer ends
FILES = [("synced", 40000, 1, "msync"), ("unmapped", 12288, 2, "munmap"),
	 ("exited", 70001, 3, "exit"), ("killed", 9000, 4, "kill"),
	 ("forked", 33000, 5, "fork")]


def pattern(size, seed):
	return bytes((i * 7 + seed * 13 + i // 4096) & 0xff for i in range(size))


def write_script():
	lines = ["cd /data || exit 1", "/test/bin/mapraces make races"]
	for name, size, seed, how in FILES:
		lines.append("/test/bin/mapwrite write %s %d %d %s; echo %s=$?"
			     % (name, size, seed, how, name))
	return "\n".join(lines)


def check_script(names):
	return "\n".join(["cd /data || exit 1"] + [
		"/test/bin/mapwrite check %s %d %d" % (name, size, seed)
		for name, size, seed, how in FILES if name in names])


def check_host(image, when, seeds=None):
	e2fsck_clean(image, when)
	for name, size, seed, how in FILES:
		seed = (seeds or {}).get(name, seed)
		if debugfs_cat(image, name) != pattern(size, seed):
			fail("%s: the disk does not hold what the mapping stored "
			     "(%s, written then %s)" % (name, when, how))


need_e2fsprogs()
need_test_image()
with scratch("fsd-mmap") as tmp:
	image = os.path.join(tmp, "disk.img")
	mkfs(image, "64M", 1024)

	result = boot_disk(write_script(), image, test_image=True)
	expect_status(result, 0)
	said = ["made races"]
	for name, size, seed, how in FILES:
		said += ["wrote " + name, "%s=%d" % (name, 137 if how == "kill"
						     else 0)]
	expect_lines(result, said)
	check_host(image, "after boot 1")

	names = [f[0] for f in FILES]
	result = boot_disk(check_script(names) + "\n" +
			   "/test/bin/mapwrite write exited 70001 9 exit\n" +
			   "/test/bin/mapwrite check exited 70001 9\n" +
			   "/test/bin/mapraces races && rm races",
			   image, test_image=True)
	expect_status(result, 0)
	expect_lines(result, ["%s ok" % n for n in names] +
		     ["wrote exited", "exited ok", "mapraces ok"])
	check_host(image, "after boot 2", {"exited": 9})

	sqlite = shutil.which("sqlite3")
	if not sqlite:
		passed("ok (no sqlite3 on the host: WAL mode not tried)")
		sys.exit(0)
	sql = ("cd /data || exit 1\n"
	       "sqlite3 w.db 'PRAGMA journal_mode=WAL; CREATE TABLE t(x);"
	       " INSERT INTO t VALUES(1);' || exit 1\n"
	       "sqlite3 w.db 'INSERT INTO t VALUES(2);' || exit 1\n"
	       "sqlite3 w.db 'INSERT INTO t VALUES(3); SELECT group_concat(x)"
	       " FROM t; PRAGMA journal_mode; PRAGMA integrity_check;'")
	result = boot_disk(sql, image, extra=["--pack", sqlite])
	expect_status(result, 0)
	expect_lines(result, ["wal", "1,2,3", "wal", "ok"])
	e2fsck_clean(image, "after boot 3")
	db = os.path.join(tmp, "w.db")
	with open(db, "wb") as f:
		f.write(debugfs_cat(image, "w.db"))
	said = subprocess.run([sqlite, db, "SELECT group_concat(x) FROM t;"
			       " PRAGMA integrity_check;"], capture_output=True,
			      text=True, timeout=30).stdout.split()
	if said != ["1,2,3", "ok"]:
		fail("the host's sqlite3 reads the database as %r" % said)
passed()
