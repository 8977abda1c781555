# Builds the Linux Test Project's system-call tests from the source snapshot
# in ../shared/ltp beside the checkout (or $LTP_TARBALL), statically, into build/ltp/: never
# into the repository. Each step leaves a stamp, so a second run rebuilds
# nothing; a subset build (the regression list) makes only the test folders
# it needs. Used by tests/ltp/ltp (docs/compat.md).

import concurrent.futures
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
	os.path.realpath(__file__))))
# The snapshot beside the checkout (../shared/ltp), else the workplace's.
TARBALL = os.environ.get("LTP_TARBALL") or next(
	(p for p in (os.path.join(ROOT, "..", "shared", "ltp", "ltp-src.tar.xz"),
		     "/work/shared/ltp/ltp-src.tar.xz") if os.path.exists(p)),
	"/work/shared/ltp/ltp-src.tar.xz")
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
MAKE_JOBS = min(os.cpu_count() or 1, 2)
NICE = ["nice", "-n", "10"]
MAKE = NICE + ["make", "-j%d" % MAKE_JOBS]


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
	"""Maps each program the syscalls tests make to its folder (relative
	to testcases/kernel/syscalls; some are nested, as ipc/msgget): a
	program is a .c or .sh file's name, or else a name its Makefile
	spells out (the _64 and _16 variants)."""
	files, words = {}, {}
	top = os.path.join(SRC, SYSCALLS)
	for dirpath, dirnames, filenames in sorted(os.walk(top)):
		if "Makefile" not in filenames or dirpath == top:
			continue
		folder = os.path.relpath(dirpath, top)
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


def base_program(program):
	"""The program a _64 (large-file) or _16 (16-bit ids) variant is
	made from; some variants run it."""
	return re.sub(r"_(64|16)$", "", program)


def folder_of(program, folders):
	"""The folder that makes program, or None."""
	for candidate in (program, base_program(program)):
		if candidate in folders:
			return folders[candidate]
	return None


def folders_of(tests, folders):
	"""The folders that make the programs of tests."""
	found = {folder_of(argv[0], folders) for _, argv in tests}
	return sorted(f for f in found if f)


def helpers(folder, programs):
	"""The programs a folder makes beside its tests: its .c files that no
	test of runtest/syscalls names (execve_child beside execve01); some
	are no programs (shared code), and do not link. programs: the
	programs runtest/syscalls names."""
	path = os.path.join(SRC, SYSCALLS, folder)
	return sorted(f[:-2] for f in os.listdir(path)
		      if f.endswith(".c") and f[:-2] not in programs)


def build_all(tests, folders):
	"""Builds and installs every test folder not yet stamped, in one make
	(-k: a test that does not build is left out, and the run records it
	as missing)."""
	tops = sorted({f.split(os.sep)[0] for f in folders_of(tests, folders)})
	todo = [d for d in tops if not stamped("dir-" + d)]
	if not todo:
		return
	log("building %d test folders (log: build/ltp/logs/syscalls.log)"
	    % len(todo))
	subdirs = "SUBDIRS=" + " ".join(todo)
	where = os.path.join(SRC, SYSCALLS)
	with open(os.path.join(OUT, "logs", "syscalls.log"), "ab") as out:
		for target in ("all", "install"):
			subprocess.call(MAKE + ["-k", subdirs,
						"DESTDIR=" + INSTALL, target],
					cwd=where, stdout=out,
					stderr=subprocess.STDOUT,
					stdin=subprocess.DEVNULL)
	for name in os.listdir(BIN):
		strip(os.path.join(BIN, name))
	for folder in todo:
		stamp("dir-" + folder)


def build_some(tests, folders):
	"""Builds only the programs of tests and their folders' helpers, two
	folders at a time, each program once (a stamp per program tried), and
	copies them to BIN: a few hundred chosen tests build in minutes."""
	programs = {argv[0] for _, argv in runtest()}
	targets = {}
	for _, argv in tests:
		folder = folder_of(argv[0], folders)
		if folder:
			targets.setdefault(folder, set()).update(
				{argv[0], base_program(argv[0])})
	for folder in targets:
		targets[folder].update(helpers(folder, programs))
		targets[folder] = sorted(
			t for t in targets[folder]
			if not os.path.exists(os.path.join(BIN, t)) and
			not stamped("prog-" + t))
	todo = [(f, t) for f, t in sorted(targets.items()) if t]
	if not todo:
		return
	log("building %d programs in %d folders (log: "
	    "build/ltp/logs/programs.log)"
	    % (sum(len(t) for _, t in todo), len(todo)))
	os.makedirs(BIN, exist_ok=True)
	with concurrent.futures.ThreadPoolExecutor(MAKE_JOBS) as pool:
		list(pool.map(lambda job: build_folder(*job), todo))


def build_folder(folder, targets):
	where = os.path.join(SRC, SYSCALLS, folder)
	with open(os.path.join(OUT, "logs", "programs.log"), "ab") as out:
		subprocess.call(NICE + ["make", "-k"] + targets, cwd=where,
				stdout=out, stderr=subprocess.STDOUT,
				stdin=subprocess.DEVNULL)
	for target in targets:
		built = os.path.join(where, target)
		if os.path.isfile(built):
			shutil.copy2(built, os.path.join(BIN, target))
			strip(os.path.join(BIN, target))
		stamp("prog-" + target)


def strip(path):
	"""Strips an ELF program: a guest's initramfs carries a batch of
	them, so their symbols and debug sections would only cost memory."""
	with open(path, "rb") as f:
		if f.read(4) != b"\x7fELF":
			return
	subprocess.call(["strip", path], stderr=subprocess.DEVNULL)


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
		if choose is None:
			build_all(chosen, program_folders())
		else:
			build_some(chosen, program_folders())
	return chosen
