# bench/idlebench.py: the idle half of `make bench` (called by bench/run).
# Boots each guest to its shell prompt on a pty, lets it settle, and then
# leaves it alone for a while, measuring from the host:
#
#   - the host CPU time the QEMU process used (utime + stime of all its
#     threads, /proc/PID/stat), as a percentage of one host CPU;
#   - the guest's timer interrupts per second (the LOC line of the guest's
#     /proc/interrupts) and all its interrupts per second (/proc/stat's
#     intr), read by the guest shell before and after the idle window.
#
# Four cases per guest: 1 and 2 vCPUs, without a NIC or disk, and with a
# virtio-net NIC on QEMU user networking plus a virtio-blk disk (Petrel
# then runs netd, httpd and fsd). What is measured and why is in
# docs/performance.md ("Idle").

import os
import pty
import re
import select
import subprocess
import time

PROMPT = re.compile(rb"\S+@\S+:\S*# ")
READY_TIMEOUT = 90
# After the prompt: boot work still finishing (DHCP, IPv6 address
# configuration and its router solicitations, the disk's first reads) is
# not idling. netd's timers settle within 20 s of the last traffic.
SETTLE_SECS = 30
# The clock source too: a Linux guest whose TSC its watchdog marked
# unstable (under TCG on a loaded host) falls back to jiffies and then
# cannot stop its tick (HZ=250 per CPU).
# One process (cat; read and echo are the shell's own): each process the
# read starts keeps a CPU busy for a while, and a busy CPU takes a timer
# interrupt every 2 ms (Petrel's user/system sample), more the slower
# the loaded host runs the guest. What the read itself still costs is
# measured (a second read at once after the window) and taken out.
COUNTERS_CMD = (b"cat /proc/interrupts /proc/stat; read cs 2>/dev/null "
                b"</sys/devices/system/clocksource/clocksource0/"
                b"current_clocksource; echo clocksource $cs\n")
CLOCKSOURCE = re.compile(rb"^clocksource ([\w-]+)", re.M)
LOC = re.compile(rb"^\s*LOC:((?:\s+\d+)+)", re.M)
INTR = re.compile(rb"^intr (\d+)", re.M)
CLK_TCK = os.sysconf("SC_CLK_TCK")

CASES = [
    # key, vCPUs, with NIC + disk
    ("smp1_nonet", 1, False),
    ("smp1_net", 1, True),
    ("smp2_nonet", 2, False),
    ("smp2_net", 2, True),
]


def cpu_seconds(pid):
    """utime + stime of the whole process PID, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


class Console:
    """A guest whose serial console is on a pty."""

    def __init__(self, cmd):
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(cmd, stdin=slave, stdout=slave,
                                     stderr=slave, start_new_session=True)
        os.close(slave)
        self.buf = b""

    def read_until(self, pattern, timeout):
        """Reads the console until pattern matches what came since the
        last call; returns that text, or None on timeout."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            m = pattern.search(self.buf)
            if m:
                text, self.buf = self.buf[:m.end()], self.buf[m.end():]
                return text
            ready, _, _ = select.select([self.master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    return None
                if not chunk:
                    return None
                self.buf += chunk
            elif self.proc.poll() is not None:
                return None
        return None

    def drain(self, secs):
        """Reads (and drops) console output for secs seconds."""
        end = time.monotonic() + secs
        while time.monotonic() < end:
            ready, _, _ = select.select([self.master], [], [],
                                        max(0, end - time.monotonic()))
            if ready:
                try:
                    os.read(self.master, 65536)
                except OSError:
                    return

    def counters(self):
        """(timer interrupts summed over CPUs or None, all interrupts)."""
        os.write(self.master, COUNTERS_CMD)
        text = self.read_until(PROMPT, 30) or b""
        loc = LOC.search(text)
        intr = INTR.search(text)
        clock = CLOCKSOURCE.search(text)
        self.clocksource = clock.group(1).decode() if clock else None
        return (sum(int(x) for x in loc.group(1).split()) if loc else None,
                int(intr.group(1)) if intr else None)

    def close(self):
        self.proc.kill()
        self.proc.wait()
        os.close(self.master)


def idle_once(cmd, secs, log, name):
    """One boot: the guest's idle figures over secs seconds, or None."""
    c = Console(cmd)
    try:
        if c.read_until(PROMPT, READY_TIMEOUT) is None:
            log(f"  {name}: no prompt within {READY_TIMEOUT} s")
            return None
        c.drain(SETTLE_SECS)
        loc0, intr0 = c.counters()
        cpu0, t0 = cpu_seconds(c.proc.pid), time.monotonic()
        c.drain(secs)
        cpu1, t1 = cpu_seconds(c.proc.pid), time.monotonic()
        loc1, intr1 = c.counters()
        loc2, intr2 = c.counters()  # what one read costs
    finally:
        c.close()
    wall = t1 - t0
    r = {"cpu_pct": 100 * (cpu1 - cpu0) / wall, "wall": wall}
    if c.clocksource:
        r["clocksource"] = c.clocksource
    if None not in (loc0, loc1, loc2):
        r["read_timer"] = loc2 - loc1
        r["timer_hz"] = max(0, loc1 - loc0 - (loc2 - loc1)) / wall
    if None not in (intr0, intr1, intr2):
        r["read_intr"] = intr2 - intr1
        r["intr_hz"] = max(0, intr1 - intr0 - (intr2 - intr1)) / wall
    log(f"  {name}: {r['cpu_pct']:.2f} % of a host CPU, "
        f"{r.get('timer_hz', float('nan')):.2f} timer irq/s, "
        f"{r.get('intr_hz', float('nan')):.2f} irq/s (one read: "
        f"{r.get('read_timer', '-')} timer, {r.get('read_intr', '-')} all), "
        f"clock source "
        f"{r.get('clocksource', '-')}")
    return r


def measure_idle(petrel_cmd, linux_cmd, secs, log):
    """petrel_cmd(smp, net) and linux_cmd(smp, net) give QEMU command
    lines; linux_cmd may be None. Returns the figures by case."""
    results = {"idle_secs": secs}
    guests = [("petrel", petrel_cmd)] + ([("linux", linux_cmd)] if linux_cmd else [])
    for key, smp, net in CASES:
        for guest, make in guests:
            cmd = make(smp, net)
            r = idle_once(cmd, secs, log, f"{guest} {key}")
            if r:
                for k, v in r.items():
                    results[f"idle_{guest}_{key}_{k}"] = v
            results[f"idle_{guest}_{key}_cmd"] = cmd
    return results


def target(r):
    """Issue 13 §4's target, judged on the 1-vCPU case with netd, httpd
    and fsd: less host CPU than the idle Linux guest, and less than one
    timer interrupt a second."""
    p = r.get("idle_petrel_smp1_net_cpu_pct")
    lx = r.get("idle_linux_smp1_net_cpu_pct")
    hz = r.get("idle_petrel_smp1_net_timer_hz")
    if p is None or hz is None:
        return "not measured"
    cpu = "-" if lx is None else ("met" if p < lx else "not met")
    wake = "met" if hz < 1 else "not met"
    return (f"host CPU below the Linux guest's: {cpu} ({p:.2f} % vs "
            f"{'-' if lx is None else f'{lx:.2f} %'}); fewer than one "
            f"wakeup a second: {wake} ({hz:.2f} timer interrupts/s)")


def table(r):
    lines = ["| idle guest, over %d s | Petrel | Linux | Linux / Petrel |"
             % r["idle_secs"], "|---|---:|---:|---:|"]
    labels = {
        "cpu_pct": ("host CPU (%% of one CPU), %s", "{:.2f}"),
        "timer_hz": ("timer interrupts per second, %s", "{:.2f}"),
        "intr_hz": ("all interrupts per second, %s", "{:.2f}"),
    }
    for what, (label, fmt) in labels.items():
        for key, smp, net in CASES:
            case = f"{smp} vCPU{'s' if smp > 1 else ''}, " + \
                ("NIC + disk (netd, httpd, fsd)" if net else "no NIC, no disk")
            p = r.get(f"idle_petrel_{key}_{what}")
            lx = r.get(f"idle_linux_{key}_{what}")
            ratio = f"{lx / p:.1f}x" if p and lx is not None else "-"
            lines.append("| {} | {} | {} | {} |".format(
                label % case, "-" if p is None else fmt.format(p),
                "-" if lx is None else fmt.format(lx), ratio))
    return "\n".join(lines)


def details(r):
    clocks = ", ".join(f"{key} {r[f'idle_linux_{key}_clocksource']}"
                       for key, _, _ in CASES
                       if f"idle_linux_{key}_clocksource" in r)
    reads = ", ".join(
        f"{guest} {key} {r[f'idle_{guest}_{key}_read_timer']}/"
        f"{r.get(f'idle_{guest}_{key}_read_intr', '-')}"
        for guest in ("petrel", "linux") for key, _, _ in CASES
        if f"idle_{guest}_{key}_read_timer" in r)
    return ["- target (issue 13 §4): " + target(r),
            "- what one read of the counters cost (timer/all interrupts, "
            "taken out of each window's count): " + (reads or "-"),
            "- the Linux guest's clock source at the end of each case "
            "(refined-jiffies: its TSC was marked unstable and its tick runs at "
            "250 Hz a CPU): " + (clocks or "-"),
            "- Petrel, NIC + disk: " + " ".join(
                r.get("idle_petrel_smp1_net_cmd", [])),
            "- Linux, NIC + disk: " + " ".join(
                r.get("idle_linux_smp1_net_cmd", []))]
