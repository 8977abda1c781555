# bench/cpushare.py: where a benchmark run's CPU time went, for
# bench/connbench.py's notes (issue 13 §2: does the guest or the host limit
# the many-connection rate?). Two sides, each read at two moments inside a
# wrk run:
#
#   - the host: its own /proc/stat (the 2 cores' idle share), QEMU's
#     threads (the vCPU thread apart) and wrk, from /proc/PID/stat;
#   - the guest: the lines GUEST_SAMPLER prints on the console once a
#     second, its /proc/stat cpu line and its httpd's and netd's
#     /proc/PID/stat, read with the shell's own `read` (no process per
#     file; one `sleep` a second).

import os
import time

MARK = "@cpu "
# The guest shell's loop ($h: the measured httpd's pid). One line a second
# on the console: uptime|cpu line|httpd's stat|netd's stat|the big
# lock's line of /proc/petrel/bkl (cpu0 acquired ...: one vCPU).
GUEST_SAMPLER = ("(n=$(pidof netd); while :; do read u < /proc/uptime; "
                 "read c < /proc/stat; read a < /proc/$h/stat; "
                 "read b < /proc/$n/stat; "
                 "{ read x; read k; } < /proc/petrel/bkl; "
                 f"echo \"{MARK}$u|$c|$a|$b|$k\"; sleep 1; done) &")
HZ = os.sysconf("SC_CLK_TCK")
USER_HZ = 100	# the guests' /proc tick
# A second of the guest's with at most this many busy ticks is quiet.
QUIET_TICKS = 3
QUIET_PATIENCE = 15


def stat_ticks(line):
    """utime + stime of a /proc/PID/stat line, in clock ticks."""
    rest = line[line.rindex(")") + 2:].split()
    return int(rest[11]) + int(rest[12])


def cpu_line(line):
    """(busy, idle) ticks of a /proc/stat cpu line."""
    f = [int(x) for x in line.split()[1:]]
    idle = f[3] + (f[4] if len(f) > 4 else 0)
    return sum(f) - idle, idle


def read_first(path):
    try:
        with open(path) as f:
            return f.readline()
    except OSError:
        return None


def threads(pid):
    """(all threads', the TCG vCPU threads') utime + stime ticks of pid."""
    total = vcpu = 0
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    for tid in tids:
        line = read_first(f"/proc/{pid}/task/{tid}/stat")
        if not line:
            continue
        t = stat_ticks(line)
        total += t
        if "/TCG" in line[:line.rindex(")")]:
            vcpu += t
    return total, vcpu


def guest_line(console):
    """The last whole sample line of the guest console's bytes, or None."""
    end = console.rfind(b"\n")
    at = console.rfind(MARK.encode(), 0, end)
    if at < 0:
        return None
    return console[at + len(MARK):console.index(b"\n", at)].decode(
        errors="replace")


def sample(qemu_pid, wrk_pid, console):
    """Everything read at one moment (values None where unreadable)."""
    return {"host": cpu_line(read_first("/proc/stat") or "cpu 0 0 0 0"),
            "qemu": threads(qemu_pid),
            "wrk": threads(wrk_pid),
            "guest": guest_line(console)}


def quiet_line(console, patience=QUIET_PATIENCE):
    """The first sample line, read from console() (the guest's console so
    far) within patience seconds, that follows one with less than
    QUIET_TICKS of busy time between them: the guest had finished what it
    was doing. None if none came."""
    deadline = time.monotonic() + patience
    last = guest_line(console())
    if last is None:
        return None	# a guest without the sampler (the Linux guest)
    while time.monotonic() < deadline:
        time.sleep(0.1)
        line = guest_line(console())
        if line == last:
            continue
        a, b = parse_guest(last) if last else None, parse_guest(line)
        if a and b and b[1] - a[1] <= QUIET_TICKS:
            return line
        last = line
    return None


def parse_guest(text):
    """(uptime s, busy, idle, httpd, netd ticks, big-lock takes) of a
    sample line."""
    try:
        up, cpu, httpd, netd, bkl = text.split("|")
        busy, idle = cpu_line(cpu)
        return (float(up.split()[0]), busy, idle, stat_ticks(httpd),
                stat_ticks(netd), int(bkl.split()[1]))
    except (ValueError, IndexError):
        return None


def per_request(a, b, requests):
    """The note two guest sample lines around a whole run of requests give
    (quiet_line's, before and after): the guest's busy time per request,
    and httpd's and netd's (under -icount shift=0 a microsecond is 1,000
    guest instructions). Busy time does not grow while the guest idles, so
    the two count the run's work whatever their distance: its requests
    and the connections' opening and closing."""
    ga = parse_guest(a) if a else None
    gb = parse_guest(b) if b else None
    if not (ga and gb and requests):
        return None
    us = [1e6 / USER_HZ * (y - x) / requests
          for x, y in zip(ga[1:5], gb[1:5])]
    return (f"guest busy {us[0]:.1f} us a request (httpd {us[2]:.1f}, "
            f"netd {us[3]:.1f}), big lock taken {(gb[5] - ga[5]) / requests:.2f} "
            f"times a request")


def pct(part, whole):
    return f"{100 * part / whole:.0f}%" if whole else "-"


def note(a, b, secs):
    """The note two samples secs apart give: the guest's idle, httpd's
    and netd's shares of its time, the host's idle share of all its cores
    and QEMU's (vCPU thread) and wrk's share of one core."""
    parts = []
    ga = parse_guest(a["guest"]) if a["guest"] else None
    gb = parse_guest(b["guest"]) if b["guest"] else None
    if ga and gb and gb[0] > ga[0]:
        whole = (gb[1] - ga[1]) + (gb[2] - ga[2])
        parts.append(f"guest over {gb[0] - ga[0]:.0f} s: idle "
                     f"{pct(gb[2] - ga[2], whole)}, httpd "
                     f"{pct(gb[3] - ga[3], whole)}, netd "
                     f"{pct(gb[4] - ga[4], whole)}")
    else:
        parts.append("guest: no samples")
    host = [y - x for x, y in zip(a["host"], b["host"])]
    core = secs * HZ
    words = [f"host over {secs:.1f} s: idle {pct(host[1], sum(host))} of "
             f"{os.cpu_count()} cores"]
    if a["qemu"] and b["qemu"]:
        words.append(f"QEMU {pct(b['qemu'][0] - a['qemu'][0], core)} of a "
                     f"core (vCPU thread {pct(b['qemu'][1] - a['qemu'][1], core)})")
    if a["wrk"] and b["wrk"]:
        words.append(f"wrk {pct(b['wrk'][0] - a['wrk'][0], core)}")
    parts.append(", ".join(words))
    return "; ".join(parts)
