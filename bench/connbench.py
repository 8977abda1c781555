# bench/connbench.py: many connections (`bench/run --conn-only`, issue 13
# §2). Boots each guest (Petrel, then Linux) on one vCPU with the network
# benchmark's image and command line (bench/netbench.py) and measures its
# httpd's keep-alive requests/s with wrk from the host:
#
#   - with 8, 256 and 4,000 connections;
#   - with 64 connections while 10,000 more are held open and idle, each
#     having had one request answered (so httpd holds every one of them),
#     by this script.
#
# The target: the 4,000-connection and the 10,000-idle cases keep at least
# 85% of the 8-connection rate. The guest's NIC is a tap in a network
# namespace this script makes (bench/tapnet.py), with wrk and the script
# inside it; or, where that cannot be made (not root) or with
# `--conn-net user`, QEMU's user network (slirp), which holds a host socket
# per connection and looks at all of them on each pass of its loop (it held
# neither guest's 10,000 idle connections: docs/performance.md).

import os
import resource
import selectors
import shlex
import socket
import subprocess
import time

import cpushare
import netbench
import tapnet
from figures import summary, values_line

WRK_SECS = 10
WRK_TIMEOUT = "10s"     # wrk's default 2 s counts a slow queue as errors
CONNS = (8, 256, 4000)
IDLE_CONNS = 10000
IDLE_ACTIVE = 64
OPEN_PATIENCE = 240     # seconds for all of them to be answered
# QEMU's slirp listens on each host forward with a backlog of 1: a SYN
# beyond it is dropped and sent again 1, 3, 7... s later. The idle
# connections come through this many extra forwards of the guest's port
# 80, round robin, with at most OPEN_PER_FORWARD connecting on each.
IDLE_FORWARDS = 16
OPEN_PER_FORWARD = 1
# Over a tap nothing stands between the script and the guest's listener
# (httpd's backlog is 511): this many connect at a time.
TAP_OPEN_BATCH = 128
REFRESH_FLIGHT = 64
# A few connections in a thousand never answer a second request, in both
# guests (not understood yet): a refresh waits this long for the rest.
REFRESH_PATIENCE = 5
# The idle case counts when this share of the connections is held.
IDLE_HELD_MIN = 0.95
# The guests' httpd closes a connection idle for 30 s: a guest slowed by a
# loaded host answered too few requests a second for the script to keep
# 10,000 connections from that timeout (9,086 of them held, once). So every
# case is measured on a second httpd in each guest, on port 8080, that
# waits IDLE_TIMEOUT_S (Petrel: the guest's command; Linux: its /init,
# told by bench.idle= on its command line). The script still sends each
# idle connection a request again when REFRESH_SECS old while the others
# are being opened, and all of them once more right before wrk starts.
IDLE_TIMEOUT_S = 600
BENCH_HTTP = 8080
# The guest also prints its CPU shares once a second (bench/cpushare.py).
PETREL_SERVERS = (f"/sbin/httpd -q -p {BENCH_HTTP} -t {IDLE_TIMEOUT_S} "
                  f"-r /srv/www & h=$!; {cpushare.GUEST_SAMPLER} "
                  f"exec /bench/tcpbench server {netbench.GUEST_TCP}")
# tsc=reliable: under a loaded host the Linux guest's clocksource watchdog
# found the TSC skewed against its other clock and marked it unstable,
# which bench/netbench.py takes for the TCG boot hang (8 boots of 8 in two
# runs); as in §8 (bench/smpbench.py), the TSC the vCPU reads is the
# host's one constant TSC.
LINUX_APPEND = f" bench.idle={IDLE_TIMEOUT_S} tsc=reliable"
REFRESH_SECS = 20
TARGET = 0.85
# Both guests' memory. httpd's connection is 24.5 KiB of heap (its 16 KiB
# request and 8 KiB response buffers), of which an idle one that has
# answered a request has touched about 10: 10,000 of them with their
# sockets (11.2 KB each in Petrel in all) did not fit Petrel in 128 MiB
# (httpd took a fault it could not be given a page for, and died), nor,
# by the same sum, the Linux guest.
GUEST_MEM = "256M"
# Descriptors the host side needs (wrk's 4,000, the 10,000 idle ones and,
# on slirp, QEMU's host socket for each): the soft limit is raised to the
# hard one, and both to this as root.
FDS_NEEDED = 2 * IDLE_CONNS + 1024

# QEMU names its threads, so the notes can tell its vCPU thread's time.
QEMU_EXTRA = ["-name", "guest,debug-threads=on"]
# PETREL_CONN_ICOUNT=1 runs each guest under -icount shift=0 (sleep on:
# idle time passes as on the host): a microsecond of the guest's busy time
# is then 1,000 guest instructions, so its busy time per request counts
# instructions, whatever the host's load (the rates themselves are then
# TCG's with icount, lower).
ICOUNT = ["-icount", "shift=0"] if os.environ.get("PETREL_CONN_ICOUNT") else []

CASES = [
    ("c8", "wrk, 8 connections (req/s)"),
    ("c256", "wrk, 256 connections (req/s)"),
    ("c4000", "wrk, 4,000 connections (req/s)"),
    ("idle10000", "wrk, 64 connections + 10,000 idle (req/s)"),
]

REQUEST = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n"


class Path:
    """How the host reaches the guest: over a tap (the guest's own address
    and ports) or through slirp's forwards of 127.0.0.1 ports."""

    def __init__(self, tap, ports=()):
        self.tap = tap
        if tap:
            self.host = tapnet.GUEST
            self.idle_ports = [BENCH_HTTP]
            self.open_batch = TAP_OPEN_BATCH
            self.settle = 2
        else:
            self.host = "127.0.0.1"
            self.idle_ports = list(ports)
            self.open_batch = len(ports) * OPEN_PER_FORWARD
            self.settle = netbench.SLIRP_SETTLE_SECS

    def target(self):
        """netbench.Guest's target: None (new forwards each boot) on slirp."""
        if self.tap:
            return (self.host, BENCH_HTTP, netbench.GUEST_TCP)
        return None


def raise_nofile():
    """Raises this process's descriptor limit (inherited by QEMU and wrk);
    returns the soft limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < FDS_NEEDED:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (FDS_NEEDED, FDS_NEEDED))
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        except (ValueError, OSError):
            pass	# not root: the hard limit stays
    want = hard if hard == resource.RLIM_INFINITY else min(hard, max(soft, FDS_NEEDED))
    if want > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def established(host, port):
    """How many host connections to host:port are established (ss), or
    None: slirp's backlog of 1 leaves the rest of wrk's connections
    sending SYNs again, so this is how many wrk really had."""
    try:
        r = subprocess.run(["ss", "-Htn", "state", "established",
                            f"( dst {host} and dport = :{port} )"],
                           capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return len([l for l in r.stdout.splitlines() if l.strip()])


def host_counters():
    """(SYNs the host sent again, packets the tap dropped on their way to
    QEMU, (packets to the guest, from it)) so far in this process's
    network namespace, each None where unknown: what a burst of
    connections lost before the guest saw it, and the segments a request
    took."""
    syn = drops = packets = None
    try:
        with open("/proc/net/netstat") as f:
            lines = f.read().splitlines()
        for names, values in zip(lines[::2], lines[1::2]):
            if names.startswith("TcpExt:"):
                row = dict(zip(names.split()[1:], values.split()[1:]))
                syn = int(row.get("TCPSynRetrans", 0))
    except (OSError, ValueError):
        pass
    try:
        with open("/proc/net/dev") as f:	# this namespace's, not /sys's
            for line in f:
                name, _, fields = line.partition(":")
                if name.strip() == tapnet.TAP:
                    f = fields.split()
                    drops = int(f[11])	# transmit drop
                    packets = (int(f[9]), int(f[1]))	# to, from QEMU
    except (OSError, ValueError, IndexError):
        pass
    return syn, drops, packets


def counter_notes(before, after, requests):
    """The notes host_counters() read across a run of requests gives."""
    notes = []
    for what, a, b in zip(("SYNs sent again", "dropped at the tap"),
                          before, after):
        if a is not None and b is not None:
            notes.append(f"{b - a} {what}")
    a, b = before[2], after[2]
    if a and b and requests:
        notes.append(f"packets a request: {(b[0] - a[0]) / requests:.2f} "
                     f"to the guest, {(b[1] - a[1]) / requests:.2f} from it")
    return notes


# The CPU shares are read from this long after wrk starts to this long
# before it ends (the guest's sample lines come once a second).
SHARE_FROM = 1.5
SHARE_TO = 0.4


def run_wrk(guest, conns, secs=WRK_SECS, others=0):
    """(req/s or None, note) of one keep-alive wrk run; the note says how
    many connections were established halfway through, less others (the
    idle ones, on the same port over a tap), and where the CPU time went
    in the guest and on the host (bench/cpushare.py)."""
    host, port = guest.host, guest.http
    cmd = ["wrk", f"-t{netbench.WRK_THREADS}", f"-c{conns}", f"-d{secs}s",
           "--timeout", WRK_TIMEOUT, f"http://{host}:{port}/"]
    before = host_counters()
    idle_line = cpushare.quiet_line(guest.console)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    t0 = time.monotonic()
    time.sleep(SHARE_FROM)
    first = cpushare.sample(guest.proc.pid, proc.pid, guest.console())
    t1 = time.monotonic()
    time.sleep(max(0, t0 + secs / 2 - t1))
    up = established(host, port)
    if up is not None:
        up = max(0, up - others)
    time.sleep(max(0, t0 + secs - SHARE_TO - time.monotonic()))
    share = cpushare.note(first, cpushare.sample(
        guest.proc.pid, proc.pid, guest.console()), time.monotonic() - t1)
    try:
        out, _ = proc.communicate(timeout=secs + 60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return None, "wrk did not finish"
    m = netbench.REQS.search(out)
    notes = []
    after = host_counters()
    t = netbench.TOTAL.search(out)
    if t:
        notes.append(f"{t.group(1)} requests")
        busy = cpushare.per_request(idle_line,
                                    cpushare.quiet_line(guest.console),
                                    int(t.group(1)))
        if busy:
            notes.append(busy)
    if up is not None:
        notes.append(f"{up} of {conns} connections established at {secs / 2:.0f} s")
    notes += counter_notes(before, after, int(t.group(1)) if t else 0)
    notes.append(share)
    e = netbench.SOCK_ERRS.search(out)
    if e and any(int(x) for x in e.groups()):
        notes.append("socket errors: connect %s, read %s, write %s, "
                     "timeout %s" % e.groups())
    if not m:
        notes.append("wrk: " + " | ".join(l.strip() for l in out.splitlines()[-4:]))
    return (float(m.group(1)) if m else None), "; ".join(notes)


def answered(buf):
    """True once buf holds a whole response head and its body (httpd
    sends Content-Length)."""
    head, sep, body = buf.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return True


def free_ports(n):
    """n host ports for the extra forwards, fixed for the whole run."""
    return [netbench.free_port() for _ in range(n)]


def refresh(held, log):
    """Sends one request on every held connection, at most REFRESH_FLIGHT
    at a time (a burst of thousands lost a few percent of its answers, in
    both guests), and reads its answer (httpd restarts its idle timeout);
    returns those that answered."""
    sel = selectors.DefaultSelector()
    bufs, alive = {}, []
    todo = list(held)
    deadline = time.monotonic() + REFRESH_PATIENCE
    while (todo or bufs) and time.monotonic() < deadline:
        while todo and len(bufs) < REFRESH_FLIGHT:
            s = todo.pop()
            try:
                s.send(REQUEST)
            except OSError:
                s.close()
                continue
            bufs[s] = b""
            sel.register(s, selectors.EVENT_READ)
        for key, _ in sel.select(timeout=1):
            s = key.fileobj
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if data:
                bufs[s] += data
                if not answered(bufs[s]):
                    continue
                alive.append(s)
            else:
                s.close()
            sel.unregister(s)
            del bufs[s]
            deadline = time.monotonic() + REFRESH_PATIENCE	# progress
    for s in list(bufs) + todo:
        s.close()
    sel.close()
    return alive


def open_idle(path, count, log):
    """Opens count keep-alive connections to the guest's httpd (over
    slirp, through the forwarded ports), each answered once (and again
    every REFRESH_SECS until all are open); returns the sockets whose
    requests were answered, and a note."""
    ports = path.idle_ports
    sel = selectors.DefaultSelector()
    held, failed, pending, since = [], 0, {}, {}
    t0 = time.monotonic()
    deadline = t0 + OPEN_PATIENCE
    refreshed = t0
    started = 0
    while (started < count or pending) and time.monotonic() < deadline:
        now = time.monotonic()
        if now - refreshed > 1 and held:
            old = [x for x in held if now - since[x] > REFRESH_SECS]
            if old:
                young = [x for x in held if now - since[x] <= REFRESH_SECS]
                alive = refresh(old, log)
                for x in alive:
                    since[x] = time.monotonic()
                held = young + alive
            refreshed = time.monotonic()
        while started < count and len(pending) < path.open_batch:
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex((path.host, ports[started % len(ports)]))
            pending[s] = [b"", False, time.monotonic()]
            sel.register(s, selectors.EVENT_WRITE)
            started += 1
        # One that never answers would hold its slot for good.
        for s in [x for x, st in pending.items()
                  if time.monotonic() - st[2] > REFRESH_PATIENCE * 2]:
            failed += 1
            sel.unregister(s)
            s.close()
            del pending[s]
        for key, ev in sel.select(timeout=1):
            s = key.fileobj
            st = pending[s]
            try:
                if not st[1]:
                    s.send(REQUEST)
                    st[1] = True
                    sel.modify(s, selectors.EVENT_READ)
                    continue
                data = s.recv(65536)
            except OSError:
                data = b""
            if not data:
                failed += 1
                sel.unregister(s)
                s.close()
                del pending[s]
                continue
            st[0] += data
            if answered(st[0]):
                sel.unregister(s)
                del pending[s]
                held.append(s)
                since[s] = time.monotonic()
    for s in list(pending):
        failed += 1
        sel.unregister(s)
        s.close()
    sel.close()
    opened = time.monotonic() - t0
    t1 = time.monotonic()
    held = refresh(held, log)
    way = (f"over the tap, {path.open_batch} at a time" if path.tap else
           f"through {len(ports)} forwards")
    note = (f"{len(held)} of {count} idle connections open and answered "
            f"(opened in {opened:.0f} s {way}, "
            f"answered again in {time.monotonic() - t1:.0f} s)")
    if failed:
        note += f", {failed} failed or unanswered"
    log(f"  {note}")
    return held, note


def still_open(socks):
    """How many of socks the server has not closed."""
    n = 0
    for s in socks:
        try:
            s.setblocking(False)
            data = s.recv(1)
            if data:
                n += 1	# unexpected bytes, but open
        except BlockingIOError:
            n += 1
        except OSError:
            pass
    return n


# What the Linux guest's console says when its virtio-net transmit queue
# has stalled for good (seen 2026-12-06 after the 256-connection case:
# "NETDEV WATCHDOG: ... transmit queue 0 timed out"; nothing answered
# after it).
TX_STALL = b"transmit queue 0 timed out"


def revive(guest, tcpbench, log):
    """After a case nobody answered: if the guest answers no new
    connection either, it is booted again (and warmed) so that the cases
    after it are measured. Returns a note, or None if it still answers."""
    if guest.answers(tcpbench, patience=15):
        return None
    why = ("its NIC's transmit queue stalled (console: NETDEV WATCHDOG)"
           if TX_STALL in guest.console() else "it answered nothing")
    log(f"  {guest.name}: {why}; booting again (the console so far: "
        f"{guest.log_path}.before)")
    guest.stop()
    os.replace(guest.log_path, guest.log_path + ".before")
    guest.boot(tcpbench)
    run_wrk(guest, 8, 2)
    return f"{why}: booted again"


def run_case(guest, tcpbench, conns, log):
    """run_wrk of one case; a case that got nothing because the guest
    stopped answering is run once more in a guest booted again."""
    v, note = run_wrk(guest, conns)
    if v is None:
        why = revive(guest, tcpbench, log)
        if why:
            v, note = run_wrk(guest, conns)
            note = f"{why}, then {note}"
    return v, note


def measure_guest(guest, tcpbench, runs, path, log):
    res = {key: [] for key, _ in CASES}
    notes = []
    guest.boot(tcpbench)
    try:
        run_wrk(guest, 8, 2)	# warm
        for i in range(runs):
            for conns in CONNS:
                v, note = run_case(guest, tcpbench, conns, log)
                res[f"c{conns}"].append(v)
                log(f"  {guest.name} {conns} connections run {i + 1}: "
                    f"{'-' if v is None else f'{v:.0f} req/s'} ({note})")
                notes.append(f"c{conns} run {i + 1}: "
                             f"{'-' if v is None else f'{v:.0f} req/s'} "
                             f"({note})")
            held, note = open_idle(path, IDLE_CONNS, log)
            v, wnote = run_wrk(guest, IDLE_ACTIVE,
                               others=len(held) if path.tap else 0)
            left = still_open(held)
            for s in held:
                s.close()
            res["idle10000"].append(v if len(held) >= IDLE_HELD_MIN * IDLE_CONNS
                                    else None)
            msg = (f"{'-' if v is None else f'{v:.0f} req/s'} ({wnote}); "
                   f"{note}; {left} still open after wrk")
            log(f"  {guest.name} 64 + idle run {i + 1}: {msg}")
            notes.append(f"idle run {i + 1}: {msg}")
            if not guest.running():
                notes.append(f"after run {i + 1}: QEMU exited "
                             f"(console: {guest.log_path})")
                break
            time.sleep(path.settle)
    finally:
        guest.stop()
    return res, notes


def measure_conn(out_dir, tcpbench, petrel_cmd, linux_cmd, ports, runs, log,
                 tap=False):
    """As netbench.measure_net: petrel_cmd(http, tcp) and linux_cmd (None:
    Petrel only) give the QEMU command lines. With tap, they put the
    guest's NIC on tapnet.TAP and this runs inside tapnet's namespace;
    else they forward the host's ports (free_ports) to the guest's httpd
    too. Returns a results dict."""
    r = {"conn_runs": runs, "conn_nofile": raise_nofile(),
         "conn_net": "tap" if tap else "user", "conn_icount": bool(ICOUNT)}
    path = Path(tap, ports)
    guests = [("petrel", petrel_cmd)]
    if linux_cmd:
        guests.append(("linux", linux_cmd))
    for name, make_cmd in guests:
        def with_extra(http, tcp, make_cmd=make_cmd):
            return make_cmd(http, tcp) + QEMU_EXTRA + ICOUNT
        g = netbench.Guest(name, with_extra,
                           os.path.join(out_dir, f"conn-{name}.log"), log,
                           target=path.target())
        try:
            if tap:
                with tapnet.TapNamespace():
                    res, notes = measure_guest(g, tcpbench, runs, path, log)
            else:
                res, notes = measure_guest(g, tcpbench, runs, path, log)
        except RuntimeError as e:
            res, notes = None, [str(e)]
            log(str(e))
        r[f"conn_{name}"] = res
        r[f"conn_{name}_notes"] = notes
        if g.cmd:
            r[f"conn_{name}_cmd"] = shlex.join(g.cmd)
    return r


def net_words(r):
    """How the host reached the guests, for the report."""
    if r.get("conn_net") == "tap":
        return (f"over a tap in a network namespace of the benchmark's own "
                f"(host {tapnet.HOST}, guest {tapnet.GUEST}), wrk and the "
                f"idle connections' script inside it")
    return ("through QEMU's user network (slirp), the idle connections "
            f"through {IDLE_FORWARDS} more forwards")


def kept(res, key):
    """key's median over the 8-connection median, or None."""
    a, b = summary(res[key]) if res else None, summary(res["c8"]) if res else None
    return a[0] / b[0] if a and b and b[0] else None


def table(r):
    lines = ["| many connections, keep-alive (median of %d) | Petrel | Linux "
             "| Petrel / Linux | Petrel, share of its 8-conn. rate | Linux, "
             "share |" % r["conn_runs"], "|---|---:|---:|---:|---:|---:|"]
    for key, label in CASES:
        meds, shares = [], []
        for name in ("petrel", "linux"):
            res = r.get(f"conn_{name}")
            s = summary(res[key]) if res else None
            meds.append(s[0] if s else None)
            k = kept(res, key) if key != "c8" else None
            shares.append(f"{k * 100:.0f}%" if k is not None else "-")
        p, l = meds
        ratio = f"{p / l:.2f}x" if p is not None and l else "-"
        cells = [f"{m:.0f}" if m is not None else "-" for m in meds]
        lines.append(f"| {label} | {cells[0]} | {cells[1]} | {ratio} | "
                     f"{shares[0]} | {shares[1]} |")
    return "\n".join(lines)


def details(r):
    lines = []
    res = r.get("conn_petrel")
    for key in ("c4000", "idle10000"):
        k = kept(res, key)
        verdict = ("-" if k is None else
                   f"{k * 100:.0f}%: {'met' if k >= TARGET else 'NOT met'}")
        lines.append(f"- Target, {key}: at least {TARGET * 100:.0f}% of the "
                     f"8-connection rate; Petrel {verdict}")
    for name in ("petrel", "linux"):
        res = r.get(f"conn_{name}")
        if res is None and f"conn_{name}_notes" not in r:
            continue
        title = name.capitalize()
        if res:
            for key, _ in CASES:
                lines.append(values_line(title, key, res[key], "{:.0f}"))
        notes = r.get(f"conn_{name}_notes") or []
        if notes:
            lines.append(f"- {title}: " + "; ".join(notes))
    lines.append(f"- host descriptor limit (soft) for QEMU and wrk: "
                 f"{r.get('conn_nofile')}")
    return lines
