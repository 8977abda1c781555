# bench/smpbench.py: the vCPU scaling part of `make bench` (called by
# bench/run, `bench/run --smp-only`). Boots Petrel and the Linux guest on
# the same QEMU microvm command line with multi-threaded TCG (one host
# thread per vCPU: -accel tcg,thread=multi) at several vCPU counts and
# measures, side by side:
#
#   (a) bench/smpops.c inside each guest: as many worker processes as
#       vCPUs, each doing independent system-call-heavy work (getppid and
#       getpid loops, pipe ping-pong pairs, 256-byte preads of a tmpfs
#       file, futex wake/wait pairs), in operations per second of guest
#       time, at 1, 2 and 4 vCPUs;
#   (b) HTTP keep-alive with wrk against the image's httpd started with as
#       many workers (-w) as vCPUs, at 1 and 2 vCPUs, over a tap in a
#       network namespace of the bench's own (bench/tapnet.py), wrk inside
#       it: QEMU's user network (slirp, `--smp-net user`) capped both
#       guests at 11-14 k req/s on the 2-core host;
#   (c) for each Petrel run of (a), the big lock's counters
#       (/proc/petrel/bkl, which smpops reads before and after each case):
#       each CPU's share of the time spent waiting for and holding it;
#   (d) the host's ceiling: some cases of (a) in two 1-vCPU Petrel guests
#       run at once (two QEMU processes, no guest state shared at all)
#       over the same in one such guest alone, and two busy loops on the
#       host over one. No 2-vCPU guest can scale past what two guests
#       that share nothing get on the same host;
#   (e) for each guest run of (a), the host CPU time its QEMU process
#       used per operation (its threads' /proc schedstat run time, read
#       when smpops announces a case and when it reports it): unlike the
#       rates, hardly moved by the host's other load, as a vCPU thread
#       the host does not run uses no CPU time. Twice the 1-vCPU cost
#       over the 2-vCPU cost is the scaling that two host cores given to
#       the guest alone would show while its vCPUs stay busy.
#
# Scaling is a run's rate over the same guest's rate at 1 vCPU. What is
# measured and why is in docs/performance.md ("vCPU scaling").

import os
import resource
import re
import shlex
import subprocess
import time

from figures import summary
import netbench
import tapnet

SMPS = (1, 2, 4)
HTTP_SMPS = (1, 2)
CASES = [
    # name, label
    ("spin", "user-space loop, no system call (100-step loops/s)"),
    ("getppid", "getppid loop (calls/s)"),
    ("getpid", "getpid loop (calls/s)"),
    ("pipe", "pipe ping-pong pairs (round trips/s)"),
    ("file", "256-byte pread of a tmpfs file (reads/s)"),
    ("read", "lseek + 256-byte read of a tmpfs file (pairs/s)"),
    ("futex", "futex wake/wait pairs, private (round trips/s)"),
    ("fault", "anonymous page faults, mmap/touch/munmap (faults/s)"),
]
SECONDS = 3
GUEST_MEM = "256M"
GUEST_HTTP = 8080
WRK_THREADS = 2
WRK_CONNS = 64
WRK_SECS = 10
# A guest still running then is stopped; the cases it finished count.
RUN_TIMEOUT = 150
BOOT_ATTEMPTS = 10
# (d): the cases measured for the ceiling, each run (guest alone, then
# two guests at once) once per smpbench run; and the host loops' seconds.
CEILING_CASES = ("spin", "getppid", "pipe", "futex")
HOST_LOOP_SECS = 2
# The targets at 2 vCPUs (docs/performance.md).
TARGET_OPS = 1.8
TARGET_HTTP = 1.6

CASE_LINE = re.compile(rb"^smpops case (\w+) workers (\d+) ops (\d+) ns (\d+)",
                       re.M)
BKL_LINE = re.compile(rb"^smpops bkl (\w+) cpu(\d+) acquired (\d+) contended "
                      rb"(\d+) wait_ns (\d+) hold_ns (\d+) span_ns (\d+)", re.M)
DONE = re.compile(rb"^smpops done", re.M)
START_LINE = re.compile(rb"^smpops start (\w+)", re.M)
CASE_NAME = re.compile(rb"^smpops case (\w+)", re.M)
POLL_SECS = 0.05


def choose(cases, vcpus):
    """Narrows the run to some cases ("futex,http") and vCPU counts
    ("1,2"), for bench/run --smp-cases and --smp-vcpus; None keeps all.
    The report shows "-" for what was not run."""
    global CASES, SMPS, HTTP_SMPS
    if cases:
        names = cases.split(",")
        CASES = [c for c in CASES if c[0] in names]
        if "http" not in names:
            HTTP_SMPS = ()
    if vcpus:
        counts = [int(n) for n in vcpus.split(",")]
        SMPS = tuple(n for n in SMPS if n in counts)
        HTTP_SMPS = tuple(n for n in HTTP_SMPS if n in counts)


def smpops_args(smp):
    return ["/bench/smpops", "-j", str(smp), "-s", str(SECONDS)] + \
        [name for name, _ in CASES]


def httpd_args(smp):
    return ["/sbin/httpd", "-q", "-p", str(GUEST_HTTP), "-r", "/srv/www",
            "-w", str(smp)]


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def run_together(cmd, log_paths):
    """Runs the same QEMU command once per log path, all at once, each to
    its end or RUN_TIMEOUT: each one's output (b"" when it gave none)."""
    procs = []
    for path in log_paths:
        with open(path, "wb") as out:
            procs.append(subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True))
    t0 = time.monotonic()
    try:
        while time.monotonic() - t0 < RUN_TIMEOUT and not all(
                p.poll() is not None or DONE.search(read(path))
                for p, path in zip(procs, log_paths)):
            time.sleep(0.2)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
            p.wait()
    return [read(path) for path in log_paths]


CLK_TCK = os.sysconf("SC_CLK_TCK")


def host_cpu_ns(pid):
    """The host CPU time process pid has used, in ns: utime + stime of
    /proc/PID/stat, which counts its ended threads too; or None. A sum
    of the live threads' schedstat went back when one ended (-151,912 ns
    a fault for the Linux guest, 2026-12-06), and with ended threads
    kept as last seen it still missed most of a case now and then (123
    ns a fault: 23 ms of 3 s)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) * 1_000_000_000 // CLK_TCK


def track_cpu(pid, text, marks):
    """Notes the host CPU time at each smpops start and case line not yet
    seen in text: marks is {("start" or "case", name): ns}, updated."""
    for kind, pattern in (("start", START_LINE), ("case", CASE_NAME)):
        for name in pattern.findall(text):
            key = (kind, name.decode())
            if key not in marks:
                marks[key] = host_cpu_ns(pid)


def run_oneshot(cmd, log_path, linux):
    """Runs smpops in one guest to its end or RUN_TIMEOUT: (output, or
    None when no case finished; whether it finished; boots retried;
    {case: host CPU ns its QEMU used over the case}). A Linux boot that
    hangs in TSC calibration is retried."""
    retries = 0
    for _ in range(BOOT_ATTEMPTS):
        with open(log_path, "wb") as out:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT,
                                    start_new_session=True)
        t0, hung, marks = time.monotonic(), False, {}
        try:
            while proc.poll() is None and time.monotonic() - t0 < RUN_TIMEOUT:
                time.sleep(POLL_SECS)
                text = read(log_path)
                track_cpu(proc.pid, text, marks)
                if DONE.search(text):
                    break
                if linux and netbench.LINUX_TSC_HANG in text:
                    hung = True
                    break
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        if hung:
            retries += 1
            continue
        text = read(log_path)
        cpu = {name: marks[("case", name)] - marks[("start", name)]
               for kind, name in marks
               if kind == "case" and marks[("case", name)] is not None and
               marks.get(("start", name)) is not None}
        return (text if CASE_LINE.search(text) else None), \
            bool(DONE.search(text)), retries, cpu
    return None, False, retries, {}


def cpu_per_op(text, cpu):
    """{case: host CPU ns per op} from smpops' case lines and run_oneshot's
    CPU times."""
    out = {}
    for name, _, ops, _ in CASE_LINE.findall(text):
        name = name.decode()
        if cpu.get(name) and int(ops):
            out[name] = cpu[name] / int(ops)
    return out


def parse_ops(text):
    """{case: ops per second} and {case: [(cpu, acquired, contended,
    wait share, hold share)]} from smpops' lines."""
    rates, locks = {}, {}
    for name, _, ops, ns in CASE_LINE.findall(text):
        rates[name.decode()] = int(ops) * 1e9 / int(ns)
    for name, cpu, acq, cont, wait, hold, span in BKL_LINE.findall(text):
        locks.setdefault(name.decode(), []).append(
            (int(cpu), int(acq), int(cont), int(wait) / int(span),
             int(hold) / int(span)))
    return rates, locks


def measure_ops(r, out_dir, guests, runs, log):
    # Rounds, each every vCPU count of each guest in turn: the host's
    # load, which moves over minutes, weighs on both sides of a ratio
    # alike, and each round's own ratio shows the spread (round_ratios).
    for i in range(runs):
        for smp in SMPS:
            for name, make_cmd in guests:
                cmd = make_cmd(smp, smpops_args(smp), None)
                r[f"smp_{name}_cmd"] = shlex.join(cmd)
                text, done, retries, cpu = run_oneshot(
                    cmd, os.path.join(out_dir, f"smp-{name}-{smp}.log"),
                    name == "linux")
                r[f"smp_{name}_retries"] += retries
                if text is None:
                    log(f"  {name} smp {smp} run {i + 1}: no result")
                    r[f"smp_{name}_notes"].append(
                        f"smp {smp} run {i + 1}: no result")
                    for case, _ in CASES:	# keeps the rounds in step
                        r[f"smp_{name}"][(case, smp)].append(None)
                        r[f"smp_{name}_cpu"][(case, smp)].append(None)
                    continue
                rates, locks = parse_ops(text)
                costs = cpu_per_op(text, cpu)
                if not done:
                    r[f"smp_{name}_notes"].append(
                        f"smp {smp} run {i + 1}: stopped after "
                        f"{RUN_TIMEOUT} s, cases done: {', '.join(rates)}")
                log(f"  {name} smp {smp} run {i + 1}: " + ", ".join(
                    f"{k} {v:.0f}/s" for k, v in rates.items()))
                for case, _ in CASES:
                    r[f"smp_{name}"][(case, smp)].append(rates.get(case))
                    r[f"smp_{name}_cpu"][(case, smp)].append(costs.get(case))
                    if locks.get(case):
                        r[f"smp_{name}_bkl"][(case, smp)].append(locks[case])


def ceiling_rates(text):
    """{case: ops per second} from a ceiling guest, whose first and last
    cases are the busy lead-in and tail (dropped)."""
    found = CASE_LINE.findall(text)[1:-1]
    return {name.decode(): int(ops) * 1e9 / int(ns)
            for name, _, ops, ns in found}


def measure_ceiling(r, out_dir, petrel_cmd, log):
    """(d): one 1-vCPU guest alone, then two at once, each running the
    ceiling cases between a spin lead-in and tail (so that each case
    overlaps the other guest's same case, boots apart, and neither runs
    alone at the end). Ceiling = the two guests' sum / the lone guest."""
    cases = [c for c, _ in CASES if c in CEILING_CASES]
    if not cases:
        return
    argv = ["/bench/smpops", "-j", "1", "-s", str(SECONDS), "spin"] + \
        cases + ["spin"]
    cmd = petrel_cmd(1, argv, None)
    alone = ceiling_rates(run_together(
        cmd, [os.path.join(out_dir, "smp-ceiling-alone.log")])[0])
    pair = [ceiling_rates(t) for t in run_together(
        cmd, [os.path.join(out_dir, f"smp-ceiling-pair{i}.log")
              for i in (0, 1)])]
    for case in cases:
        parts = [alone.get(case)] + [g.get(case) for g in pair]
        v = sum(parts[1:]) / parts[0] if all(parts) else None
        r["smp_ceiling"][case] = v
        log(f"  host ceiling {case}: alone {parts[0] or 0:.0f}/s, two "
            f"guests " + " + ".join(f"{x or 0:.0f}" for x in parts[1:]) +
            f"/s: {'-' if v is None else f'{v:.2f}x'}")
    r["smp_ceiling_host"] = host_loops(log)


HOST_LOOP = ("import time\nn, end = 0, time.monotonic() + %d\n"
             "while time.monotonic() < end:\n"
             "    for _ in range(1000): n += 1\n"
             "print(n)" % HOST_LOOP_SECS)


def host_loops(log):
    """Two Python busy loops at once over one alone (each counts for
    HOST_LOOP_SECS): what the host's cores give two busy threads now,
    with its other load."""
    def run(k):
        procs = [subprocess.Popen(["python3", "-c", HOST_LOOP],
                                  stdout=subprocess.PIPE) for _ in range(k)]
        return [int(p.communicate()[0]) for p in procs]
    one, two = run(1)[0], sum(run(2))
    v = two / one if one else None
    log(f"  host ceiling, two busy loops on the host: "
        f"{'-' if v is None else f'{v:.2f}x'}")
    return v


def measure_http(r, out_dir, guests, runs, log, tap):
    """(b): each guest booted once per vCPU count, wrk run against it runs
    times. With tap, the guest's NIC is on tapnet.TAP and the boot, the
    runs and the stop happen inside tapnet's namespace."""
    for smp in HTTP_SMPS:
        for name, make_cmd in guests:
            if tap:
                with tapnet.TapNamespace():
                    http_guest(r, out_dir, name, make_cmd, smp, runs, log, tap)
            else:
                http_guest(r, out_dir, name, make_cmd, smp, runs, log, tap)


def http_guest(r, out_dir, name, make_cmd, smp, runs, log, tap):
    def cmd_for(http, _tcp):
        return make_cmd(smp, httpd_args(smp), http)
    g = netbench.Guest(name, cmd_for,
                       os.path.join(out_dir, f"smp-http-{name}-{smp}.log"),
                       log, target=(tapnet.GUEST, GUEST_HTTP, None)
                       if tap else None)
    g.probe = lambda _tcpbench: netbench.http_ok(g.http, g.host)
    try:
        g.boot(None)
    except RuntimeError as e:
        log(str(e))
        r[f"smp_{name}_notes"].append(f"http smp {smp}: {e}")
        return
    try:
        for i in range(runs):
            before = host_cpu_ns(g.proc.pid)
            v, note, reqs, wrk_ns = run_wrk(g.host, g.http)
            after = host_cpu_ns(g.proc.pid)
            log(f"  {name} http smp {smp} run {i + 1}: "
                f"{'-' if v is None else f'{v:.0f} req/s'}"
                f"{' (' + note + ')' if note else ''}")
            r[f"smp_{name}"][("http", smp)].append(v)
            guest_ns = None if before is None or after is None \
                else after - before
            r[f"smp_{name}_cpu"][("http", smp)].append(
                guest_ns / reqs if guest_ns and reqs else None)
            if guest_ns is not None:
                r[f"smp_{name}_http_busy"][smp].append(
                    (guest_ns + wrk_ns) /
                    (WRK_SECS * 1e9 * os.cpu_count()))
            if v is None or "errors" in note:
                r[f"smp_{name}_notes"].append(
                    f"http smp {smp} run {i + 1}: {note}")
    finally:
        g.stop()
    r[f"smp_{name}_retries"] += g.retries


def run_wrk(host, port):
    """One wrk run: (req/s or None, a note, the requests it counted or
    None, the host CPU ns wrk itself used)."""
    cmd = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNS}", f"-d{WRK_SECS}s",
           f"http://{host}:{port}/"]
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        out = subprocess.run(cmd, capture_output=True, text=True,
                             timeout=WRK_SECS + 30).stdout
    except subprocess.TimeoutExpired:
        return None, "wrk did not finish", None, 0
    now = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_ns = int((now.ru_utime + now.ru_stime - used.ru_utime -
                  used.ru_stime) * 1e9)
    m = netbench.REQS.search(out)
    e = netbench.SOCK_ERRS.search(out)
    t = netbench.TOTAL.search(out)
    note = ""
    if e and any(int(x) for x in e.groups()):
        note = "socket errors: connect %s, read %s, write %s, timeout %s" % \
            e.groups()
    return (float(m.group(1)) if m else None), note, \
        (int(t.group(1)) if t else None), wrk_ns


def measure_smp(out_dir, petrel_cmd, linux_cmd, runs, log, tap=False):
    """petrel_cmd(smp, argv, http_port or None) and linux_cmd(...) give the
    QEMU command lines (linux_cmd None: Petrel only); with tap, the HTTP
    ones put the NIC on tapnet.TAP. Returns a results dict."""
    r = {"smp_runs": runs, "smp_net": "tap" if tap else "user"}
    guests = [("petrel", petrel_cmd)]
    if linux_cmd:
        guests.append(("linux", linux_cmd))
    for name, _ in guests:
        keys = [(c, s) for c, _ in CASES for s in SMPS] + \
            [("http", s) for s in HTTP_SMPS]
        r[f"smp_{name}"] = {k: [] for k in keys}
        r[f"smp_{name}_bkl"] = {k: [] for k in keys}
        r[f"smp_{name}_cpu"] = {k: [] for k in keys}
        r[f"smp_{name}_http_busy"] = {s: [] for s in HTTP_SMPS}
        r[f"smp_{name}_notes"] = []
        r[f"smp_{name}_retries"] = 0
    r["smp_ceiling"] = {}
    measure_ops(r, out_dir, guests, runs, log)
    if 1 in SMPS and 2 in SMPS:
        measure_ceiling(r, out_dir, petrel_cmd, log)
    measure_http(r, out_dir, guests, runs, log, tap)
    return r


def median(r, name, key):
    res = r.get(f"smp_{name}")
    s = summary(res[key]) if res and res.get(key) else None
    return s[0] if s else None


def table(r):
    smps = list(SMPS)
    head = "| figure (median of %d) |" % r["smp_runs"] + "".join(
        f" Petrel {s} vCPU | Linux {s} vCPU |" for s in smps) + \
        " Petrel 2/1 | Linux 2/1 | host ceiling, 2 guests |" \
        " Petrel 4/1 | Linux 4/1 |"
    lines = [head, "|---|" + "---:|" * (2 * len(smps) + 5)]
    for key, label in CASES + [("http", f"HTTP keep-alive, httpd -w N, wrk "
                                         f"-c{WRK_CONNS} (req/s)")]:
        cells = []
        for s in smps:
            for name in ("petrel", "linux"):
                v = median(r, name, (key, s)) if (key, s) in \
                    r.get(f"smp_{name}", {}) else None
                cells.append(f"{v:.0f}" if v else "-")
        for s in (2, 4):
            for name in ("petrel", "linux"):
                one = median(r, name, (key, 1))
                v = median(r, name, (key, s)) if (key, s) in \
                    r.get(f"smp_{name}", {}) else None
                cells.append(f"{v / one:.2f}x" if v and one else "-")
            if s == 2:
                c = r.get("smp_ceiling", {}).get(key)
                cells.append(f"{c:.2f}x" if c else "-")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def lock_table(r):
    """Petrel's big lock during (a): per run, each CPU's share of the span
    spent waiting / holding, medians over the runs."""
    lines = ["| Petrel, big lock per CPU: wait % / hold % of the span "
             "(contended / acquired) |" + "".join(f" {s} vCPU |" for s in SMPS),
             "|---|" + "---:|" * len(SMPS)]
    res = r.get("smp_petrel_bkl") or {}
    for key, label in CASES:
        cells = []
        for s in SMPS:
            runs = res.get((key, s)) or []
            if not runs:
                cells.append("-")
                continue
            per_cpu = []
            for cpu in range(s):
                rows = [run[cpu] for run in runs if len(run) > cpu]
                w = sorted(x[3] for x in rows)[len(rows) // 2] * 100
                h = sorted(x[4] for x in rows)[len(rows) // 2] * 100
                c = sum(x[2] for x in rows)
                a = sum(x[1] for x in rows)
                per_cpu.append(f"cpu{cpu} {w:.0f}/{h:.0f} ({c}/{a})")
            cells.append("<br>".join(per_cpu))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def targets(r):
    out = []
    for key, target, what in (("getppid", TARGET_OPS, "(a) getppid"),
                              ("pipe", TARGET_OPS, "(a) pipe"),
                              ("file", TARGET_OPS, "(a) file"),
                              ("futex", TARGET_OPS, "(a) futex"),
                              ("http", TARGET_HTTP, "(b) HTTP")):
        ratios = {}
        for name in ("petrel", "linux"):
            one, two = median(r, name, (key, 1)), median(r, name, (key, 2))
            ratios[name] = two / one if one and two else None
        p, l = ratios["petrel"], ratios["linux"]
        c = r.get("smp_ceiling", {}).get(key)
        met = p is not None and p >= target and (l is None or p >= l)
        line = (f"{what} at 2 vCPUs: Petrel "
                f"{'-' if p is None else f'{p:.2f}x'}, Linux "
                f"{'-' if l is None else f'{l:.2f}x'}; target "
                f"{target}x and at least Linux's: "
                f"{'met' if met else 'not met'}")
        proj = {}
        for name in ("petrel", "linux"):
            one = cpu_median(r, name, (key, 1))
            two = cpu_median(r, name, (key, 2))
            proj[name] = 2 * one / two if one and two else None
        if proj["petrel"]:
            line += (f"; by host CPU per op: Petrel {proj['petrel']:.2f}x, "
                     f"Linux " + ("-" if proj["linux"] is None else
                                  f"{proj['linux']:.2f}x"))
        for name in ("petrel", "linux"):
            each = round_ratios(r, name, key)
            if len(each) > 1:
                line += (f"; {name.capitalize()} 2/1 by round "
                         + "/".join(f"{x:.2f}" for x in each))
        if c:
            line += (f"; host ceiling for 2 guests: {c:.2f}x (Petrel "
                     f"{'-' if p is None else f'{p / c:.0%}'} of it)")
        out.append(line)
    return out


def round_ratios(r, name, key):
    """Each round's 2-vCPU rate over the same round's 1-vCPU rate (the
    two ran minutes apart at most), for the rounds that gave both."""
    res = r.get(f"smp_{name}") or {}
    ones, twos = res.get((key, 1)) or [], res.get((key, 2)) or []
    return [b / a for a, b in zip(ones, twos) if a and b]


def details(r):
    lines = ["- targets: " + "; ".join(targets(r))]
    h = r.get("smp_ceiling_host")
    if r.get("smp_ceiling"):
        lines.append(
            "- host ceiling (d): each case in two 1-vCPU Petrel guests at "
            "once over one alone: " + ", ".join(
                f"{k} {'-' if v is None else f'{v:.2f}x'}"
                for k, v in r["smp_ceiling"].items()) +
            f"; two busy loops on the host over one: "
            f"{'-' if h is None else f'{h:.2f}x'}")
    lines.append("- HTTP (b): " + net_words(r))
    busy = http_busy(r)
    if busy:
        lines.append(
            f"- HTTP: the host's {os.cpu_count()} CPUs busy with the "
            "guest's QEMU and wrk (median): " + ", ".join(busy))
    for name in ("petrel", "linux"):
        res = r.get(f"smp_{name}")
        if res is None:
            continue
        title = name.capitalize()
        vals = []
        for (key, s), v in res.items():
            if v:
                vals.append(f"{key}@{s} " + "/".join(
                    "fail" if x is None else f"{x:.0f}" for x in v))
        lines.append(f"- {title}, every run: " + ", ".join(vals))
        notes = r.get(f"smp_{name}_notes") or []
        lines.append(f"- {title}: " + ("; ".join(notes) if notes else
                                       "every run gave its figures") +
                     f"; boots retried: {r.get(f'smp_{name}_retries', 0)}")
        if r.get(f"smp_{name}_cmd"):
            lines.append(f"- {title} QEMU command (smpops, last vCPU count): "
                         f"`{r[f'smp_{name}_cmd']}`")
    return lines


def net_words(r):
    """How wrk reached the guests' httpd, for the report."""
    if r.get("smp_net") == "tap":
        return (f"over a tap in a network namespace of the bench's own "
                f"(host {tapnet.HOST}, guest {tapnet.GUEST}), wrk inside it")
    return "through QEMU's user network (slirp), a host port forwarded"


def cpu_table(r):
    """(e): host CPU ns per op at each vCPU count, medians, and twice the
    1-vCPU cost over the 2-vCPU cost; HTTP's per request, its QEMU's
    alone (wrk's own is in http_busy)."""
    smps = list(SMPS)
    lines = ["| host CPU ns per op (median) |" + "".join(
        f" Petrel {s} vCPU | Linux {s} vCPU |" for s in smps) +
        " Petrel 2 x 1/2 | Linux 2 x 1/2 |",
        "|---|" + "---:|" * (2 * len(smps) + 2)]
    for key, label in CASES + [("http", f"HTTP keep-alive, httpd -w N, wrk "
                                         f"-c{WRK_CONNS} (requests; QEMU's "
                                         f"CPU, not wrk's)")]:
        cells = []
        for s in smps:
            for name in ("petrel", "linux"):
                v = cpu_median(r, name, (key, s))
                cells.append(f"{v:.0f}" if v else "-")
        for name in ("petrel", "linux"):
            one, two = cpu_median(r, name, (key, 1)), cpu_median(r, name, (key, 2))
            cells.append(f"{2 * one / two:.2f}x" if one and two else "-")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def http_busy(r):
    """The host's CPUs busy with a guest's QEMU and wrk during the HTTP
    runs, median per vCPU count: near 100% the host, not the guest, sets
    the rate."""
    out = []
    for name in ("petrel", "linux"):
        busy = r.get(f"smp_{name}_http_busy") or {}
        for s in HTTP_SMPS:
            m = summary(busy.get(s) or [])
            if m:
                out.append(f"{name.capitalize()} {s} vCPU {100 * m[0]:.0f}%")
    return out


def cpu_median(r, name, key):
    res = r.get(f"smp_{name}_cpu")
    s = summary(res[key]) if res and res.get(key) else None
    return s[0] if s else None
