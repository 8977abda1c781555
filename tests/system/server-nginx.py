#!/usr/bin/env python3
# Boots: the default image on 2 vCPUs with Debian's nginx (nginx-light)
#        added by --pack: the program, /etc/nginx whole, its modules, and
#        a directory made for this run holding Debian's nginx.conf changed
#        in three directives (user nobody, error_log stderr, the site
#        below instead of sites-enabled), a site on port 8080 (Petrel's
#        own httpd has 80) and a page; guest port 8080 forwarded.
# Does:  the guest makes a 50 MiB file of random bytes, starts nginx as
#        Debian runs it (a daemon: master as root, `worker_processes
#        auto` workers as nobody, sendfile with tcp_nopush, gzip) and
#        fetches the page 50 times with BusyBox wget over 127.0.0.1. The
#        host's curl fetches the page, a 404, the page gzipped, the big
#        file, and the page from 8 clients at once; the guest runs
#        `nginx -s reload`, the host fetches again; then `nginx -s quit`.
# Expects: every wget gets the page (on two vCPUs an accepted
#        connection's request once went unseen for 60 s); the page's
#        bytes; 404; a gzip body that inflates to the page;
#        the big file's length and MD5 as the guest computed, within 20 s
#        (a corked sendfile once waited for lwIP's poll: 27 s); a master
#        and two workers (nobody) before and after the reload, the
#        workers new, each shown by ps under the title nginx wrote over
#        its argv ("nginx: master process nginx -c ...", "nginx: worker
#        process": /proc/PID/cmdline reads the process's memory); the
#        master gone after quit, its access log holding every request;
#        nothing in the kernel log.
import gzip, os, re, subprocess, sys, tempfile, threading, time
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import fail, passed
from serverlib import GUEST_END, Guest, need_packages

NGINX = "/usr/sbin/nginx"
CONF = "/etc/nginx/nginx.conf"
PACKS = [NGINX, "/etc/nginx", "/usr/share/nginx", "/usr/lib/nginx"]
BIG_MIB = 50
BIG_SECONDS = 20
PAGE = "<html><body>Hello from nginx on Petrel</body></html>\n" * 40
CLIENTS = 8
WGETS = 50	# BusyBox wget in the guest, over 127.0.0.1

SITE = """server {{
	listen 8080 default_server;
	listen [::]:8080 default_server;
	root {www};
	index index.html;
	server_name _;
	location / {{
		try_files $uri $uri/ =404;
	}}
}}
"""

GUEST_SCRIPT = r"""
for i in $(seq 300); do [ -s /run/netd.status ] && break; sleep 0.1; done
mkdir -p /var/log/nginx /var/lib/nginx
dd if=/dev/urandom of={www}/big bs=1048576 count={mib} iflag=fullblock 2>/dev/null
echo big-md5 $(md5sum < {www}/big)
nginx -c {conf} || echo nginx-failed
for i in $(seq 300); do netstat -ltn | grep -q ':8080 ' && break; sleep 0.1; done
procs() {{ ps -o pid,user,args | grep '[n]ginx: ' | sed "s/^ */$1 /"; }}
# The port listens once the master binds, before its workers have forked
# and dropped root: wait (up to 10 s) until two are nobody's.
for i in $(seq 100); do
	[ "$(procs x | grep -c ' nobody ')" -ge 2 ] && break; sleep 0.1
done
procs before
want=$(md5sum < {www}/index.html)
ok=0
for i in $(seq {wgets}); do
	[ "$(wget -q -O - http://127.0.0.1:8080/ | md5sum)" = "$want" ] &&
		ok=$((ok + 1))
done
echo wget-ok $ok
echo nginx-ready
read -r _
nginx -c {conf} -s reload || echo reload-failed
sleep 3
procs after
echo nginx-reloaded
read -r _
master=$(cat /run/nginx.pid)
nginx -c {conf} -s quit
for i in $(seq 100); do kill -0 $master 2>/dev/null || break; sleep 0.1; done
kill -0 $master 2>/dev/null && echo master-still-there
echo access-log $(wc -l < /var/log/nginx/access.log)
"""


def debian_conf(site):
	"""Debian's nginx.conf, three directives changed."""
	with open(CONF) as f:
		text = f.read()
	changes = [(r"(?m)^user\s+[^;]*;", "user nobody nogroup;"),
		   (r"(?m)^error_log\s+[^;]*;", "error_log stderr;"),
		   (r"include\s+/etc/nginx/sites-enabled/\*;",
		    "include %s;" % site)]
	for pattern, replacement in changes:
		text, n = re.subn(pattern, replacement, text)
		if n != 1:
			fail("%s: no single %r to change" % (CONF, pattern))
	return text


def curl(port, path, *options):
	"""curl's body and HTTP status for http://127.0.0.1:port/path."""
	argv = ["curl", "-sS", "--max-time", "60", "-o", "-", "-w",
		"\n%{http_code}"] + list(options) + [
		"http://127.0.0.1:%d%s" % (port, path)]
	proc = subprocess.run(argv, capture_output=True, timeout=90)
	if proc.returncode != 0:
		fail("`%s` exited %d: %s" % (" ".join(argv), proc.returncode,
					      proc.stderr.decode(errors="replace")))
	body, _, code = proc.stdout.rpartition(b"\n")
	return body, int(code)


def check_page(port):
	body, code = curl(port, "/")
	if code != 200 or body.decode() != PAGE:
		fail("GET /: status %d, %d bytes" % (code, len(body)))
	_, code = curl(port, "/missing")
	if code != 404:
		fail("GET /missing: status %d, want 404" % code)


def check_gzip(port):
	body, code = curl(port, "/index.html", "-H", "Accept-Encoding: gzip")
	if code != 200 or gzip.decompress(body).decode() != PAGE:
		fail("the gzipped page does not inflate to the page")
	print("gzip: %d bytes for %d" % (len(body), len(PAGE)))


def check_big(port, want):
	proc = subprocess.Popen(["curl", "-sS", "--max-time", "120",
				 "http://127.0.0.1:%d/big" % port],
				stdout=subprocess.PIPE)
	t0 = time.monotonic()
	md5 = subprocess.run(["md5sum"], stdin=proc.stdout,
			     capture_output=True, text=True).stdout.split()[0]
	proc.wait()
	seconds = time.monotonic() - t0
	print("big: md5 %s in %.1fs" % (md5, seconds), flush=True)
	if proc.returncode != 0 or md5 != want:
		fail("the %d MiB file: curl %d, md5 %s, want %s"
		     % (BIG_MIB, proc.returncode, md5, want))
	if seconds > BIG_SECONDS:
		fail("the %d MiB file took %.1fs (over %ds)"
		     % (BIG_MIB, seconds, BIG_SECONDS))


def check_clients(port):
	errors = []

	def client():
		try:
			body, code = curl(port, "/")
			if code != 200 or body.decode() != PAGE:
				errors.append("status %d" % code)
		except SystemExit:
			errors.append("curl failed")
	threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
	for t in threads:
		t.start()
	for t in threads:
		t.join()
	if errors:
		fail("%d clients at once: %s" % (CLIENTS, ", ".join(errors)))


def processes(guest, when):
	"""The master's pid and the workers' pids, checked to be nobody's
	and shown by ps with the titles nginx wrote over its argv."""
	rows = [(line.split(None, 3) + [""])[1:4] for line in guest.lines
		if line.startswith(when + " ")]
	masters = [pid for pid, user, args in rows if user == "root" and
		   args.startswith("nginx: master process nginx -c ")]
	workers = [pid for pid, user, args in rows if user == "nobody" and
		   args == "nginx: worker process"]
	if len(masters) != 1 or len(workers) != 2 or len(rows) != 3:
		fail("%s the reload: %r, want a master (root, \"nginx: master "
		     "process nginx -c ...\") and two workers (nobody, \"nginx: "
		     "worker process\")" % (when, rows))
	return masters[0], set(workers)


need_packages(["nginx-light", "curl"], [NGINX, CONF, "/usr/bin/curl"])
with tempfile.TemporaryDirectory(prefix="petrel-nginx-") as tmp:
	os.chmod(tmp, 0o755)	# the workers (nobody) walk through it
	www = os.path.join(tmp, "www")
	os.mkdir(www)
	with open(os.path.join(www, "index.html"), "w") as f:
		f.write(PAGE)
	site = os.path.join(tmp, "site.conf")
	with open(site, "w") as f:
		f.write(SITE.format(www=www))
	conf = os.path.join(tmp, "nginx.conf")
	with open(conf, "w") as f:
		f.write(debian_conf(site))
	script = os.path.join(tmp, "start.sh")
	with open(script, "w") as f:
		f.write(GUEST_SCRIPT.format(www=www, mib=BIG_MIB, conf=conf,
					    wgets=WGETS) +
			GUEST_END)
	packs = [p for p in PACKS if os.path.exists(p)] + [tmp]
	with Guest(["/bin/sh", script], packs, ports=[8080], smp=2,
		   mem="512M") as guest:
		want = guest.wait_for("big-md5 ", 120).split()[1]
		guest.wait_for("nginx-ready", 120)
		if "wget-ok %d" % WGETS not in guest.lines:
			fail("BusyBox wget in the guest: %s of %d pages"
			     % (guest.wait_for("wget-ok", 1), WGETS))
		master, workers = processes(guest, "before")
		port = guest.port[8080]
		check_page(port)
		check_gzip(port)
		check_big(port, want)
		check_clients(port)
		guest.tell("reload")
		guest.wait_for("nginx-reloaded", 60)
		master2, workers2 = processes(guest, "after")
		if master2 != master or workers2 & workers:
			fail("after the reload: master %s, workers %s (before: "
			     "%s, %s)" % (master2, workers2, master, workers))
		check_page(port)
		guest.finish()	# its line makes the guest quit nginx
		requests = WGETS + 6 + CLIENTS
		if ("access-log %d" % requests) not in guest.lines:
			fail("the access log does not hold the %d requests"
			     % requests)
		if "master-still-there" in guest.lines:
			fail("nginx's master did not quit")
passed()
