#!/usr/bin/env python3
# bench/httpsplit.py: where an HTTP keep-alive request's time goes at N
# vCPUs (docs/performance-smp-net.md, "HTTP over a tap: what 2 vCPUs
# wait for"). Boots Petrel's default image with `httpd -w N` on N vCPUs
# (multi-threaded TCG) over a tap in a network namespace of its own
# (bench/tapnet.py), runs wrk from inside the namespace, and prints over
# the wrk run:
#
#   rate      wrk's requests a second
#   guest     each vCPU's busy share (/proc/stat), each process's CPU
#             time a request (/proc/PID/stat: netd, httpd...)
#   sched     /proc/petrel/sched's counters a request, per CPU
#   host      each QEMU thread's host CPU (its /proc task stat), in % of
#             a host CPU: the vCPU threads and the main loop (the tap's
#             reads and writes)
#
#   probe     with --probes: uprobes on QEMU's functions counted by
#             `perf stat --per-thread` a request, each thread apart
#             (made once: `perf probe -x QEMU -a FUNCTION` for each of
#             PROBES; uprobes cost each hit a trap, so the rate under
#             them is not a rate)
#
#   bench/httpsplit.py N [--conns C] [--seconds S] [--kernel K] [--probes]
#
# Root only (the tap). Rates move with the host's load; the shares do so
# less.

import argparse
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tapnet  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLK_TCK = os.sysconf("SC_CLK_TCK")
PROBES = ("qemu_mutex_lock_iothread_impl", "qemu_cond_wait_impl",
          "virtio_queue_notify", "virtio_notify", "do_interrupt_x86_hardirq",
          "apic_deliver_irq", "cpu_x86_update_cr3", "cpu_get_tsc")
# What the guest prints before and after the window: wrk runs between.
SNAP = ("cat /proc/stat /proc/petrel/sched; "
        "for p in /proc/[0-9]*; do echo P $(cat $p/stat); done")


def guest_cmd(n, window):
    return (f"/sbin/httpd -q -p 8080 -r /srv/www -w {n} & sleep 3; {SNAP}; "
            f"echo READY; sleep {window}; echo AFTER; {SNAP}; poweroff -f")


def qemu_threads(pid):
    """{tid: utime + stime ticks} of QEMU's threads."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            out[tid] = int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return out


def host_stat():
    """The host's /proc/stat totals: (busy, all) ticks."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v) - v[3] - v[4], sum(v)


def cpus(text):
    """/proc/stat's cpu lines: they come before /proc/petrel/sched's,
    whose lines start the same way."""
    text = text.split("cpu wakes_here")[0]
    return {m[0]: [int(x) for x in m[1].split()] for m in
            re.findall(r"^(cpu\d*) +((?:\d+ )+\d+)$", text, re.M)}


def sched(text):
    i = text.find("cpu wakes_here")
    if i < 0:
        return [], {}
    hdr = text[i:].splitlines()[0].split()[1:]
    rows = {m[0]: [int(x) for x in m[1].split()] for m in
            re.findall(r"^(cpu\d+) ((?:\d+ )+\d+)$", text[i:], re.M)}
    return hdr, rows


def procs(text):
    """{pid: (name, utime + stime ticks)} from the P lines."""
    out = {}
    for m in re.finditer(r"^P (\d+) \((.*?)\) (.*)$", text, re.M):
        f = m.group(3).split()
        out[m.group(1)] = (m.group(2), int(f[11]) + int(f[12]))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int, help="vCPUs and httpd workers")
    ap.add_argument("--conns", type=int, default=64)
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--kernel", default=os.path.join(ROOT, "build/kernel.elf"))
    ap.add_argument("--probes", action="store_true",
                    help="count QEMU's uprobes (perf probe) over the run")
    args = ap.parse_args()
    why = tapnet.unavailable()
    if why:
        sys.exit(f"httpsplit: no tap: {why}")
    log = os.path.join(ROOT, "build", f"httpsplit-{args.n}.log")
    window = args.seconds + 4
    with tapnet.TapNamespace():
        cmd = [os.path.join(ROOT, "petrel"), "run", "--kernel", args.kernel,
               "--smp", str(args.n), "--accel", "tcg-multi", "--mem", "256M",
               "--net", "tap", "--tap", tapnet.TAP,
               "--append", tapnet.PETREL_APPEND, "--timeout", "90", "--",
               guest_cmd(args.n, window)]
        with open(log, "wb") as out:
            guest = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        try:
            for _ in range(120):
                if b"READY" in open(log, "rb").read():
                    break
                time.sleep(0.5)
            else:
                sys.exit(f"httpsplit: no READY; console in {log}")
            qemu = subprocess.run(["pgrep", "-n", "-P", str(guest.pid)],
                                  capture_output=True, text=True).stdout.split()
            qpid = qemu[0] if qemu else str(guest.pid)
            q0, h0 = qemu_threads(qpid), host_stat()
            perf = subprocess.Popen(
                ["perf", "stat", "-x", ",", "--per-thread", "-p", qpid] +
                [a for e in PROBES for a in ("-e", "probe_qemu:" + e)],
                stderr=subprocess.PIPE, text=True) if args.probes else None
            wrk = subprocess.run(
                ["wrk", "-t2", f"-c{args.conns}", f"-d{args.seconds}s",
                 f"http://{tapnet.GUEST}:8080/"],
                capture_output=True, text=True).stdout
            q1, h1 = qemu_threads(qpid), host_stat()
            counts = ""
            if perf:
                perf.send_signal(2)
                counts = perf.communicate()[1]
            guest.wait(timeout=window + 60)
        finally:
            if guest.poll() is None:
                guest.kill()
    text = open(log, errors="replace").read()
    reqs = int(re.search(r"(\d+) requests in", wrk).group(1))
    rate = re.search(r"Requests/sec:\s+([\d.]+)", wrk).group(1)
    before, after = text.split("READY")[0], text.split("AFTER")[1]
    print(f"rate {args.n} vCPU wrk -c{args.conns}: {rate} req/s, "
          f"{reqs} requests")
    ca, cb = cpus(before), cpus(after)
    for k in sorted(cb):
        d = [y - x for x, y in zip(ca.get(k, [0] * len(cb[k])), cb[k])]
        idle = d[3] + d[4]
        print(f"guest {k} busy {100 * (sum(d) - idle) / max(sum(d), 1):.0f}% "
              f"of the {window} s window (wrk ran {args.seconds} s of it)")
    pa, pb = procs(before), procs(after)
    for pid, (name, t) in sorted(pb.items(), key=lambda x: -x[1][1]):
        used = t - pa.get(pid, (name, 0))[1]
        if used:
            print(f"guest {name} [{pid}] {1e6 * used / CLK_TCK / reqs:.1f} "
                  f"us a request ({used / CLK_TCK:.2f} s)")
    hdr, sa = sched(before)
    _, sb = sched(after)
    for k in sorted(sb):
        d = [y - x for x, y in zip(sa.get(k, [0] * len(sb[k])), sb[k])]
        print(f"sched {k} " + " ".join(f"{h} {v / reqs:.3f}"
                                       for h, v in zip(hdr, d)))
    for tid in sorted(q1, key=int):
        used = q1[tid] - q0.get(tid, 0)
        print(f"host QEMU thread {tid}: {100 * used / CLK_TCK / args.seconds:.0f}% "
              f"of a host CPU")
    for line in counts.splitlines():
        f = line.split(",")
        if len(f) > 3 and f[1].strip().isdigit() and int(f[1]):
            print(f"probe {f[0].strip()} {f[3].split(':')[-1]} "
                  f"{int(f[1]) / reqs:.3f} a request")
    print(f"host CPUs busy {100 * (h1[0] - h0[0]) / max(h1[1] - h0[1], 1):.0f}% "
          f"(all {os.cpu_count()}, wrk and everything else included)")


if __name__ == "__main__":
    main()
