#!/usr/bin/env python3
# Boots: the test image on microvm, no network, with an empty 64M ext2
#        disk: once with 1 KiB blocks, once with 4 KiB.
# Does:  runs /test/bin/fsyncer /data (progs/fsyncer.c): it writes files
#        one after another, fsyncs each and its directory, prints "synced N
#        SIZE", and rewrites other files without syncing in between. A
#        little after the host has read "synced 12" (then "synced 30"), it
#        kills QEMU with SIGKILL while the writes go on.
# Expects: the image says "not clean" (fsd marked it in use); e2fsck -fy
#        repairs what it must (status 0 or 1; what it said is printed),
#        after which e2fsck -fn finds nothing; every file reported synced
#        has its exact bytes (debugfs cat).
import os, re, select, signal, subprocess, sys, time
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import ROOT, fail, passed, petrel_args
from fsdlib import (debugfs_cat, e2fsck_clean, e2fsck_repair, mkfs,
		    need_e2fsprogs, scratch, summarize_repairs, superblock)

WAIT = 60


def content(n, size):
	"""What fsyncer puts in file n of size bytes."""
	out, k = [], 0
	length = 0
	while length < size:
		line = b"%d.%d\n" % (n, k)
		out.append(line)
		length += len(line)
		k += 1
	return b"".join(out)[:size]


def children(pid):
	found = []
	for entry in os.listdir("/proc"):
		if entry.isdigit():
			try:
				with open("/proc/%s/stat" % entry) as f:
					fields = f.read().rsplit(")", 1)[1].split()
			except OSError:
				continue
			if int(fields[1]) == pid:
				found.append(int(entry))
	return found


def run_and_kill(image, after, delay):
	"""Runs fsyncer; SIGKILLs QEMU delay seconds after "synced AFTER" has
	come (in the middle of later files). Returns {n: size} of every file
	reported synced."""
	argv = petrel_args(test_image=True, extra=[
		"--net", "none", "--disk", image]) + ["--", "/test/bin/fsyncer", "/data"]
	print("$ " + " ".join(argv[1:]), flush=True)
	proc = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.DEVNULL,
				stdout=subprocess.PIPE, stderr=subprocess.PIPE)
	output = b""
	seen, killed = None, False
	deadline = time.monotonic() + WAIT
	while True:
		if time.monotonic() > deadline:
			proc.kill()
			fail("no \"synced %d\" within %ds" % (after, WAIT))
		if select.select([proc.stdout], [], [], 0.01)[0]:
			data = os.read(proc.stdout.fileno(), 65536)
			if not data:
				break
			output += data
		if not seen and re.search(rb"^synced %d \d+\n" % after, output,
					  re.M):
			seen = time.monotonic()
		if not killed and seen and time.monotonic() >= seen + delay:
			qemu = children(proc.pid)
			if len(qemu) != 1:
				fail("petrel's children are %s, not one QEMU" % qemu)
			os.kill(qemu[0], signal.SIGKILL)
			print("[QEMU %d killed %gs after \"synced %d\"]"
			      % (qemu[0], delay, after))
			killed = True
	errors = proc.communicate()[1].decode(errors="replace")
	text = output.decode(errors="replace")
	print(text + "[stderr] " + errors, flush=True)
	if not killed:
		fail("the guest ended before it was killed (status %d)" % proc.returncode)
	synced = {}
	# Only whole lines: the last one may have been cut by the kill.
	for line in text.split("\n")[:-1]:
		words = line.split()
		if len(words) == 3 and words[0] == "synced":
			synced[int(words[1])] = int(words[2])
	return synced


need_e2fsprogs()
repairs = []
with scratch("fsd-crash") as tmp:
	for block, after, delay in ((1024, 12, 0.13), (4096, 30, 0.05)):
		image = os.path.join(tmp, "disk%d.img" % block)
		mkfs(image, "64M", block)
		synced = run_and_kill(image, after, delay)
		if len(synced) <= after:
			fail("only %d files reported synced" % len(synced))
		state = superblock(image).get("Filesystem state")
		if state == "clean":
			fail("the image of a killed guest says clean: fsd did not "
			     "mark it in use")
		said = e2fsck_repair(image)
		repairs.append("%d-byte blocks, killed after %d files: %s" % (
			block, len(synced), summarize_repairs(said)))
		e2fsck_clean(image, "after e2fsck -fy")
		for n, size in sorted(synced.items()):
			data = debugfs_cat(image, "/f%04d" % n)
			if data != content(n, size):
				fail("f%04d was reported synced with %d bytes; the disk "
				     "has %d bytes%s" % (n, size, len(data),
				     ", not the same" if len(data) == size else ""))
		print("%d synced files intact" % len(synced), flush=True)
for line in repairs:
	print("e2fsck -fy: " + line)
passed()
