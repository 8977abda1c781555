#!/usr/bin/env python3
# Boots: the default image with what bench/srvbench.py packs for `make
#        bench`'s server figures (§6 of docs/performance.md): Debian's
#        nginx-light and redis-server, their configuration, the files
#        srvbench.stage() writes, and a modules directory (empty here: only
#        the Linux guest loads it); guest ports 8080 and 6379 forwarded.
# Does:  runs the benchmark's own guest script (start.sh) as its one-shot
#        command, as bench/run does; the host asks nginx for / and redis
#        for PING, runs srvbench's redis-benchmark SET and GET (500
#        requests each) and formats a figures table from them.
# Expects: "srv: started on Petrel" with no nginx or redis failure; the
#        page and PONG; a rate from each redis-benchmark; a table row for
#        each case. So a change to the guest script, Debian's
#        configuration or the parsing shows here and not first in a
#        six-minute `make bench`.
# Also:  the Linux guest's base image (srvbench.unpacked_image of the
#        default image, booted by no test) holds the default image's
#        members in the same order, none of them page-packed, BusyBox the
#        host's byte for byte, and the page nginx serves: a packed file
#        Linux cannot exec, a missing page answers 404.
import os, sys, tempfile
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import ROOT, fail, passed
from serverlib import Guest, need_packages
sys.path.insert(0, os.path.join(ROOT, "bench"))
import netbench, srvbench


def members(path):
	"""(name, data) of each member of the newc image at path."""
	with open(path, "rb") as f:
		archive = f.read()
	out = []
	for fields, name, member in srvbench.cpio_align.members(archive):
		at = srvbench.cpio_align.align4(srvbench.cpio_align.HEADER +
						 fields[11])
		out.append((name, member[at:at + fields[6]]))
	return out


def check_linux_base(tmp):
	base = os.path.join(ROOT, "build", "initramfs.cpio")
	linux = srvbench.unpacked_image(base, os.path.join(tmp, "linux.cpio"))
	mark = srvbench.cpio_align.PACK_MARK
	kept = [n for n, data in members(base)
		if not (n == b"." and data.startswith(mark))]
	found = dict(members(linux))
	if [n for n, _ in members(linux)] != kept:
		fail("the Linux base image's members differ from the default "
		     "image's")
	for name, data in found.items():
		if data.startswith(srvbench.pagepack.MAGIC) or (
				name == b"." and data.startswith(mark)):
			fail("the Linux base image keeps %s packed"
			     % name.decode(errors="replace"))
	with open("/bin/busybox", "rb") as f:
		if found.get(b"bin/busybox") != f.read():
			fail("the Linux base image's bin/busybox is not the host's")
	if not found.get(b"srv/www/index.html"):
		fail("the Linux base image has no srv/www/index.html")


need_packages(srvbench.PACKAGES, srvbench.HOST_PACKS + [
	srvbench.NGINX_CONF, srvbench.REDIS_BENCH])
with tempfile.TemporaryDirectory(prefix="petrel-bench-srv-") as tmp:
	check_linux_base(tmp)
	os.chmod(tmp, 0o755)	# nginx's workers (nobody) walk through it
	mods = os.path.join(tmp, "mods")
	os.makedirs(os.path.join(mods, "lib", "modules"))
	open(os.path.join(mods, "lib", "modules", "load-order"), "w").close()
	packs, command = srvbench.stage(os.path.join(tmp, "srv"), mods)
	ports = [srvbench.GUEST_NGINX, srvbench.GUEST_REDIS]
	with Guest(command, packs, ports=ports) as guest:
		guest.wait_for("srv: started on Petrel", 120)
		for line in guest.lines:
			if "srv: " in line and "failed" in line:
				fail("the guest script: " + line)
		nginx = guest.port[srvbench.GUEST_NGINX]
		redis = guest.port[srvbench.GUEST_REDIS]
		if not netbench.http_ok(nginx):
			fail("nginx did not answer GET / with 200")
		if not srvbench.redis_ok(redis):
			fail("redis did not answer PING")
		rates = {}
		for test in ("set", "get"):
			rate, note = srvbench.run_redis(redis, test, 500)
			print("redis-benchmark %s: %s %s" % (test, rate, note),
			      flush=True)
			if rate is None:
				fail("redis-benchmark %s: %s" % (test, note))
			rates["redis_" + test] = rate
	res = {key: [rates.get(key)] for key, _, _ in srvbench.CASES}
	res.update({key + "_cpu": [None] for key, _, _ in srvbench.CASES})
	table = srvbench.table({"srv_runs": 1, "srv_petrel": res,
				"srv_linux": None})
	print(table)
	for key, label, _ in srvbench.CASES:
		if ("| %s |" % label) not in table:
			fail("no row for %s in the table" % key)
passed()
