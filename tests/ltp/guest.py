# Runs LTP tests inside Petrel: each boot gets the base image plus a cpio of
# one batch of tests (their programs, a list and a runner script) and runs
# them one after another, printing markers on the console that the host
# reads as they come. A test that hangs the guest (no end marker in time)
# is recorded as a timeout, one that stops or panics it as a crash, and the
# rest of the batch goes on in a fresh boot.

import os
import re
import select
import shutil
import signal
import subprocess
import threading
import time

import build
import outcome

PETREL = os.path.join(build.ROOT, "petrel")
BASE_IMAGE = os.path.join(build.ROOT, "build", "initramfs.cpio")
ACCEL = os.environ.get("PETREL_TEST_ACCEL", "tcg")
# PETREL_TEST_KERNEL: another kernel ELF to boot, as for the system tests
# (build/assert/kernel.elf runs the list under the assert checks).
KERNEL = os.environ.get("PETREL_TEST_KERNEL")
BEGIN = re.compile(r"@@ltp-begin (\S+)$")
END = re.compile(r"@@ltp-end (\S+) (\d+)$")
DMESG = "@@ltp-dmesg "
# The guest's side: each test in a fresh directory of the tmpfs root, its
# own TMPDIR, stdin from /dev/null, at most LIMIT seconds (busybox timeout),
# then the kernel's ENOSYS lines from its run and the exit status. What a
# killed test left mounted or bound to a loop device goes before the next.
# The host times each test between its markers: a test may set the guest's
# clock. The command is run by timeout itself, split into words (runtest's
# lines hold no shell syntax), not through `sh -c`: BusyBox ash ignores
# SIGQUIT and execs a -c command's last program without restoring it, so
# every test ran with SIGQUIT ignored (kill11 then waited for ever for a
# child it had sent SIGQUIT).
RUNNER = r"""
export LTPROOT=/opt/ltp PATH=/opt/ltp/testcases/bin:$PATH
export LTP_TIMEOUT_MUL=%(timeout_mul)s LTP_RUNTIME_MUL=%(runtime_mul)s
export LTP_COLORIZE_OUTPUT=0
dmesg -c >/dev/null
while read -r name cmd; do
	dir=$(mktemp -d /tmp/ltp.XXXXXX)
	echo "@@ltp-begin $name"
	(cd "$dir" && TMPDIR="$dir" exec timeout -s KILL %(limit)d $cmd) \
		</dev/null 2>&1
	rc=$?
	# What a killed test left: its mounts, then its loop devices.
	grep -o " $dir/[^ ]*" /proc/mounts | sort -r | while read -r m; do
		umount -l "$m"
	done 2>/dev/null
	for d in /dev/loop[0-7]; do losetup -d "$d"; done 2>/dev/null
	dmesg -c | grep ENOSYS | sed 's/^/@@ltp-dmesg /'
	echo "@@ltp-end $name $rc"
	rm -rf "$dir"
done </opt/ltp/batch
echo @@ltp-done
"""


# Debian's first users and groups: LTP's tests switch to bin, daemon and
# nobody, and the base image has only root and nobody.
PASSWD = """\
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
bin:x:2:2:bin:/bin:/bin/false
sys:x:3:3:sys:/dev:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
"""
GROUP = """\
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
adm:x:4:
users:x:100:
nogroup:x:65534:
"""


class Settings:
	"""How the guest runs: vCPUs, the limit per test inside the guest, how
	much longer the host waits before it calls the guest hung, and LTP's
	own multipliers (the host's Linux runs the tests at LTP's own pace,
	the guest under TCG gets twice the time)."""

	def __init__(self, smp=2, limit=120, timeout_mul=2, runtime_mul=0.1):
		self.smp = smp
		self.limit = limit
		self.hang = limit + 60
		self.timeout_mul = timeout_mul
		self.host_timeout_mul = 1
		self.runtime_mul = runtime_mul


class Newc:
	"""Writes a cpio newc archive: directories and regular files."""

	def __init__(self, out):
		self.out = out
		self.ino = 1

	def entry(self, name, mode, data=b""):
		name_bytes = name.encode() + b"\0"
		fields = (self.ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0,
			  len(name_bytes), 0)
		self.ino += 1
		header = b"070701" + b"".join(b"%08X" % f for f in fields)
		self.write_padded(header + name_bytes)
		self.write_padded(data)

	def write_padded(self, data):
		self.out.write(data)
		self.out.write(b"\0" * (-len(data) % 4))

	def directory(self, name):
		self.entry(name, 0o40755)

	def file(self, name, data, mode):
		self.entry(name, 0o100000 | mode, data)

	def trailer(self):
		self.entry("TRAILER!!!", 0)


def batch_files(tests, folders, programs):
	"""The guest paths and host files a batch needs: its tests' programs,
	the helpers their folders make (programs no test of runtest/syscalls
	names: execve01 runs execve_child), the program a _64 or _16 variant
	is made from (fcntl07_64 runs fcntl07), and their data folders.
	programs: the programs runtest/syscalls names."""
	names = {argv[0] for _, argv in tests}
	names |= {build.base_program(n) for n in names}
	for folder in build.folders_of(tests, folders):
		names.update(p for p, d in folders.items()
			     if d == folder and p not in programs)
	files = {}
	for name in sorted(names):
		host = os.path.join(build.BIN, name)
		if os.path.isfile(host):
			files["opt/ltp/testcases/bin/" + name] = host
	data = os.path.join(build.LTPROOT, "testcases", "data")
	for name, _ in tests:
		top = os.path.join(data, name)
		for dirpath, _, filenames in os.walk(top):
			for f in filenames:
				host = os.path.join(dirpath, f)
				rel = os.path.relpath(host, build.LTPROOT)
				files["opt/ltp/" + rel] = host
	return files


# The programs LTP's device code runs (tst_mkfs: mkfs.ext2, its default
# file system's): Debian's e2fsprogs, dynamic, with the libraries and
# loader its interpreter lists, at the host's paths, and its defaults.
MKFS_PROGRAMS = {"sbin/mkfs.ext2": "mke2fs", "sbin/mke2fs": "mke2fs"}
MKFS_DATA = ("/etc/mke2fs.conf",)
LDD_LINE = re.compile(r"\s*(?:\S+ => )?(/\S+) \(0x[0-9a-f]+\)$")


def mkfs_files():
	"""Guest path -> host file for mkfs.ext2; empty if the host lacks
	mke2fs (the device tests then find no mkfs, as LTP reports)."""
	files = {}
	for guest, name in MKFS_PROGRAMS.items():
		host = shutil.which(name, path="/usr/sbin:/sbin:/usr/bin")
		if not host:
			return {}
		files[guest] = os.path.realpath(host)
		listing = subprocess.run(["ldd", host], capture_output=True,
					 text=True).stdout
		for line in listing.splitlines():
			m = LDD_LINE.match(line)
			if m:
				files[m.group(1).lstrip("/")] = \
					os.path.realpath(m.group(1))
	for path in MKFS_DATA:
		if os.path.isfile(path):
			files[path.lstrip("/")] = path
	return files


def write_image(path, tests, folders, settings):
	"""The boot image for one batch: the base image, padded to 4 bytes,
	then an archive of the batch. Returns its size in bytes."""
	programs = {argv[0] for _, argv in build.runtest()}
	files = batch_files(tests, folders, programs)
	files.update(mkfs_files())
	script = RUNNER % dict(limit=settings.limit,
			       timeout_mul=settings.timeout_mul,
			       runtime_mul=settings.runtime_mul)
	batch = "".join("%s %s\n" % (n, " ".join(a)) for n, a in tests)
	with open(path, "wb") as out:
		with open(BASE_IMAGE, "rb") as f:
			out.write(f.read())
		out.write(b"\0" * (-out.tell() % 4))
		cpio = Newc(out)
		made = set()
		for name in sorted(files) + ["opt/ltp/run.sh", "etc/passwd"]:
			parts = name.split("/")[:-1]
			for i in range(1, len(parts) + 1):
				d = "/".join(parts[:i])
				if d not in made:
					cpio.directory(d)
					made.add(d)
		for name in sorted(files):
			with open(files[name], "rb") as f:
				data = f.read()
			cpio.file(name, data, 0o755)
		cpio.file("opt/ltp/run.sh", script.encode(), 0o755)
		cpio.file("opt/ltp/batch", batch.encode(), 0o644)
		cpio.file("etc/passwd", PASSWD.encode(), 0o644)
		cpio.file("etc/group", GROUP.encode(), 0o644)
		cpio.trailer()
		return out.tell()


class Boot:
	"""One ./petrel run of a batch; reads its console line by line."""

	def __init__(self, image, size, settings, console_log):
		# LTP's device tests keep a 300 MiB image in the guest's RAM.
		mem = 256 + 2 * (size >> 20) + 640
		argv = [PETREL, "run", "--accel", ACCEL, "--initrd", image,
			"--mem", "%dM" % mem, "--smp", str(settings.smp)]
		if KERNEL:
			argv += ["--kernel", KERNEL]
		argv += ["--", "sh", "/opt/ltp/run.sh"]
		self.log = open(console_log, "ab")
		self.proc = subprocess.Popen(argv, cwd=build.ROOT,
					     stdin=subprocess.DEVNULL,
					     stdout=subprocess.PIPE,
					     stderr=subprocess.STDOUT,
					     start_new_session=True)
		self.pending = b""

	def lines(self, silence):
		"""Yields console lines; None once silence seconds pass without
		a marker line (the caller decides), and ends at end of output."""
		fd = self.proc.stdout.fileno()
		deadline = time.monotonic() + silence
		while True:
			while b"\n" in self.pending:
				line, self.pending = self.pending.split(b"\n", 1)
				text = line.decode(errors="replace").rstrip("\r")
				if text.startswith("@@ltp-"):
					deadline = time.monotonic() + silence
				yield text
			wait = deadline - time.monotonic()
			if wait <= 0:
				yield None
				deadline = time.monotonic() + silence
				continue
			if not select.select([fd], [], [], wait)[0]:
				continue
			data = os.read(fd, 65536)
			if not data:
				if self.pending:
					self.pending += b"\n"
					continue
				return
			self.log.write(data)
			self.pending += data

	def stop(self):
		try:
			os.killpg(self.proc.pid, signal.SIGKILL)
		except ProcessLookupError:
			pass
		self.proc.wait()
		self.log.close()


def run_batch(tests, folders, settings, workdir, tag, results, note):
	"""Runs tests (name, argv pairs) in as many boots as hangs and crashes
	need; stores an outcome.Result per test in results (a dict)."""
	todo = list(tests)
	boots = 0
	while todo:
		boots += 1
		image = os.path.join(workdir, "%s.cpio" % tag)
		size = write_image(image, todo, folders, settings)
		console = os.path.join(workdir, "%s.console" % tag)
		done = run_boot(Boot(image, size, settings, console), todo,
				settings, results, note)
		todo = todo[done:]
		os.unlink(image)
	return boots


def run_boot(boot, todo, settings, results, note):
	"""Reads one boot's markers. Returns how many of todo got a result
	(the hung or crashed test counts; the rest go to the next boot)."""
	done = 0
	current = None
	output = []
	dmesg = []
	try:
		for line in boot.lines(settings.hang):
			if line is None:
				if current is None:
					break	# hung between tests or booting
				results[current] = outcome.Result(
					"timeout", output, dmesg,
					reason="timeout (guest hung)")
				note(current, results[current])
				return done + 1
			match = BEGIN.match(line)
			end = END.match(line)
			if match:
				current, output, dmesg = match.group(1), [], []
				start = time.monotonic()
			elif end and end.group(1) == current:
				results[current] = outcome.judge(
					int(end.group(2)), output, dmesg,
					round(time.monotonic() - start, 1))
				note(current, results[current])
				done += 1
				current = None
			elif line.startswith(DMESG):
				dmesg.append(line[len(DMESG):])
			elif line == "@@ltp-done":
				return len(todo)
			elif current is not None:
				output.append(line)
	finally:
		boot.stop()
	# The guest stopped (panic, reset, init died) or hung outside a test.
	if current is None:
		if done < len(todo):
			current = todo[done][0]
		else:
			return done
	why = "crash (guest stopped)"
	if any("kernel panic" in l for l in output):
		why = "crash (kernel panic)"
	results[current] = outcome.Result("crash", output, dmesg, reason=why)
	note(current, results[current])
	return done + 1


def run_all(tests, folders, settings, workers, batch_size, workdir, note):
	"""Runs tests in batches over workers parallel boots. Returns the
	results by test name and the number of boots."""
	os.makedirs(workdir, exist_ok=True)
	batches = [tests[i:i + batch_size]
		   for i in range(0, len(tests), batch_size)]
	results = {}
	lock = threading.Lock()
	boots = [0]

	def worker(number):
		while True:
			with lock:
				if not batches:
					return
				batch = batches.pop(0)
			count = run_batch(batch, folders, settings, workdir,
					  "boot-%d" % number, results, note)
			with lock:
				boots[0] += count

	threads = [threading.Thread(target=worker, args=(i,))
		   for i in range(workers)]
	for t in threads:
		t.start()
	for t in threads:
		t.join()
	return results, boots[0]
