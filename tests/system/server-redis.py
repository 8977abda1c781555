#!/usr/bin/env python3
# Boots: the default image with Debian's redis-server added by --pack, with
#        /etc/redis (Debian's redis.conf) and this run's script; guest
#        port 6379 forwarded.
# Does:  the guest makes the directories Debian's package would and starts
#        `redis-server /etc/redis/redis.conf` with two directives changed
#        on its command line (bind to every address, protected-mode off):
#        it daemonizes, logs to /var/log/redis, keeps dump.rdb in
#        /var/lib/redis. The host's redis-cli: PING, SET/GET, INCR 1000
#        times, 5000 keys by --pipe, DBSIZE, a few keys back, a hash and a
#        list, BGSAVE (a forked child writes the snapshot); then
#        redis-benchmark -n 2000 (one client) for SET, GET, INCR, LPUSH
#        and LPOP. The guest checks the snapshot with redis-check-rdb,
#        then SHUTDOWN.
# Expects: every reply as Redis gives it; the counter at 1000; DBSIZE
#        5004; BGSAVE done with status ok; a rate for each benchmark;
#        redis-check-rdb's "RDB looks OK"; the server gone after SHUTDOWN;
#        nothing in the kernel log.
import os, re, subprocess, sys, tempfile, time
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import fail, passed
from serverlib import GUEST_END, Guest, need_packages

SERVER = "/usr/bin/redis-server"
CLI = "/usr/bin/redis-cli"
BENCH = "/usr/bin/redis-benchmark"
CHECK_RDB = "/usr/bin/redis-check-rdb"
KEYS = 5000
BENCH_TESTS = ["SET", "GET", "INCR", "LPUSH", "LPOP"]

GUEST_SCRIPT = r"""
for i in $(seq 300); do [ -s /run/netd.status ] && break; sleep 0.1; done
mkdir -p /run/redis /var/log/redis /var/lib/redis
redis-server /etc/redis/redis.conf --bind '0.0.0.0 ::' --protected-mode no ||
	echo redis-failed
for i in $(seq 300); do netstat -ltn | grep -q ':6379 ' && break; sleep 0.1; done
echo redis-ready
read -r _
redis-check-rdb /var/lib/redis/dump.rdb | grep -o 'RDB looks OK'
pid=$(cat /run/redis/redis-server.pid)
redis-cli shutdown nosave
for i in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
kill -0 $pid 2>/dev/null && echo redis-still-there
sed 's/^/redis-log: /' /var/log/redis/redis-server.log | tail -n 20
"""


def cli(port, *args, stdin=None):
	argv = [CLI, "-p", str(port)] + list(args)
	proc = subprocess.run(argv, input=stdin, capture_output=True,
			      text=True, timeout=120)
	if proc.returncode != 0:
		fail("`%s` exited %d: %s" % (" ".join(argv), proc.returncode,
					      proc.stderr.strip()))
	return proc.stdout.strip()


def expect(port, args, want):
	got = cli(port, *args)
	print("redis-cli %s -> %r" % (" ".join(args), got), flush=True)
	if got != want:
		fail("redis-cli %s: %r, want %r" % (" ".join(args), got, want))


def check_commands(port):
	expect(port, ["ping"], "PONG")
	expect(port, ["set", "greeting", "hello petrel"], "OK")
	expect(port, ["get", "greeting"], "hello petrel")
	got = cli(port, stdin="INCR counter\n" * 1000)
	if got.split()[-1:] != ["1000"]:
		fail("1000 INCRs ended at %r" % got.split()[-1:])
	expect(port, ["hset", "h", "a", "1", "b", "2"], "2")
	expect(port, ["hgetall", "h"], "a\n1\nb\n2")
	expect(port, ["rpush", "l", "x", "y", "z"], "3")
	expect(port, ["lrange", "l", "0", "-1"], "x\ny\nz")


def check_many(port):
	"""KEYS keys by redis-cli --pipe (the raw protocol), then a sample."""
	proto = "".join("*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n"
			% (len(k), k, len(v), v) for k, v in
			(("key:%d" % i, "value-%d" % (i * i)) for i in range(KEYS)))
	out = cli(port, "--pipe", stdin=proto)
	print(out, flush=True)
	if "errors: 0, replies: %d" % KEYS not in out:
		fail("redis-cli --pipe: %r" % out)
	expect(port, ["dbsize"], str(KEYS + 4))
	for i in (0, 1, 777, KEYS - 1):
		expect(port, ["get", "key:%d" % i], "value-%d" % (i * i))


def check_bgsave(port):
	# (LASTSAVE counts seconds: a fast save may not change it.)
	expect(port, ["bgsave"], "Background saving started")
	deadline = time.monotonic() + 60
	while time.monotonic() < deadline:
		info = cli(port, "info", "persistence")
		if ("rdb_bgsave_in_progress:0" in info and
		    "rdb_changes_since_last_save:0" in info):
			break
		time.sleep(0.5)
	else:
		fail("BGSAVE did not finish within 60 s")
	if "rdb_last_bgsave_status:ok" not in info:
		fail("BGSAVE failed: %r" % info)


def check_benchmark(port):
	# One client: QEMU's user networking listens for a forwarded port
	# with a backlog of 1, so redis-benchmark's default 50 connections
	# at once overflow the host's accept queue whenever QEMU is slow to
	# accept (a loaded host): the host drops their handshakes, the
	# clients back off for seconds, and the run ends in "Connection
	# reset by peer" with Petrel idle (seen in `ss` on the host and its
	# ListenOverflows count; a Linux guest would meet the same).
	argv = [BENCH, "-p", str(port), "-n", "2000", "-c", "1", "-q",
		"-t", ",".join(t.lower() for t in BENCH_TESTS)]
	print("$ " + " ".join(argv), flush=True)
	proc = subprocess.run(argv, capture_output=True, text=True, timeout=180)
	# -q rewrites its progress line with \r; the results end each line.
	lines = [l.split("\r")[-1].strip() for l in proc.stdout.splitlines()]
	print("\n".join(lines), flush=True)
	if proc.returncode != 0:
		fail("redis-benchmark exited %d: %s" % (proc.returncode, proc.stderr))
	for test in BENCH_TESTS:
		if not any(re.match(r"%s: [\d.]+ requests per second" % test, l)
			   for l in lines):
			fail("redis-benchmark gave no rate for %s" % test)


need_packages(["redis-server", "redis-tools"],
	      [SERVER, CLI, BENCH, CHECK_RDB, "/etc/redis/redis.conf"])
with tempfile.TemporaryDirectory(prefix="petrel-redis-") as tmp:
	script = os.path.join(tmp, "start.sh")
	with open(script, "w") as f:
		f.write(GUEST_SCRIPT + GUEST_END)
	packs = [SERVER, CLI, CHECK_RDB, "/etc/redis", tmp]
	with Guest(["/bin/sh", script], packs, ports=[6379]) as guest:
		guest.wait_for("redis-ready", 120)
		port = guest.port[6379]
		check_commands(port)
		check_many(port)
		check_bgsave(port)
		check_benchmark(port)
		guest.finish()
		for text in ("RDB looks OK", "redis-log: "):
			if not any(text in line for line in guest.lines):
				fail("the guest did not print %r" % text)
		if "redis-still-there" in guest.lines:
			fail("redis-server did not shut down")
passed()
