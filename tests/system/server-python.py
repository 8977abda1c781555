#!/usr/bin/env python3
# Boots: the default image on 2 vCPUs with the host's python3 (and its
#        standard library) added by --pack, with this run's directory: a
#        page, a 5 MiB file of random bytes, the guest's script and
#        work.py; guest port 8000 forwarded.
# Does:  the guest serves the directory with `python3 -m http.server`
#        (a thread per request); the host fetches the listing, the page,
#        the big file and the page from 4 clients at once. Meanwhile the
#        guest runs work.py: 8 threads hashing with a lock and a queue,
#        subprocess (an exit status, a pipe through sort), sqlite3 (a WAL
#        database on /tmp written by two connections, one in a thread),
#        multiprocessing.shared_memory written by a forked Process, and a
#        multiprocessing Pool of 2.
# Expects: the same bytes on the host (SHA-256), a listing naming the
#        files; "work: all ok" from the guest (each part checks its own
#        result against a computation done another way); the server's
#        log holds every request; nothing in the kernel log.
import concurrent.futures, hashlib, os, sys, tempfile, urllib.request
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import fail, passed
from serverlib import GUEST_END, Guest, need_packages

PYTHON = "/usr/bin/python3"
PAGE = "<html><body>Hello from python3 -m http.server on Petrel</body></html>\n"
BIG = 5 << 20
# Within http.server's listen backlog (5): netd resets a connection past
# it after the handshake (docs/netd.md, "Not supported yet").
CLIENTS = 4

GUEST_SCRIPT = r"""
for i in $(seq 300); do [ -s /run/netd.status ] && break; sleep 0.1; done
cd {www}
python3 -m http.server 8000 --bind 0.0.0.0 2>/tmp/http.log &
server=$!
for i in $(seq 300); do netstat -ltn | grep -q ':8000 ' && break; sleep 0.1; done
echo http-ready
python3 {dir}/work.py
read -r _
kill $server
echo http-requests $(grep -c '"GET ' /tmp/http.log)
"""

WORK = r'''
import hashlib, queue, sqlite3, subprocess, sys, threading
from multiprocessing import Pool, Process, shared_memory

def say(what):
	print("work: " + what, flush=True)

def check(what, ok):
	if not ok:
		say(what + " FAILED")
		sys.exit(1)
	say(what + " ok")

def threads():
	blocks = [bytes([i]) * 65536 for i in range(64)]
	want = [hashlib.sha256(b).hexdigest() for b in blocks]
	got, lock, work = {}, threading.Lock(), queue.Queue()
	for i in range(len(blocks)):
		work.put(i)
	def worker():
		while True:
			try:
				i = work.get_nowait()
			except queue.Empty:
				return
			digest = hashlib.sha256(blocks[i]).hexdigest()
			with lock:
				got[i] = digest
	pool = [threading.Thread(target=worker) for _ in range(8)]
	for t in pool:
		t.start()
	for t in pool:
		t.join()
	check("8 threads", [got[i] for i in range(len(blocks))] == want)

def processes():
	r = subprocess.run(["sh", "-c", "echo $((6*7)); exit 3"],
			   capture_output=True, text=True)
	check("subprocess status", r.returncode == 3 and r.stdout == "42\n")
	r = subprocess.run(["sort", "-n"], input="3\n1\n2\n",
			   capture_output=True, text=True)
	check("subprocess pipe", r.stdout == "1\n2\n3\n")

def database():
	path = "/tmp/work.db"
	db = sqlite3.connect(path)
	check("sqlite WAL", db.execute("pragma journal_mode=wal").fetchone()[0] == "wal")
	db.execute("create table t (n integer, sq integer)")
	with db:
		db.executemany("insert into t values (?, ?)",
			       ((n, n * n) for n in range(1000)))
	def writer():
		other = sqlite3.connect(path)
		with other:
			other.executemany("insert into t values (?, ?)",
					  ((n, n * n) for n in range(1000, 1500)))
		other.close()
	t = threading.Thread(target=writer)
	t.start()
	t.join()
	count, total = db.execute("select count(*), sum(sq) from t").fetchone()
	check("sqlite rows", count == 1500 and total == sum(n * n for n in range(1500)))
	db.close()

def fill(name, size):
	shm = shared_memory.SharedMemory(name=name)
	shm.buf[:size] = bytes(i % 251 for i in range(size))
	shm.close()

def square(n):
	return n * n

def shared():
	size = 1 << 20
	shm = shared_memory.SharedMemory(create=True, size=size)
	p = Process(target=fill, args=(shm.name, size))
	p.start()
	p.join()
	ok = p.exitcode == 0 and bytes(shm.buf[:size]) == bytes(i % 251 for i in range(size))
	shm.close()
	shm.unlink()
	check("shared_memory from a Process", ok)
	with Pool(2) as pool:
		check("Pool of 2", pool.map(square, range(200)) == [n * n for n in range(200)])

if __name__ == "__main__":
	threads()
	processes()
	database()
	shared()
	say("all ok")
'''


def fetch(port, path):
	with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path),
				    timeout=60) as r:
		return r.status, r.read()


def check_http(port, big_sha):
	status, listing = fetch(port, "/")
	if status != 200 or b"big.bin" not in listing or b"page.html" not in listing:
		fail("the listing: status %d, %r" % (status, listing[:200]))
	status, page = fetch(port, "/page.html")
	if status != 200 or page.decode() != PAGE:
		fail("the page: status %d, %r" % (status, page[:200]))
	status, big = fetch(port, "/big.bin")
	got = hashlib.sha256(big).hexdigest()
	print("big.bin: %d bytes, sha256 %s" % (len(big), got), flush=True)
	if status != 200 or got != big_sha:
		fail("big.bin: status %d, %d bytes, wrong checksum" % (status, len(big)))
	with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
		pages = list(pool.map(lambda _: fetch(port, "/page.html"),
				      range(CLIENTS)))
	if any(s != 200 or p.decode() != PAGE for s, p in pages):
		fail("%d clients at once did not all get the page" % CLIENTS)
	return 3 + CLIENTS


need_packages(["python3"], [PYTHON])
with tempfile.TemporaryDirectory(prefix="petrel-python-") as tmp:
	www = os.path.join(tmp, "www")
	os.mkdir(www)
	with open(os.path.join(www, "page.html"), "w") as f:
		f.write(PAGE)
	big = os.urandom(BIG)
	with open(os.path.join(www, "big.bin"), "wb") as f:
		f.write(big)
	with open(os.path.join(tmp, "work.py"), "w") as f:
		f.write(WORK)
	script = os.path.join(tmp, "start.sh")
	with open(script, "w") as f:
		f.write(GUEST_SCRIPT.format(www=www, dir=tmp) + GUEST_END)
	with Guest(["/bin/sh", script], [PYTHON, tmp], ports=[8000],
		   smp=2, mem="512M") as guest:
		guest.wait_for("http-ready", 120)
		requests = check_http(guest.port[8000],
				      hashlib.sha256(big).hexdigest())
		line = guest.wait_for("work: all ok", 180)
		guest.finish()
		if any("FAILED" in l for l in guest.lines):
			fail("work.py: " + [l for l in guest.lines if "FAILED" in l][0])
		if "http-requests %d" % requests not in guest.lines:
			fail("the server's log does not hold the %d requests" % requests)
passed()
