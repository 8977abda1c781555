# bench/netbench.py: the network half of `make bench` (called by bench/run).
# Boots one guest at a time (Petrel, then Linux) on the same QEMU microvm
# command line with a virtio-net NIC on QEMU user networking, forwards two
# ephemeral 127.0.0.1 ports to the guest's httpd (80) and tcpbench server
# (5001), and measures from the host:
#
#   - HTTP requests/s with wrk: keep-alive, and a new connection per request
#     (-H "Connection: close");
#   - TCP throughput host -> guest and guest -> host with bench/tcpbench.c.
#
# Each guest serves the same static httpd binary and /srv/www; what is
# measured and why is in docs/performance.md.

import os
import re
import shlex
import socket
import subprocess
import time

from figures import summary, values_line

WRK_THREADS = 1
WRK_CONNS = 8
WRK_SECS = 10
# QEMU's user network (slirp) keeps every connection the new-connection
# case closed in TIME_WAIT for about 10 s, and looks each packet up through
# them: a case run at once afterwards measures that (both guests lost about
# 30% of their keep-alive rate). The cases after it wait this long.
SLIRP_SETTLE_SECS = 12
TCP_BYTES = 64 << 20
READY_TIMEOUT = 60
GUEST_HTTP = 80
GUEST_TCP = 5001

# A Linux boot that prints this under TCG never reaches user space
# (docs/performance.md §1); it is killed at once and booted again.
LINUX_TSC_HANG = b"Marking TSC unstable"

REQS = re.compile(r"Requests/sec:\s+([\d.]+)")
SOCK_ERRS = re.compile(r"Socket errors: connect (\d+), read (\d+), "
                       r"write (\d+), timeout (\d+)")
NON2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
TOTAL = re.compile(r"(\d+) requests in ([\d.]+)s")
MBS = re.compile(r"in ([\d.]+) s: ([\d.]+) MB/s")

CASES = [
    # key, label, unit
    ("http_keepalive", "HTTP GET /, keep-alive, wrk (req/s)", "{:.0f}"),
    ("http_close", "HTTP GET /, new connection per request (req/s)", "{:.0f}"),
    ("tcp_to_guest", "TCP throughput host -> guest, 64 MiB (MB/s)", "{:.1f}"),
    ("tcp_from_guest", "TCP throughput guest -> host, 64 MiB (MB/s)", "{:.1f}"),
]


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_ok(port, host="127.0.0.1"):
    """True if GET / on host:port is answered with 200. QEMU's host
    forward accepts a connection before the guest listens, so only an
    answer shows that the guest's httpd is up."""
    try:
        with socket.create_connection((host, port), timeout=2) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: bench\r\n"
                      b"Connection: close\r\n\r\n")
            return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


class Guest:
    """One QEMU process, its console in a log file, killed by stop().
    Each boot forwards two new host ports to it: self.http and self.tcp
    (bench/srvbench.py's guests: nginx and redis); or, given target
    (host, http, tcp), the guest is reached there (a tap: bench/tapnet.py)."""

    def __init__(self, name, make_cmd, log_path, log, target=None):
        self.name, self.make_cmd, self.log_path = name, make_cmd, log_path
        self.target = target
        self.host = target[0] if target else "127.0.0.1"
        self.log = log
        self.proc = None
        self.retries = 0
        self.cmd = None

    def boot(self, tcpbench, attempts=4):
        """Boots until httpd and tcpbench answer; raises RuntimeError."""
        for _ in range(attempts):
            self.http, self.tcp = (self.target[1:] if self.target else
                                   (free_port(), free_port()))
            self.cmd = self.make_cmd(self.http, self.tcp)
            with open(self.log_path, "wb") as out:
                self.proc = subprocess.Popen(
                    self.cmd, stdin=subprocess.DEVNULL, stdout=out,
                    stderr=subprocess.STDOUT, start_new_session=True)
            t0 = time.monotonic()
            try:
                why = self.wait_ready(tcpbench)
            except BaseException:
                self.stop()	# never leave a QEMU behind
                raise
            if why is None:
                self.log(f"  {self.name}: ready in {time.monotonic() - t0:.1f} s")
                return
            self.stop()
            self.retries += 1
            self.log(f"  {self.name}: {why}; booting again")
        raise RuntimeError(f"{self.name}: no boot in {attempts} attempts; "
                           f"console in {self.log_path}")

    def wait_ready(self, tcpbench):
        """None once ready, else why not."""
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return f"QEMU exited with {self.proc.returncode}"
            if LINUX_TSC_HANG in self.console():
                return "TSC calibration failed (the TCG boot hang)"
            if self.probe(tcpbench):
                return None
            time.sleep(0.5)
        return f"not ready within {READY_TIMEOUT} s"

    def probe(self, tcpbench):
        """True if both servers answer a real request (bench/srvbench.py
        probes its own servers on the same two ports)."""
        try:
            ping = subprocess.run([tcpbench, "ping", self.host,
                                   str(self.tcp)], capture_output=True,
                                  timeout=10)
            return ping.returncode == 0 and http_ok(self.http, self.host)
        except subprocess.TimeoutExpired:
            return False	# a guest still booting can hold the connection open

    def console(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read()
        except OSError:
            return b""

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def answers(self, tcpbench, patience=30):
        """True if tcpbench and httpd answer within patience seconds. A
        new connection can stall for seconds when the guest does not let
        a SYN reuse a TIME-WAIT port pair (docs/performance-net.md,
        "Petrel under load"), so one
        failed try is not enough to call the guest dead."""
        deadline = time.monotonic() + patience
        while self.running() and time.monotonic() < deadline:
            if self.probe(tcpbench):
                return True
            time.sleep(1)
        return False

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc = None


def run_wrk(port, close):
    """(req/s or None, error note or "", raw output) of one wrk run."""
    cmd = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNS}", f"-d{WRK_SECS}s"]
    if close:
        cmd += ["-H", "Connection: close"]
    cmd.append(f"http://127.0.0.1:{port}/")
    try:
        r = subprocess.run(cmd, capture_output=True, text=True,
                           timeout=WRK_SECS + 30)
        out = r.stdout + r.stderr
    except subprocess.TimeoutExpired as e:
        return None, "wrk did not finish", str(e.stdout or "")
    m = REQS.search(out)
    notes = []
    e = SOCK_ERRS.search(out)
    if e and any(int(x) for x in e.groups()):
        notes.append("socket errors: connect %s, read %s, write %s, "
                     "timeout %s" % e.groups())
    n = NON2XX.search(out)
    if n:
        notes.append(f"non-2xx/3xx: {n.group(1)}")
    t = TOTAL.search(out)
    if t:
        notes.insert(0, f"{t.group(1)} requests")
    return (float(m.group(1)) if m else None), "; ".join(notes), out


def run_tcp(tcpbench, port, mode):
    """(MB/s or None, raw output) of one tcpbench client run."""
    try:
        r = subprocess.run([tcpbench, mode, "127.0.0.1", str(port),
                            str(TCP_BYTES)], capture_output=True, text=True,
                           timeout=120)
        out = r.stdout + r.stderr
    except subprocess.TimeoutExpired:
        return None, "tcpbench timed out after 120 s"
    m = MBS.search(out)
    return (float(m.group(2)) if m and r.returncode == 0 else None), out.strip()


def measure_guest(guest, tcpbench, runs, log):
    """Runs every case `runs` times, interleaved; returns a dict of lists
    (None for a failed run) and notes on anything that went wrong."""
    res = {key: [] for key, _, _ in CASES}
    notes = []
    guest.boot(tcpbench)
    try:
        # One short untimed round so that both guests start warm.
        run_tcp(tcpbench, guest.tcp, "send")
        for i in range(runs):
            for key, close in (("http_keepalive", False), ("http_close", True)):
                v, note, out = run_wrk(guest.http, close)
                res[key].append(v)
                log(f"  {guest.name} {key} run {i + 1}: "
                    f"{'-' if v is None else f'{v:.0f} req/s'}"
                    f"{' (' + note + ')' if note else ''}")
                if close:
                    time.sleep(SLIRP_SETTLE_SECS)
                if v is None or "errors" in note or "non-2xx" in note:
                    notes.append(f"{key} run {i + 1}: {note or 'no result'}")
                    if v is None:
                        notes.append("wrk output: " + " | ".join(
                            l.strip() for l in out.splitlines()[-6:]))
            for key, mode in (("tcp_to_guest", "send"), ("tcp_from_guest", "recv")):
                v, out = run_tcp(tcpbench, guest.tcp, mode)
                res[key].append(v)
                log(f"  {guest.name} {key} run {i + 1}: {out}")
                if v is None:
                    notes.append(f"{key} run {i + 1}: {out}")
            if not guest.running():
                notes.append(f"after run {i + 1}: QEMU exited "
                             f"(console: {guest.log_path})")
                log(f"  {guest.name}: QEMU exited; console tail:\n" +
                    guest.console()[-2000:].decode(errors="replace"))
                break
            if not guest.answers(tcpbench):
                # Measured on regardless: the next runs show what it does.
                notes.append(f"after run {i + 1}: no answer to a new "
                             f"connection within 30 s")
                log(f"  {guest.name}: no answer within 30 s; console tail:\n" +
                    guest.console()[-2000:].decode(errors="replace"))
    finally:
        guest.stop()
    return res, notes


def measure_net(out_dir, tcpbench, petrel_cmd, linux_cmd, runs, log):
    """petrel_cmd(http_port, tcp_port) and linux_cmd(...) give the QEMU
    command lines (linux_cmd None: Petrel only). Returns a results dict."""
    r = {"net_runs": runs}
    guests = [("petrel", petrel_cmd)]
    if linux_cmd:
        guests.append(("linux", linux_cmd))
    for name, make_cmd in guests:
        g = Guest(name, make_cmd, os.path.join(out_dir, f"net-{name}.log"), log)
        try:
            res, notes = measure_guest(g, tcpbench, runs, log)
        except RuntimeError as e:
            res, notes = None, [str(e)]
            log(str(e))
        r[f"net_{name}"] = res
        r[f"net_{name}_notes"] = notes
        r[f"net_{name}_retries"] = g.retries
        if g.cmd:
            shown = list(g.cmd)
            r[f"net_{name}_cmd"] = shlex.join(shown)
    return r


def table(r):
    lines = ["| network figure (median of %d, higher is better) | Petrel | "
             "Linux | Petrel / Linux |" % r["net_runs"],
             "|---|---:|---:|---:|"]
    for key, label, fmt in CASES:
        cells = []
        meds = []
        for name in ("petrel", "linux"):
            res = r.get(f"net_{name}")
            s = summary(res[key]) if res else None
            meds.append(s[0] if s else None)
            cells.append(fmt.format(s[0]) if s else "-")
        p, l = meds
        ratio = f"{p / l:.2f}x" if p is not None and l else "-"
        lines.append(f"| {label} | {cells[0]} | {cells[1]} | {ratio} |")
    return "\n".join(lines)


def details(r):
    lines = []
    for name in ("petrel", "linux"):
        res = r.get(f"net_{name}")
        if res is None and f"net_{name}_notes" not in r:
            continue
        title = name.capitalize()
        if res:
            for key, label, fmt in CASES:
                lines.append(values_line(title, key, res[key], fmt))
        notes = r.get(f"net_{name}_notes") or []
        lines.append(f"- {title}: " + ("; ".join(notes) if notes else
                                      "no wrk socket errors, no non-2xx "
                                      "responses, no failed transfer") +
                     f"; boots retried: {r.get(f'net_{name}_retries', 0)}")
        if r.get(f"net_{name}_cmd"):
            lines.append(f"- {title} QEMU command (ports vary): "
                         f"`{r[f'net_{name}_cmd']}`")
    return lines
