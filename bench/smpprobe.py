#!/usr/bin/env python3
# bench/smpprobe.py: what QEMU does per operation of an smpops case, in
# Petrel and in the Linux guest, counted on the host
# (docs/performance-smp-lock.md, "vCPU scaling: pipe and futex pairs"). Boots one guest with smpops on
# the smp bench's QEMU command line (multi-threaded TCG) and, over each
# case (from "smpops start" to "smpops case"), counts uprobes on QEMU's
# exported functions with `perf stat` and reads each QEMU thread's host
# CPU time; prints them per op:
#
#   probe CASE GUEST smpN EVENT per_op X        (a uprobe's hits per op)
#   thread CASE GUEST smpN NAME ns_per_op X     (a QEMU thread's CPU)
#
# The uprobes are made once with `perf probe -x QEMU -a FUNCTION` (root):
#   cpu_get_tsc                a guest rdtsc (and QEMU's own TSC reads)
#   cpu_x86_update_cr3         a guest CR3 write
#   do_interrupt_x86_hardirq   an interrupt delivered to the guest
#   qemu_mutex_lock_iothread_impl   QEMU's big lock taken
#   tlb_flush                  a whole soft-TLB flush requested
# A uprobe costs each hit a host trap: rates under probes are not rates.
#
#   bench/smpprobe.py petrel|linux N CASE... [--kernel K] [--seconds S]

import argparse
import os
import re
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QEMU = "/usr/bin/qemu-system-x86_64"
EVENTS = ("cpu_get_tsc", "cpu_x86_update_cr3", "do_interrupt_x86_hardirq",
          "qemu_mutex_lock_iothread_impl", "tlb_flush")
LINUX_APPEND = ("console=ttyS0 quiet panic=-1 tsc=reliable "
                "tsc_early_khz=2096013")
START = re.compile(rb"^smpops start (\w+)", re.M)
CASE = re.compile(rb"^smpops case (\w+) workers (\d+) ops (\d+) ns (\d+)",
                  re.M)
CLK_TCK = os.sysconf("SC_CLK_TCK")
INTERVAL_MS = 50


def qemu_cmd(guest, smp, argv, kernel):
    b = os.path.join(ROOT, "build")
    cmd = [QEMU, "-M", "microvm,x-option-roms=off,rtc=on",
           "-accel", "tcg,thread=multi", "-cpu", "max", "-smp", str(smp),
           "-m", "256M", "-name", "g,debug-threads=on", "-nodefaults", "-no-reboot", "-display", "none",
           "-chardev", "stdio,id=con,signal=off", "-serial", "chardev:con"]
    if guest == "linux":
        return cmd + ["-kernel", f"{b}/bench/vmlinux-6.1.0-57-cloud-amd64",
                      "-initrd", f"{b}/bench/linux-smp.cpio", "-append",
                      LINUX_APPEND + " -- " + " ".join(argv)]
    cl = f"/tmp/smpprobe-cmdline-{os.getpid()}"
    with open(cl, "w") as f:
        f.write("quiet -- run " + " ".join(argv))
    return cmd + ["-kernel", kernel or f"{b}/kernel.elf",
                  "-initrd", f"{b}/bench/petrel-smp.cpio",
                  "-append", "console=ttyS0",
                  "-fw_cfg", f"name=opt/petrel/cmdline,file={cl}"]


def threads_ns(pid):
    """{thread name: host CPU ns} of process pid's live threads."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                head, tail = f.read().rsplit(")", 1)
        except OSError:
            continue
        name = head.split("(", 1)[1]
        fields = tail.split()
        ns = (int(fields[11]) + int(fields[12])) * 10**9 // CLK_TCK
        out[name] = out.get(name, 0) + ns
    return out


def perf_stat(pid, out):
    """perf stat on the uprobes, one line per event each INTERVAL_MS,
    from now to the process's end: perf takes a while to attach, so it
    runs over the whole boot and each case sums its own intervals."""
    ev = ",".join(f"probe_qemu:{e}" for e in EVENTS)
    return subprocess.Popen(["perf", "stat", "-x", ",", "-I",
                             str(INTERVAL_MS), "-e", ev, "-p", str(pid)],
                            stdout=subprocess.DEVNULL, stderr=out)


def counts_between(path, t_perf, t0, t1):
    """{event: hits} summed over the intervals that ended within [t0, t1]
    (host monotonic seconds; perf's stamps count from t_perf)."""
    out = {}
    for line in open(path).read().splitlines():
        f = line.split(",")
        if len(f) < 4 or not f[3].startswith("probe_qemu:"):
            continue
        at = t_perf + float(f[0])
        if t0 < at <= t1 and f[1].isdigit():
            out[f[3][11:]] = out.get(f[3][11:], 0) + int(f[1])
    return out


def run(guest, smp, cases, seconds, kernel, probes, log):
    argv = ["/bench/smpops", "-j", str(smp), "-s", str(seconds)] + cases
    with open(log, "wb") as out:
        q = subprocess.Popen(qemu_cmd(guest, smp, argv, kernel),
                             stdin=subprocess.DEVNULL, stdout=out,
                             stderr=subprocess.STDOUT, start_new_session=True)
    perf_log = log + ".perf"
    perf, t_perf = None, time.monotonic()
    if probes:
        with open(perf_log, "w") as out:
            perf = perf_stat(q.pid, out)
    marks, results = {}, []
    deadline = time.monotonic() + 240
    try:
        while q.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
            text = open(log, "rb").read()
            for m in START.finditer(text):
                if m[1] not in marks:
                    marks[m[1]] = (time.monotonic(), threads_ns(q.pid))
            for m in CASE.finditer(text):
                if m[1] in marks and len(marks[m[1]]) == 2:
                    t0, ns0 = marks[m[1]]
                    marks[m[1]] += (1,)
                    results.append((m[1].decode(), int(m[3]), int(m[4]),
                                    t0, time.monotonic(), ns0,
                                    threads_ns(q.pid)))
            if b"smpops done" in text:
                break
    finally:
        time.sleep(2 * INTERVAL_MS / 1000)
        if perf:
            perf.send_signal(signal.SIGINT)
            perf.wait()
        q.kill()
        q.wait()
    for name, ops, ns, t0, t1, ns0, ns1 in results:
        print(f"case {name} {guest} smp{smp} ops {ops} "
              f"rate {ops * 1e9 / ns:.0f}/s")
        if probes:
            # the guest's span is ns; the host's window t1 - t0
            for ev, n in sorted(counts_between(perf_log, t_perf, t0,
                                               t1).items()):
                per = n / ops * (ns / 1e9) / (t1 - t0)
                print(f"probe {name} {guest} smp{smp} {ev} per_op "
                      f"{per:.3f}")
        total = 0
        for th in sorted(ns1):
            d = ns1[th] - ns0.get(th, 0)
            total += d
            if d:
                print(f"thread {name} {guest} smp{smp} "
                      f"{th.replace(' ', '_')} ns_per_op {d / ops:.0f}")
        print(f"thread {name} {guest} smp{smp} all ns_per_op "
              f"{total / ops:.0f}")
    sys.stdout.flush()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("guest", choices=("petrel", "linux"))
    p.add_argument("smp", type=int)
    p.add_argument("cases", nargs="+")
    p.add_argument("--kernel")
    p.add_argument("--seconds", type=int, default=3)
    p.add_argument("--no-probes", action="store_true")
    a = p.parse_args()
    run(a.guest, a.smp, a.cases, a.seconds, a.kernel, not a.no_probes,
        f"/tmp/smpprobe-{a.guest}-{a.smp}.log")


if __name__ == "__main__":
    main()
