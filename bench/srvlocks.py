#!/usr/bin/env python3
# bench/srvlocks.py: which system calls of nginx and redis still take the
# big lock, per request (docs/performance-smp-net.md, "nginx and redis:
# their big-lock takes"). Boots Petrel with bench/srvbench.py's packed
# image (Debian's nginx-light and redis-server, as `make bench` runs
# them) on N vCPUs over a tap in a network namespace of its own
# (bench/tapnet.py), reads /proc/petrel/bkl and /proc/petrel/bklcalls
# before and after a load from inside the namespace (wrk against nginx,
# or redis-benchmark's GET and SET), and prints the big lock's takes a
# request and the locked calls a request, most first.
#
#   bench/srvlocks.py nginx|redis [--smp N] [--conns C]
#
# Root only (the tap). The counts are counts: the host's load moves the
# rate, hardly the takes a request.

import argparse
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import srvbench  # noqa: E402
import tapnet  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SNAP = "cat /proc/petrel/bkl /proc/petrel/bklcalls"
WINDOW = 16	# seconds between the guest's two reads; the load fits in it
REDIS_N = 30000	# requests of each of GET and SET


def load(what, conns):
    """Runs the load; returns (requests, a line saying the rate)."""
    if what == "nginx":
        out = subprocess.run(
            ["wrk", "-t2", f"-c{conns}", "-d10s",
             f"http://{tapnet.GUEST}:{srvbench.GUEST_NGINX}/"],
            capture_output=True, text=True, timeout=60).stdout
        reqs = int(re.search(r"(\d+) requests in", out).group(1))
        return reqs, re.search(r"Requests/sec:\s+[\d.]+", out).group(0)
    out = subprocess.run(
        ["redis-benchmark", "-h", tapnet.GUEST, "-p",
         str(srvbench.GUEST_REDIS), "-t", "get,set", "-n", str(REDIS_N),
         "-c", str(conns), "-P", "1", "--csv"],
        capture_output=True, text=True, timeout=WINDOW + 30).stdout
    rates = re.findall(r'^"(\w+)","([\d.]+)"', out, re.M)
    return 2 * REDIS_N, ", ".join(f"{k} {v} req/s" for k, v in rates)


def counts(text):
    """(the big lock's acquisitions, {call: count}) of one snapshot."""
    takes = sum(int(m) for m in re.findall(r"^cpu\d+ (\d+) ", text, re.M))
    calls = {m[0]: int(m[1]) for m in
             re.findall(r"^([a-z_0-9]+) (\d+)$", text, re.M)}
    return takes, calls


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=("nginx", "redis"))
    ap.add_argument("--smp", type=int, default=2)
    ap.add_argument("--conns", type=int, default=64)
    args = ap.parse_args()
    why = tapnet.unavailable() or (
        "not on this host: " + " ".join(srvbench.missing_host_files())
        if srvbench.missing_host_files() else None)
    if why:
        sys.exit(f"srvlocks: {why}")
    srv_dir = os.path.join(ROOT, "build", "bench", "srvlocks")
    packs, run = srvbench.stage(srv_dir, os.path.join(
        ROOT, "build", "bench", "srv-modules"))
    # The first read of bklcalls makes its counters (docs/kernel.md).
    cmd = (f"cat /proc/petrel/bklcalls >/dev/null; {' '.join(run)} & "
           f"sleep 10; {SNAP}; echo READY; sleep {WINDOW}; echo AFTER; "
           f"{SNAP}; poweroff -f")
    log = os.path.join(ROOT, "build", f"srvlocks-{args.what}.log")
    argv = [os.path.join(ROOT, "petrel"), "run", "--smp", str(args.smp),
            "--accel", "tcg-multi", "--mem", "512M", "--net", "tap",
            "--tap", tapnet.TAP, "--append", tapnet.PETREL_APPEND,
            "--timeout", "120"]
    for p in packs:
        argv += ["--pack", p]
    with tapnet.TapNamespace():
        with open(log, "wb") as out:
            guest = subprocess.Popen(argv + ["--", cmd], stdout=out,
                                     stderr=subprocess.STDOUT)
        try:
            for _ in range(240):
                if b"READY" in open(log, "rb").read():
                    break
                time.sleep(0.5)
            else:
                sys.exit(f"srvlocks: no READY; console in {log}")
            reqs, rate = load(args.what, args.conns)
            guest.wait(timeout=WINDOW + 60)
        finally:
            if guest.poll() is None:
                guest.kill()
    text = open(log, errors="replace").read()
    if "AFTER" not in text:
        sys.exit(f"srvlocks: the guest did not finish; console in {log}")
    (ta, ca), (tb, cb) = counts(text.split("READY")[0]), \
        counts(text.split("AFTER")[1])
    print(f"{args.what} at {args.smp} vCPUs, {args.conns} connections: "
          f"{rate}; {reqs} requests")
    print(f"big-lock takes a request: {(tb - ta) / reqs:.3f}")
    grown = sorted(((cb[k] - ca.get(k, 0), k) for k in cb), reverse=True)
    print("locked calls a request: " + ", ".join(
        f"{k} {n / reqs:.3f}" for n, k in grown if n / reqs >= 0.001))


if __name__ == "__main__":
    main()
