"""The null system call, Petrel beside the Linux guest (bench/run --nullsys-only).

One static program, bench/nullsys.c (no libc: the same instructions in
both guests), makes 20,000 getppid calls between two TSC reads, then 20,000 getpid
calls (Petrel runs getpid without the big lock: the lock-free null call);
both
kernels boot the same image (Petrel's, plus /bench/nullsys) under
-icount shift=0, where a TSC cycle is a guest instruction, so the figure
is instructions per call (the loop's own two or three included, as the
empty-loop line shows). The Linux guest runs twice: as Debian ships it,
and with mitigations=off (its entry without the speculation work-arounds,
the fair comparison of the entry and exit themselves).
"""
import os
import re
import shlex
import shutil
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = os.path.join(ROOT, "bench", "nullsys.c")
LINE = re.compile(rb"nullsys: getppid (\d+)")
GETPID = re.compile(rb"nullsys: getpid (\d+)")
EMPTY = re.compile(rb"nullsys: empty-loop (\d+)")


def build_image(out, init):
    """Petrel's default image plus /bench/nullsys, BusyBox and the servers
    unpacked (the Linux guest boots it too, and cannot run a packed file:
    its init said "cannot run /bin/sh: Exec format error" and gave no
    figure); returns its path."""
    prog = os.path.join(out, "nullsys")
    subprocess.run(["gcc", "-static", "-nostdlib", "-O2", "-fno-stack-protector",
                    "-fno-pie", "-no-pie", "-Wall", "-Wextra", "-o", prog,
                    SOURCE], check=True)
    extra = os.path.join(out, "nullsys-extra")
    shutil.rmtree(extra, ignore_errors=True)
    os.makedirs(os.path.join(extra, "bench"))
    shutil.copy2(prog, os.path.join(extra, "bench", "nullsys"))
    image = os.path.join(out, "nullsys-initramfs.cpio")
    subprocess.run([os.path.join(ROOT, "tools", "mkinitramfs.sh"), image,
                    extra + ":/"], check=True, cwd=ROOT,
                   env=dict(os.environ, INIT=init, PACK=""))
    return image


def _figures(out):
    """(getppid, empty loop, getpid) per call, each None if not printed."""
    def num(m):
        return int(m.group(1)) if m else None
    return num(LINE.search(out)), num(EMPTY.search(out)), num(GETPID.search(out))


def measure(out, init, petrel_cmd, linux_cmd, run_capture, log):
    """petrel_cmd(image, text) and linux_cmd(image, append) give the -icount
    command lines; linux_cmd is None without the Linux guest."""
    image = build_image(out, init)
    r = {}
    log("nullsys: Petrel, getppid and getpid under -icount")
    cmd = petrel_cmd(image, "-- run /bench/nullsys")
    text, _ = run_capture(cmd, 120)
    r["ns_petrel"], r["ns_empty"], r["ns_getpid_petrel"] = _figures(text)
    r["ns_cmd_petrel"] = shlex.join(cmd) + \
        "   # with a file holding: -- run /bench/nullsys"
    if linux_cmd:
        for key, extra in (("linux", ""), ("linux_mitoff", " mitigations=off")):
            log(f"nullsys: Linux{extra}, getppid and getpid under -icount")
            cmd = linux_cmd(image, "console=ttyS0 quiet panic=-1" + extra +
                            " rdinit=/sbin/init -- run /bench/nullsys")
            text, _ = run_capture(cmd, 600)
            figs = _figures(text)
            r["ns_" + key], r["ns_getpid_" + key] = figs[0], figs[2]
            r["ns_cmd_" + key] = shlex.join(cmd)
    return r


def report(r, date, machine):
    def cell(v):
        return "-" if v is None else str(v)

    def ratio(a, b):
        return "-" if not a or not b else f"{a / b:.2f}x"

    p = r.get("ns_petrel")
    q = r.get("ns_getpid_petrel")
    rows = [("getppid; Linux guest, as shipped", p, r.get("ns_linux")),
            ("getppid; Linux guest, mitigations=off", p,
             r.get("ns_linux_mitoff")),
            ("getpid (Petrel: no big lock); Linux guest, as shipped", q,
             r.get("ns_getpid_linux")),
            ("getpid (Petrel: no big lock); Linux guest, mitigations=off", q,
             r.get("ns_getpid_linux_mitoff"))]
    lines = ["| null system call, -icount shift=0 (insns per call) "
             "| Petrel | Linux | Linux / Petrel |",
             "|---|---:|---:|---:|"]
    for name, mine, v in rows:
        lines.append(f"| {name} | {cell(mine)} | {cell(v)} | {ratio(v, mine)} |")
    met = "met" if p is not None and p <= 120 else "not met"
    lines += ["",
              f"Measured {date} on {machine}. Target (issue 13 §3): at most "
              f"120 instructions: {met} ({cell(p)}, getppid); getpid, which "
              f"takes no lock, {cell(q)}. The empty loop of the "
              f"same count takes {cell(r.get('ns_empty'))} per pass.",
              "",
              "Commands:",
              f"- Petrel: `{r.get('ns_cmd_petrel', '')}`"]
    for key in ("linux", "linux_mitoff"):
        if r.get("ns_cmd_" + key):
            lines.append(f"- Linux: `{r['ns_cmd_' + key]}`")
    return "\n".join(lines)
