# Builds the Linux Test Project's system-call tests from the source snapshot
# in /work/shared/ltp (or $LTP_TARBALL), statically, into build/ltp/: never
# into the repository. Each step leaves a stamp, so a second run rebuilds
# nothing; a subset build (the regression list) makes only the test folders
# it needs. Used by tests/ltp/ltp (docs/compat.md).

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
	os.path.realpath(__file__))))
TARBALL = os.environ.get("LTP_TARBALL", "/work/shared/ltp/ltp-src.tar.xz")
# LTP_BUILD_DIR: another place (a clean build beside the usual one).
OUT = os.environ.get("LTP_BUILD_DIR", os.path.join(ROOT, "build", "ltp"))
SRC = os.path.join(OUT, "src")
STAMPS = os.path.join(OUT, "stamps")
# Where `make install` puts the tests (DESTDIR + prefix): LTPROOT.
INSTALL = os.path.join(OUT, "install")
PREFIX = "/opt/ltp"
LTPROOT = INSTALL + PREFIX
BIN = os.path.join(LTPROOT, "testcases", "bin")
SYSCALLS = os.path.join("testcases", "kernel", "syscalls")
# A shared, busy machine: the build yields to the tests and to others.
MAKE = ["nice", "-n", "10", "make", "-j%d" % min(os.cpu_count() or 1, 2)]


def log(message):
	print("ltp: " + message, file=sys.stderr, flush=True)


def run(argv, cwd, logname):
	"""Runs a build step with its output in build/ltp/logs/logname; on
	failure, prints the log's tail and exits."""
	os.makedirs(os.path.join(OUT, "logs"), exist_ok=True)
	path = os.path.join(OUT, "logs", logname)
	with open(path, "ab") as f:
		code = subprocess.call(argv, cwd=cwd, stdout=f,
				       stderr=subprocess.STDOUT,
				       stdin=subprocess.DEVNULL)
	if code != 0:
		with open(path, "rb") as f:
			tail = f.read()[-3000:].decode(errors="replace")
		sys.exit("ltp: %s failed (exit %d), see %s:\n%s"
			 % (" ".join(argv), code, path, tail))


def stamped(name):
	return os.path.exists(os.path.join(STAMPS, name))


def stamp(name):
	os.makedirs(STAMPS, exist_ok=True)
	open(os.path.join(STAMPS, name), "w").close()


def tarball_digest():
	digest = hashlib.sha256()
	with open(TARBALL, "rb") as f:
		for block in iter(lambda: f.read(1 << 20), b""):
			digest.update(block)
	return digest.hexdigest()[:16]


def prepare():
	"""Unpacks and configures the source, and builds LTP's libraries,
	once per tarball (a new tarball starts build/ltp/ afresh)."""
	if not os.path.isfile(TARBALL):
		sys.exit("ltp: %s not found (set LTP_TARBALL)" % TARBALL)
	source = "source-" + tarball_digest()
	if not stamped(source):
		shutil.rmtree(OUT, ignore_errors=True)
		os.makedirs(SRC)
		log("unpacking %s" % TARBALL)
		run(["tar", "xJf", TARBALL, "-C", SRC], SRC, "unpack.log")
		stamp(source)
	if not stamped("configured"):
		log("configuring (make autotools, ./configure LDFLAGS=-static)")
		run(["make", "autotools"], SRC, "configure.log")
		run(["./configure", "--prefix=" + PREFIX, "LDFLAGS=-static"],
		    SRC, "configure.log")
		stamp("configured")
	for part in ("lib", "libs"):
		if not stamped(part):
			log("building %s/" % part)
			run(MAKE + ["-C", part], SRC, part + ".log")
			stamp(part)


def runtest():
	"""The tests of runtest/syscalls, in order: (name, argv) pairs."""
	tests = []
	with open(os.path.join(SRC, "runtest", "syscalls")) as f:
		for line in f:
			words = line.split()
			if words and not words[0].startswith("#"):
				tests.append((words[0], words[1:]))
	return tests


def program_folders():
	"""Maps each program a syscalls test folder makes to the folder: a
	program is a .c or .sh file's name, or else a name its Makefile
	spells out (the _64 and _16 variants)."""
	files, words = {}, {}
	top = os.path.join(SRC, SYSCALLS)
	for dirpath, dirnames, filenames in sorted(os.walk(top)):
		if "Makefile" not in filenames or dirpath == top:
			continue
		folder = os.path.relpath(dirpath, top).split(os.sep)[0]
		for name in filenames:
			stem, ext = os.path.splitext(name)
			if ext in (".c", ".sh"):
				files.setdefault(stem, folder)
		with open(os.path.join(dirpath, "Makefile"),
			  errors="replace") as f:
			for word in re.findall(r"[A-Za-z0-9_]+", f.read()):
				words.setdefault(word, folder)
	words.update(files)
	return words


def folders_of(tests, folders):
	"""The syscalls test folders that make the programs of tests."""
	needed = set()
	for name, argv in tests:
		program = argv[0] if argv else name
		for candidate in (program, re.sub(r"_(64|16)$", "", program)):
			if candidate in folders:
				needed.add(folders[candidate])
				break
	return sorted(needed)


def build(folders):
	"""Builds and installs the given syscalls test folders, those not
	yet stamped, in one make (-k: a folder that does not build leaves
	its tests missing, which the run records). Returns nothing; the
	installed programs are in BIN."""
	todo = [d for d in folders if not stamped("dir-" + d)]
	if not todo:
		return
	log("building %d test folders (log: build/ltp/logs/syscalls.log)"
	    % len(todo))
	subdirs = "SUBDIRS=" + " ".join(todo)
	where = os.path.join(SRC, SYSCALLS)
	for target in ("all", "install"):
		subprocess.call(MAKE + ["-k", subdirs, "DESTDIR=" + INSTALL,
					target], cwd=where,
				stdout=open(os.path.join(OUT, "logs",
							 "syscalls.log"), "ab"),
				stderr=subprocess.STDOUT,
				stdin=subprocess.DEVNULL)
	strip_programs()
	for folder in todo:
		stamp("dir-" + folder)


def strip_programs():
	"""Strips the installed ELF programs: a guest's initramfs carries a
	batch of them, so their debug sections would only cost memory."""
	for name in os.listdir(BIN):
		path = os.path.join(BIN, name)
		with open(path, "rb") as f:
			if f.read(4) != b"\x7fELF":
				continue
		subprocess.call(["strip", path],
				stderr=subprocess.DEVNULL)


def ensure(choose=None):
	"""Builds what the chosen tests need (choose(name) says which; every
	test of runtest/syscalls when it is None), holding a lock so that
	parallel callers build once. Returns the chosen tests as (name, argv)
	pairs, in runtest/syscalls order."""
	os.makedirs(OUT, exist_ok=True)
	with open(OUT.rstrip("/") + ".lock", "w") as lock:
		fcntl.flock(lock, fcntl.LOCK_EX)
		prepare()
		everything = runtest()
		chosen = [t for t in everything
			  if choose is None or choose(t[0])]
		build(folders_of(chosen, program_folders()))
	return chosen
