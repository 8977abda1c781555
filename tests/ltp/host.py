# Runs the same LTP programs on the host's Linux, for the comparison in
# docs/compat.md: as root, each test in a private mount, UTS and IPC
# namespace where /etc/nsswitch.conf is a files-only one (static glibc
# programs crash in user look-ups through systemd's NSS module), in a
# temporary directory of its own, with the guest's multipliers.

import concurrent.futures
import os
import shutil
import signal
import subprocess
import tempfile
import time

import build
import outcome

NSSWITCH = """\
passwd: files
group: files
shadow: files
gshadow: files
hosts: files dns
networks: files
protocols: files
services: files
ethers: files
rpc: files
"""
# Inside the namespace: the files-only nsswitch.conf over the host's, then
# the test, killed after LIMIT seconds.
WRAPPER = ('mount --bind "$LTP_NSSWITCH" /etc/nsswitch.conf && cd "$TMPDIR" '
	   '&& exec timeout -s KILL "$LTP_LIMIT" sh -c "$LTP_CMD"')


def run_one(name, argv, settings, nsswitch):
	"""Runs one test; returns its outcome.Result."""
	tmp = tempfile.mkdtemp(prefix="ltp-%s-" % name)
	env = dict(os.environ, LTPROOT=build.LTPROOT, TMPDIR=tmp,
		   PATH=build.BIN + ":" + os.environ.get("PATH", ""),
		   LTP_TIMEOUT_MUL=str(settings.host_timeout_mul),
		   LTP_RUNTIME_MUL=str(settings.runtime_mul),
		   LTP_COLORIZE_OUTPUT="0", LTP_NSSWITCH=nsswitch, LTP_LIMIT=str(settings.limit),
		   LTP_CMD=" ".join(argv))
	start = time.monotonic()
	proc = subprocess.Popen(
		["unshare", "--mount", "--uts", "--ipc", "--propagation",
		 "private", "sh", "-c", WRAPPER], env=env, cwd=tmp,
		stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
		stderr=subprocess.STDOUT, start_new_session=True)
	try:
		data, _ = proc.communicate(timeout=settings.hang)
		code = proc.returncode
	except subprocess.TimeoutExpired:
		os.killpg(proc.pid, signal.SIGKILL)
		data, _ = proc.communicate()
		code = outcome.EXIT_KILLED
	finally:
		try:
			os.killpg(proc.pid, signal.SIGKILL)	# leftovers
		except ProcessLookupError:
			pass
		shutil.rmtree(tmp, ignore_errors=True)
	lines = data.decode(errors="replace").splitlines()
	return outcome.judge(code, lines, [], round(time.monotonic() - start))


# The host's settings LTP tests change and put back (their .save_restore):
# two tests at once can put back each other's value (fcntl35 and
# fcntl35_64 left fs/pipe-max-size at 4096, which broke the abi tests'
# pipes on this shared host), so every writable one that the run changed
# is put back afterwards. IPC settings are the namespace's own.
SYSCTL_KEPT = ("fs", "kernel", "vm", "user")
SYSCTL_MOVING = ("kernel/ns_last_pid", "kernel/random/")


def sysctl_snapshot():
	"""The writable /proc/sys settings of SYSCTL_KEPT, by path."""
	found = {}
	for top in SYSCTL_KEPT:
		for folder, _, files in os.walk(os.path.join("/proc/sys", top)):
			for name in files:
				path = os.path.join(folder, name)
				rel = os.path.relpath(path, "/proc/sys")
				if rel.startswith(SYSCTL_MOVING) or \
				   not os.stat(path).st_mode & 0o200:
					continue
				try:
					with open(path) as f:
						found[path] = f.read()
				except OSError:
					pass
	return found


def sysctl_restore(before):
	"""Puts back the settings of before that changed; says which."""
	for path, value in sorted(sysctl_snapshot().items()):
		if path in before and before[path] != value:
			try:
				with open(path, "w") as f:
					f.write(before[path])
				print("ltp: %s put back to %s"
				      % (path, before[path].strip()), flush=True)
			except OSError as e:
				print("ltp: %s left at %s: %s"
				      % (path, value.strip(), e), flush=True)


def run_all(tests, settings, workers, note):
	"""Runs tests (name, argv pairs) workers at a time; returns the
	results by name."""
	if os.geteuid() != 0:
		raise SystemExit("ltp: the host side runs as root (as LTP "
				 "expects); run it with sudo")
	nsswitch = os.path.join(build.OUT, "nsswitch.conf")
	with open(nsswitch, "w") as f:
		f.write(NSSWITCH)
	results = {}

	def one(test):
		name, argv = test
		results[name] = run_one(name, argv, settings, nsswitch)
		note(name, results[name])

	before = sysctl_snapshot()
	try:
		with concurrent.futures.ThreadPoolExecutor(workers) as pool:
			list(pool.map(one, tests))
	finally:
		sysctl_restore(before)
	return results
