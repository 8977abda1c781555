# Checks that an x86_64 system test and its aarch64 twin share (pipelines.py
# and applets.py with aarch64-shell.py, segfault.py and threads.py with
# aarch64-progs.py, ipc.py with aarch64-ipc.py): each boots through the function it is given, lib.boot
# or aarch64lib.boot_aarch64, with the options given, and checks what comes
# back. Not a test itself.
from lib import expect_lines, expect_status, fail

# Pipelines: tr | wc, sort | head, grep | wc, awk | sed, `yes | head` (yes
# must die of SIGPIPE), subshells, command substitution, read from a pipe,
# a pipeline's exit status.
PIPELINES = r"""
echo hello | tr a-z A-Z | wc -c
echo hello | tr a-z A-Z
printf 'pear\napple\nfig\n' | sort | head -n 2 | tr '\n' ' '; echo
seq 1 30 | grep 3 | wc -l
echo one two three | awk '{ print $2 }' | sed s/two/TWO/
yes | head -n 3 | wc -l
(echo a; echo b) | cat | cat | wc -l
x=$(echo sub | tr a-z A-Z); echo "substituted=$x"
echo piped | { read line; echo "read=$line"; }
false | true; echo "status=$?"
"""
PIPELINES_LINES = ["6", "HELLO", "apple fig", "4", "TWO", "3", "2",
		   "substituted=SUB", "read=piped", "status=0"]

# BusyBox applets: ls /, mkdir, cat, find, sort, grep (-c, -l -r), sed, awk,
# rm -r in /tmp, then ps, free, uptime and mount, which read /proc.
APPLETS = r"""
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
APPLETS_LINES = ["ls: done", "cat: data", "find: ./b.txt ./sub/file.txt",
		 "sort: 1 2 3", "grep: 3 /tmp/petrel-t/sub/file.txt",
		 "sed: key=2", "awk: 42", "rm: done", "ps: ok", "free: ok",
		 "uptime: ok", "mount: ok"]


def check_pipelines(boot, **options):
	"""Each pipeline's known output, in order, and exit status 0."""
	result = boot(PIPELINES, **options)
	expect_status(result, 0)
	expect_lines(result, PIPELINES_LINES)


def check_applets(boot, **options):
	"""One "applet: result" line per check, and "/" holds bin, dev, proc,
	sbin and tmp."""
	result = boot(APPLETS, **options)
	expect_status(result, 0)
	expect_lines(result, APPLETS_LINES)
	missing = [line for line in result.lines if line.startswith("ls: /")]
	if missing:
		fail("; ".join(missing))


def check_segfault(boot, **options):
	"""progs/segv.c (the test image's /test/bin/segv) writes through NULL:
	run as the guest argv, init reports status 139 (128 + SIGSEGV); run
	from the shell, the shell survives, prints after=139 and exits 0."""
	result = boot(["env", "/test/bin/segv"], test_image=True, **options)
	expect_status(result, 139)
	expect_lines(result, ["segv: writing through NULL"])
	result = boot("/test/bin/segv; echo after=$?", test_image=True,
		      **options)
	expect_status(result, 0)
	expect_lines(result, ["segv: writing through NULL", "after=139"])


def check_threads(boot, workers=None, **options):
	"""progs/threads.c (/test/bin/threads [WORKERS], 4 by default): the
	workers share a mutex-guarded counter, then drain a condvar-guarded
	queue that the main thread fills; main joins them all. Exit status 0
	and the deterministic totals."""
	argv = ["/test/bin/threads"] + ([str(workers)] if workers else [])
	result = boot(argv, test_image=True, **options)
	expect_status(result, 0)
	workers = workers or 4
	expect_lines(result, [
		"threads: joined=%d" % workers,
		"threads: counter=%d" % (workers * 20000),
		"threads: items=1000 sum=500500",
		"threads: ok",
	])


def check_ipc(boot, smp, **options):
	"""progs/ipc.c (/test/bin/ipc) with smp CPUs: every check prints "ok"
	(tests/system/ipc.py says which), the calls to a server pinned to the
	other CPU too with 2; exit status 0."""
	result = boot(["/test/bin/ipc"], smp=smp, test_image=True, **options)
	expect_status(result, 0)
	cross = ["ipc: ok calls to a server pinned to another CPU",
		 "ipc: ok the pinned server ends with EPIPE",
		 "ipc: ok short calls to a server pinned to another CPU",
		 "ipc: ok the pinned short server ends with EPIPE"] if smp == 2 else []
	expect_lines(result, [
		"ipc: ok call: server read and wrote our buffers",
		"ipc: ok 4 MiB read by the server, checksum",
		"ipc: ok server died mid-call: ECONNRESET",
		"ipc: ok closing the client ends the server's receive: EPIPE",
		"ipc: ok a signal withdraws a waiting call: EINTR",
		"ipc: ok the next call is answered",
		"ipc: ok short call: status and reply in registers",
		"ipc: ok short call: 16 bytes each way",
		"ipc: ok short receive: the caller's pid, uid, gid",
		"ipc: ok short call of 17 bytes: EMSGSIZE, m kept",
		"ipc: ok block call, short receive: cut to 16",
		"ipc: ok short receive: a segment counted",
		"ipc: ok short call on no handle: EBADF",
		"ipc: ok short call without WRITE: EPERM",
		"ipc: ok a signal withdraws a short call: EINTR, handler run",
		"ipc: ok the next short call is answered",
		"ipc: ok 1000 short round trips, the big lock taken under 200 times",
		"ipc: ok short call, block receive",
		"ipc: ok server died mid short call: ECONNRESET",
		"ipc: ok short reply to no call: ENOENT",
		"ipc: ok a signal ends a waiting short receive: EINTR, handler run",
		"ipc: ok short receive with no client: EPIPE",
		"ipc: ok 1000 block calls with segments, the big lock taken under 200 times",
		"ipc: ok the server's writes fault the caller's fresh pages in",
		"ipc: ok a signal withdraws a call the server copies: EINTR",
		"ipc: ok the server's next copy: ENOENT",
		"ipc: ok a caller killed while the server copies: ENOENT",
		"ipc: ok the copying server ends with EPIPE",
	] + cross + [
		"ipc: ok wait on two: the channel is readable",
		"ipc: ok memory object shared across processes",
		"ipc: ok execve keeps only kept handles",
		"ipc: all passed",
	])
