# bench/srvbench.py: the real-server half of `make bench` (called by
# bench/run). Debian's nginx-light and redis-server, packed with
# `./petrel run --pack` into Petrel's own image, serve in both guests from
# the SAME image: the same binaries, libraries, configuration and guest
# script (start.sh below). Petrel boots it as `./petrel run --pack` does;
# the Linux guest boots it on the same QEMU command line with Petrel's init
# (rdinit=/sbin/init) and the same one-shot command, and the script loads
# the packed virtio-net modules first (bench/linux-srv-modules.sh). Only
# the storage form differs: Linux cannot exec a page-packed file
# (tools/pagepack.py), so its image is made from unpacked_image()'s copy of
# Petrel's default image, with the same --pack files (which --pack adds
# plain). From the host, through QEMU user networking's forwards:
#
#   - nginx (Debian's nginx.conf: a master and `worker_processes auto`
#     workers, sendfile, access log) GET / with wrk, keep-alive and a new
#     connection per request, as bench/netbench.py measures Petrel's httpd;
#   - redis-server (Debian's redis.conf) with the host's redis-benchmark,
#     SET and GET, -n/-c fixed, no pipelining (-P 1).
#
# What is measured and why is in docs/performance.md §6.

import importlib.util
import os
import re
import shlex
import socket
import subprocess
import sys
import time

import netbench
from figures import summary, values_line

sys.dont_write_bytecode = True	# no __pycache__ in tools/ either
TOOLS = os.path.join(os.path.dirname(os.path.dirname(
    os.path.realpath(__file__))), "tools")
sys.path.insert(0, TOOLS)
import pagepack  # noqa: E402
_spec = importlib.util.spec_from_file_location(
    "cpio_align", os.path.join(TOOLS, "cpio-align.py"))
cpio_align = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cpio_align)

GUEST_NGINX = 8080	# Petrel's own httpd has 80
GUEST_REDIS = 6379
REDIS_REQS = 10000
REDIS_CLIENTS = 8	# as wrk's -c8
REDIS_TIMEOUT = 300
# Linux boots that hang in TSC calibration are retried, as bench/fsbench.py
# retries them (netbench's 4 were not enough under a loaded host).
BOOT_ATTEMPTS = 20
# Targets of issue 11 §5, Petrel / Linux.
TARGETS = {"nginx": 1.5, "redis": 1.3}

NGINX = "/usr/sbin/nginx"
NGINX_CONF = "/etc/nginx/nginx.conf"
REDIS = "/usr/bin/redis-server"
REDIS_BENCH = "/usr/bin/redis-benchmark"
# What is packed from the host, as tests/system/server-nginx.py and
# server-redis.py pack it (the programs with their ldd closure, the
# configuration and module directories whole).
HOST_PACKS = [NGINX, "/etc/nginx", "/usr/share/nginx", "/usr/lib/nginx",
              REDIS, "/etc/redis"]
PACKAGES = ["nginx-light", "redis-server", "redis-tools", "wrk"]

CASES = [
    # key, label, unit
    ("nginx_keepalive", "nginx GET /, keep-alive, wrk (req/s)", "{:.0f}"),
    ("nginx_close", "nginx GET /, new connection per request (req/s)",
     "{:.0f}"),
    ("redis_set", "redis-benchmark SET, -c %d -P 1 (req/s)" % REDIS_CLIENTS,
     "{:.0f}"),
    ("redis_get", "redis-benchmark GET, -c %d -P 1 (req/s)" % REDIS_CLIENTS,
     "{:.0f}"),
]

# nginx's site: Petrel's /srv/www (the page §4's httpd serves), on 8080.
SITE = """server {
	listen %d default_server;
	listen [::]:%d default_server;
	root /srv/www;
	index index.html;
	server_name _;
	location / {
		try_files $uri $uri/ =404;
	}
}
""" % (GUEST_NGINX, GUEST_NGINX)

# The one-shot command of both guests. Linux brings its NIC up as
# bench/linux-net-initramfs.sh does (slirp's DHCP address, statically);
# Petrel's netd takes it by DHCP. Then both start the servers as Debian
# would (each daemonizes) and the script stays, so init does not power off.
START = r"""#!/bin/sh
# bench/srvbench.py's guest script, the same in both guests.
case "$(uname -v)" in *Petrel*) guest=Petrel ;; *) guest=Linux ;; esac
if [ $guest = Linux ]; then
	while read -r m; do
		insmod "{mods}/$m" || echo "srv: insmod $m failed"
	done <"{mods}/load-order"
	i=0
	while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	ip link set lo up
	ip link set eth0 up
	ip addr add 10.0.2.15/24 dev eth0
	ip route add default via 10.0.2.2
else
	for i in $(seq 300); do [ -s /run/netd.status ] && break; sleep 0.1; done
fi
mkdir -p /var/log/nginx /var/lib/nginx /run/redis /var/log/redis /var/lib/redis
[ -f /srv/www/index.html ] || echo "srv: no /srv/www/index.html (nginx's root)"
nginx -c {srv}/nginx.conf || echo "srv: nginx failed"
redis-server /etc/redis/redis.conf --bind '0.0.0.0 ::' --protected-mode no ||
	echo "srv: redis failed"
echo "srv: started on $guest"
while :; do
	sleep 3600
done
"""

RPS_CSV = re.compile(r'^"(SET|GET)","([\d.]+)"', re.M)


def debian_conf(site):
    """Debian's nginx.conf with the directives tests/system/server-nginx.py
    changes: user nobody, error_log stderr, the site above instead of
    sites-enabled."""
    with open(NGINX_CONF) as f:
        text = f.read()
    changes = [(r"(?m)^user\s+[^;]*;", "user nobody nogroup;"),
               (r"(?m)^error_log\s+[^;]*;", "error_log stderr;"),
               (r"include\s+/etc/nginx/sites-enabled/\*;",
                "include %s;" % site)]
    for pattern, replacement in changes:
        text, n = re.subn(pattern, replacement, text)
        if n != 1:
            raise RuntimeError("%s: no single %r to change"
                               % (NGINX_CONF, pattern))
    return text


def write_if_changed(path, text, mode=0o644):
    """Keeps the file (and so `--pack`'s cached image) when unchanged."""
    try:
        with open(path) as f:
            if f.read() == text:
                return
    except OSError:
        pass
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def stage(srv_dir, mods_dir):
    """Writes the benchmark's own files into srv_dir; returns the --pack
    paths and the guest command (an argv)."""
    os.makedirs(srv_dir, exist_ok=True)
    os.chmod(srv_dir, 0o755)	# nginx's workers (nobody) read under it
    site = os.path.join(srv_dir, "site.conf")
    write_if_changed(site, SITE)
    write_if_changed(os.path.join(srv_dir, "nginx.conf"), debian_conf(site))
    start = os.path.join(srv_dir, "start.sh")
    write_if_changed(start, START.replace("{mods}", os.path.join(
        mods_dir, "lib", "modules")).replace("{srv}", srv_dir), 0o755)
    return HOST_PACKS + [srv_dir, mods_dir], ["/bin/sh", start]


def unpacked_image(packed, out):
    """Writes to out (unless it is newer than packed) the newc image packed
    with each page-packed file in its plain form, the mark member before it
    left out; every other member as it is. Returns out. The Linux guest's
    base image: Petrel's default image, every file the same bytes once
    unpacked."""
    if os.path.exists(out) and \
            os.path.getmtime(out) >= os.path.getmtime(packed):
        return out
    with open(packed, "rb") as f:
        archive = f.read()
    image = bytearray()
    unpack_next = False
    for fields, name, member in cpio_align.members(archive):
        at = cpio_align.align4(cpio_align.HEADER + fields[11])
        data = member[at:at + fields[6]]
        if name == b"." and data.startswith(cpio_align.PACK_MARK):
            unpack_next = True
            continue
        if unpack_next:
            data = pagepack.unpack(data)
            fields = fields[:6] + [len(data)] + fields[7:]
            member = (cpio_align.header(fields, member[:6]) +
                      member[cpio_align.HEADER:at] + data +
                      bytes(-len(data) % 4))
            unpack_next = False
        image += member
    image += bytes(-len(image) % 512)
    with open(out + ".tmp", "wb") as f:
        f.write(image)
    os.replace(out + ".tmp", out)
    return out


def missing_host_files():
    return [p for p in HOST_PACKS + [NGINX_CONF, REDIS_BENCH, "/usr/bin/wrk"]
            if not os.path.exists(p)]


def first_line(port, request):
    """The first line of the answer to request on 127.0.0.1:port, b"" if
    none came (the host forward accepts before the guest listens)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(request)
            return s.recv(64).split(b"\r\n")[0]
    except OSError:
        return b""


def redis_ok(port):
    """True if PING on 127.0.0.1:port is answered with PONG."""
    return first_line(port, b"PING\r\n") == b"+PONG"


class SrvGuest(netbench.Guest):
    """A netbench guest whose two ports are nginx's and redis's. A boot
    whose servers answer, but not as they should (nginx not 200, redis not
    PONG), is not booted again: it is the image or the script, which the
    next boot has too, and what they answered goes into the error."""

    wrong = None

    def probe(self, _tcpbench):
        nginx = first_line(self.http, b"GET / HTTP/1.1\r\nHost: bench\r\n"
                           b"Connection: close\r\n\r\n")
        redis = first_line(self.tcp, b"PING\r\n")
        nginx_ok = nginx.startswith(b"HTTP/1.1 200")
        if (nginx and not nginx_ok) or (redis and redis != b"+PONG"):
            self.wrong = f"nginx answered GET / with {nginx!r}, " \
                f"redis PING with {redis!r}"
        return nginx_ok and redis == b"+PONG"

    def wait_ready(self, tcpbench):
        self.wrong = None
        why = super().wait_ready(tcpbench)
        if why and self.wrong:
            raise RuntimeError(f"{self.name}: {why}: {self.wrong}; "
                               f"console in {self.log_path}")
        return why


def qemu_cpu_seconds(guest):
    """User + system CPU time of the guest's QEMU process (all its
    threads: the vCPU, the I/O thread with slirp) so far."""
    with open(f"/proc/{guest.proc.pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_redis(port, test, requests=REDIS_REQS):
    """(req/s or None, note) of one redis-benchmark run of one test."""
    cmd = [REDIS_BENCH, "-h", "127.0.0.1", "-p", str(port), "-t", test,
           "-n", str(requests), "-c", str(REDIS_CLIENTS), "-P", "1",
           "--csv"]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True,
                           timeout=REDIS_TIMEOUT)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(
            e.stdout, bytes) else (e.stdout or "")
        return None, f"redis-benchmark did not finish in {REDIS_TIMEOUT} s " \
            f"({out.strip()[-200:]!r})"
    m = RPS_CSV.search(r.stdout)
    if r.returncode != 0 or not m:
        return None, "redis-benchmark exited %d: %s" % (
            r.returncode, (r.stdout + r.stderr).strip()[-300:])
    return float(m.group(2)), ""


def warm_up(guest):
    """Untimed: both servers have run before the first figure."""
    run_redis(guest.tcp, "set", 1000)
    subprocess.run(["wrk", "-t1", "-c1", "-d2s",
                    f"http://127.0.0.1:{guest.http}/"],
                   capture_output=True, timeout=30)


def per_request(guest, cpu_before, requests):
    """QEMU's CPU microseconds per request since cpu_before, or None."""
    if not requests or not guest.running():
        return None
    return (qemu_cpu_seconds(guest) - cpu_before) * 1e6 / requests


def run_round(guest, i, res, notes, log):
    """One run of every case on guest (round i, from 0)."""
    for key, close in (("nginx_keepalive", False), ("nginx_close", True)):
        cpu = qemu_cpu_seconds(guest)
        v, note, out = netbench.run_wrk(guest.http, close)
        res[key].append(v)
        total = netbench.TOTAL.search(out)
        res[key + "_cpu"].append(per_request(guest, cpu, total and int(
            total.group(1))))
        log(f"  {guest.name} {key} run {i + 1}: "
            f"{'-' if v is None else f'{v:.0f} req/s'}"
            f"{' (' + note + ')' if note else ''}")
        if close:
            time.sleep(netbench.SLIRP_SETTLE_SECS)
        if v is None or "errors" in note or "non-2xx" in note:
            notes.append(f"{key} run {i + 1}: {note or 'no result'}")
    for key, test in (("redis_set", "set"), ("redis_get", "get")):
        cpu = qemu_cpu_seconds(guest)
        v, note = run_redis(guest.tcp, test)
        res[key].append(v)
        res[key + "_cpu"].append(per_request(guest, cpu, v and REDIS_REQS))
        log(f"  {guest.name} {key} run {i + 1}: "
            f"{'-' if v is None else f'{v:.0f} req/s'}"
            f"{' (' + note + ')' if note else ''}")
        if v is None:
            notes.append(f"{key} run {i + 1}: {note}")
    if not guest.running():
        notes.append(f"after run {i + 1}: QEMU exited "
                     f"(console: {guest.log_path})")
        return False
    if not guest.answers(None):
        notes.append(f"after run {i + 1}: no answer to a new connection "
                     f"within 30 s")
        log(f"  {guest.name}: no answer within 30 s; console tail:\n"
            + guest.console()[-2000:].decode(errors="replace"))
    return True


def measure_srv(out_dir, petrel_cmd, linux_cmd, runs, log):
    """petrel_cmd(nginx_port, redis_port) and linux_cmd(...) give the QEMU
    command lines (linux_cmd None: Petrel only). Both guests are booted
    and stay up; the rounds alternate between them (Petrel's cases, then
    Linux's, `runs` times), so that both meet the same host load: on the
    shared 2-core build machines it changes from minute to minute, more
    than the difference measured. The idle guest only waits in hlt.
    Returns a results dict."""
    r = {"srv_runs": runs}
    makers = [("petrel", petrel_cmd)]
    if linux_cmd:
        makers.append(("linux", linux_cmd))
    guests = []
    try:
        for name, make_cmd in makers:
            g = SrvGuest(name, make_cmd,
                         os.path.join(out_dir, f"srv-{name}.log"), log)
            r[f"srv_{name}"] = None
            r[f"srv_{name}_notes"] = []
            try:
                g.boot(None, attempts=BOOT_ATTEMPTS)
            except RuntimeError as e:
                r[f"srv_{name}_notes"].append(str(e))
                log(str(e))
            else:
                guests.append(g)
                warm_up(g)
                r[f"srv_{name}"] = {k: [] for key, _, _ in CASES
                                    for k in (key, key + "_cpu")}
            r[f"srv_{name}_retries"] = g.retries
            if g.cmd:
                r[f"srv_{name}_cmd"] = shlex.join(g.cmd)
        for i in range(runs):
            for g in list(guests):
                if not run_round(g, i, r[f"srv_{g.name}"],
                                 r[f"srv_{g.name}_notes"], log):
                    guests.remove(g)
    finally:
        for g in guests:
            g.stop()
    for name, _ in makers:
        log(f"  {name}: console in {os.path.join(out_dir, f'srv-{name}.log')}")
    return r


def medians(r, key):
    out = []
    for name in ("petrel", "linux"):
        res = r.get(f"srv_{name}")
        s = summary(res[key]) if res else None
        out.append(s[0] if s else None)
    return out


def table(r):
    lines = ["| server figure (median of %d) | Petrel | Linux | Petrel / "
             "Linux | target | QEMU CPU us/request, Petrel | Linux | "
             "Linux / Petrel |" % r["srv_runs"],
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for key, label, fmt in CASES:
        p, l = medians(r, key)
        ratio = f"{p / l:.2f}x" if p is not None and l else "-"
        target = TARGETS[key.split("_")[0]]
        pc, lc = medians(r, key + "_cpu")
        cratio = f"{lc / pc:.2f}x" if pc and lc is not None else "-"
        lines.append(f"| {label} | {'-' if p is None else fmt.format(p)} | "
                     f"{'-' if l is None else fmt.format(l)} | {ratio} | "
                     f"{target}x | {'-' if pc is None else f'{pc:.0f}'} | "
                     f"{'-' if lc is None else f'{lc:.0f}'} | {cratio} |")
    return "\n".join(lines)


def details(r):
    lines = []
    for name in ("petrel", "linux"):
        res = r.get(f"srv_{name}")
        if res is None and f"srv_{name}_notes" not in r:
            continue
        title = name.capitalize()
        if res:
            for key, _, fmt in CASES:
                lines.append(values_line(title, key, res[key], fmt))
                lines.append(values_line(title, key + " QEMU CPU us/request",
                                         res[key + "_cpu"], "{:.0f}"))
        notes = r.get(f"srv_{name}_notes") or []
        lines.append(f"- {title}: " + ("; ".join(notes) if notes else
                                      "no wrk socket errors, no non-2xx "
                                      "responses, no failed redis-benchmark")
                     + f"; boots retried: {r.get(f'srv_{name}_retries', 0)}")
        if r.get(f"srv_{name}_cmd"):
            lines.append(f"- {title} QEMU command (ports vary): "
                         f"`{r[f'srv_{name}_cmd']}`")
    met = []
    for key, _, _ in CASES:
        p, l = medians(r, key)
        if p is not None and l:
            target = TARGETS[key.split("_")[0]]
            met.append(f"{key} {p / l:.2f}x "
                       f"({'met' if p / l >= target else 'not met'})")
    if met:
        lines.append("- targets (nginx >= 1.5x, redis >= 1.3x): " +
                     ", ".join(met))
    return lines
