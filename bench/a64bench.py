# bench/a64bench.py: the aarch64 figures (`bench/run --a64-only`). Boots
# Petrel's aarch64 build and Debian's arm64 cloud kernel (the package
# behind linux-image-cloud-arm64, fetched with apt-get download and
# unpacked with dpkg-deb -x into build/linux-guest-arm64/: never
# installed, never committed) on the same QEMU virt command line under
# TCG, with the same image (Petrel's aarch64 initramfs plus
# /bench/cntvct-init), and measures:
#
#   1. guest instructions from the machine's start to the first user
#      instruction, under -icount shift=0 (bench/cntvct-init.c reads the
#      generic timer's virtual counter there: virtual nanoseconds, one per
#      instruction), and Petrel's own count from its first instruction;
#   2. the smallest guest RAM (-m) with which `true` runs (Petrel's init
#      as init on both kernels) and the guest powers off.
#
# Neither kernel gets a device: the figures compare kernels. What is
# measured and why is in docs/performance.md (the aarch64 section).

import os
import re
import shlex
import shutil
import subprocess
import sys
import time

from figures import summary, values_line

QEMU = os.environ.get("PETREL_QEMU_AARCH64", "qemu-system-aarch64")
CC = "aarch64-linux-gnu-gcc"
CPU = "max,pauth-impdef=on"	# ./petrel's (docs/aarch64.md)
LINUX_PKG = "linux-image-cloud-arm64:arm64"
CNTVCT = re.compile(rb"bench: cntvct-at-init (\d+) (\d+)")
BANNER = re.compile(rb"init started (\d+) us \((\d+) TSC cycles\)")
EXIT_MARKER = re.compile(rb"\x1b_petrel-exit=(\d+)\x1b\\")
BLOCK = ("<!-- bench-a64:begin (bench/run --update-doc rewrites this block) -->",
         "<!-- bench-a64:end -->")


def log(msg):
    print("a64bench: " + msg, flush=True, file=sys.stderr)


class BenchError(Exception):
    pass


def fetch_linux(root):
    """Debian's arm64 cloud kernel Image, unpacked under build/; its path
    and version."""
    dest = os.path.join(root, "build", "linux-guest-arm64")
    stamp = os.path.join(dest, "version")
    if not os.path.exists(stamp):
        deps = subprocess.run(["apt-cache", "depends", LINUX_PKG],
                              capture_output=True, text=True).stdout
        m = re.search(r"Depends: (linux-image-[0-9]\S*-cloud-arm64)", deps)
        if not m:
            raise BenchError("apt-cache knows no %s (dpkg --add-architecture "
                             "arm64; apt-get update)" % LINUX_PKG)
        pkg = m.group(1).split(":")[0]
        dl = os.path.join(root, "build", "bench", "a64-dl")
        shutil.rmtree(dl, ignore_errors=True)
        os.makedirs(dl)
        os.chmod(dl, 0o755)	# apt's _apt user writes the download there
        subprocess.run(["apt-get", "download", "-q", pkg + ":arm64"], cwd=dl,
                       check=True, stdout=subprocess.DEVNULL)
        deb = [f for f in os.listdir(dl) if f.endswith(".deb")][0]
        subprocess.run(["dpkg-deb", "-x", os.path.join(dl, deb), dest],
                       check=True)
        shutil.rmtree(dl, ignore_errors=True)
        with open(stamp, "w") as f:
            f.write(pkg[len("linux-image-"):] + "\n")
    version = open(stamp).read().strip()
    return os.path.join(dest, "boot", "vmlinuz-" + version), version


def build_image(root):
    """Petrel's aarch64 image (make ARCH=aarch64) plus /bench/cntvct-init."""
    out = os.path.join(root, "build", "bench", "a64")
    a64 = os.path.join(root, "build", "aarch64")
    extra = os.path.join(out, "extra")
    shutil.rmtree(extra, ignore_errors=True)
    shutil.copytree(os.path.join(a64, "imageroot"), extra, symlinks=True)
    os.makedirs(os.path.join(extra, "bench"), exist_ok=True)
    subprocess.run([CC, "-static", "-nostdlib", "-O2", "-fno-stack-protector",
                    "-Wall", "-Wextra", "-o",
                    os.path.join(extra, "bench", "cntvct-init"),
                    os.path.join(root, "bench", "cntvct-init.c")], check=True)
    image = os.path.join(out, "bench-initramfs.cpio")
    env = dict(os.environ, INIT=os.path.join(a64, "init"),
               NETD=os.path.join(a64, "netd", "netd"),
               FSD=os.path.join(a64, "fsd", "fsd"),
               BUSYBOX=os.path.join(a64, "busybox", "bin", "busybox"),
               BUSYBOX_LIST="/bin/busybox", STRIP="aarch64-linux-gnu-strip")
    subprocess.run([os.path.join(root, "tools", "mkinitramfs.sh"), image,
                    extra + ":/"], check=True, cwd=root, env=env,
                   stdout=subprocess.DEVNULL)
    return image


def qemu_cmd(kernel, image, mem="128M", icount=False):
    """./petrel's virt command line (docs/aarch64.md) with no devices."""
    return ([QEMU, "-M", "virt", "-accel", "tcg"] +
            (["-icount", "shift=0,sleep=off"] if icount else []) +
            ["-cpu", CPU, "-smp", "1", "-m", mem, "-nodefaults",
             "-no-reboot", "-display", "none", "-serial", "stdio",
             "-kernel", kernel, "-initrd", image])


def petrel_cmd(kernel, image, cmdline, **kw):
    """Petrel takes its per-run command line through fw_cfg."""
    return qemu_cmd(kernel, image, **kw) + [
        "-fw_cfg", "name=opt/petrel/cmdline,string=" + cmdline]


def linux_cmd(kernel, image, append, **kw):
    return qemu_cmd(kernel, image, **kw) + [
        "-append", "console=ttyAMA0 panic=-1 " + append]


def run(cmd, timeout):
    """QEMU's output, and whether it ran past timeout."""
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=timeout,
                           stdin=subprocess.DEVNULL)
        return r.stdout, False
    except subprocess.TimeoutExpired as e:
        return e.stdout or b"", True


def cntvct_insns(cmd, timeout):
    """Virtual nanoseconds (= instructions) to the first user instruction."""
    out, _ = run(cmd, timeout)
    m = CNTVCT.search(out)
    if not m:
        raise BenchError("no cntvct-at-init from: %s\n%s" % (
            shlex.join(cmd), out.decode(errors="replace")[-2000:]))
    return int(m.group(1)) * 10**9 // int(m.group(2)), out


# QEMU's own loader: with too little RAM above the initramfs it cannot
# place the device tree, and starts nothing. Where it puts the initramfs
# depends on the RAM size, so this happens at some sizes and not at
# smaller ones: the bisection is not the whole story (below).
QEMU_NO_DTB = b"Not enough space for DTB"


def exits_zero(cmd, timeout):
    """Whether the guest exited 0, and whether QEMU could not load it."""
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=timeout,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return False, False
    m = EXIT_MARKER.search(r.stdout)
    return bool(m) and m.group(1) == b"0", QEMU_NO_DTB in r.stderr


def smallest_mem(ok, lo, hi):
    """The smallest MiB in (lo, hi] for which ok() holds, ok(hi) known."""
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi


def measure(root, runs, linux=True):
    kernel = os.path.join(root, "build", "aarch64", "kernel")
    if not os.path.exists(kernel):
        raise BenchError(kernel + " missing: run make ARCH=aarch64")
    image = build_image(root)
    r = {"runs": runs}
    if linux:
        r["linux_kernel"], r["linux_version"] = fetch_linux(root)
    one = "-- run cat%20/bench/cntvct-at-init"
    log(f"1/2 instructions to init (-icount shift=0), {runs} runs each")
    pcmd = petrel_cmd(kernel, image, "quiet init=/bench/cntvct-init " + one,
                      icount=True)
    r["raw_petrel"], r["own_petrel"] = [], []
    for _ in range(runs):
        insns, out = cntvct_insns(pcmd, 120)
        r["raw_petrel"].append(insns)
        m = BANNER.search(petrel_run_verbose(kernel, image))
        r["own_petrel"].append(int(m.group(2)) * 10**9 // 62500000
                               if m else None)	# virt's CNTFRQ_EL0
    r["cmd_raw_petrel"] = shlex.join(pcmd)
    if linux:
        lcmd = linux_cmd(r["linux_kernel"], image,
                         "quiet rdinit=/bench/cntvct-init " + one, icount=True)
        r["raw_linux"] = []
        for _ in range(runs):
            r["raw_linux"].append(cntvct_insns(lcmd, 600)[0])
        r["cmd_raw_linux"] = shlex.join(lcmd)

    log("2/2 smallest -m for `true`")
    a64_image = os.path.join(root, "build", "aarch64", "initramfs.cpio")

    r["mem_qemu_refused"] = []

    def petrel_ok(mib):
        ok, refused = exits_zero(petrel_cmd(kernel, a64_image, "-- run true",
                                            mem=f"{mib}M"), 30)
        if refused:
            r["mem_qemu_refused"].append(mib)
        log(f"  petrel -m {mib}M: {'ok' if ok else 'fails'}"
            f"{' (QEMU: no room for the DTB)' if refused else ''}")
        return ok

    if not petrel_ok(128):
        raise BenchError("Petrel does not run `true` with 128M")
    r["mem_petrel"] = smallest_mem(petrel_ok, 1, 128)
    # A size QEMU could not load at is no verdict on the kernel: a few
    # sizes below are tried too.
    for mib in range(r["mem_petrel"] - 1, max(r["mem_petrel"] - 5, 1), -1):
        if petrel_ok(mib):
            r["mem_petrel"] = mib
    r["cmd_mem_petrel"] = shlex.join(petrel_cmd(kernel, a64_image,
                                                "-- run true", mem="SIZE"))
    if linux:
        append = "quiet rdinit=/sbin/init -- run true"

        def linux_ok(mib):
            ok = exits_zero(linux_cmd(r["linux_kernel"], a64_image, append,
                                      mem=f"{mib}M"), 120)[0]
            log(f"  linux -m {mib}M: {'ok' if ok else 'fails'}")
            return ok

        if not linux_ok(256):
            raise BenchError("Linux does not run `true` with 256M")
        lo = 32 if not linux_ok(32) else 1
        r["mem_linux"] = smallest_mem(linux_ok, lo, 256 if lo == 32 else 32)
        r["cmd_mem_linux"] = shlex.join(linux_cmd(
            r["linux_kernel"], a64_image, append, mem="SIZE"))
    return r


def petrel_run_verbose(kernel, image):
    """Petrel's banner (init's start, counted from its first instruction),
    from a boot under -icount that is not quiet."""
    out, _ = run(petrel_cmd(kernel, image, "-- run true", icount=True), 120)
    return out


def machine():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    qemu = subprocess.run([QEMU, "--version"], capture_output=True,
                          text=True).stdout.splitlines()[0]
    return f"{cpu}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; {qemu}"


def report(r, root):
    """The figures block of docs/performance.md's aarch64 section."""
    def rel(cmd):
        return cmd.replace(root + "/", "")

    def med(key):
        s = summary(r.get(key, []))
        return s[0] if s else None

    def m(v):
        return "-" if v is None else f"{v / 1e6:.1f}"

    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} by `bench/run --a64-only` "
        f"on {machine()}; QEMU virt, TCG, 1 vCPU, no devices; median of "
        f"{r['runs']} runs.",
        "",
        "| aarch64 | Petrel | Linux %s |" % r.get("linux_version", "(skipped)"),
        "|---|---|---|",
        "| machine start to the first user instruction, -icount shift=0 "
        "(M insns) | %s | %s |" % (m(med("raw_petrel")), m(med("raw_linux"))),
        "| Petrel's first instruction to init (M insns, its banner) | %s | |"
        % m(med("own_petrel")),
        "| smallest -m that runs `true` and powers off (MiB) | %s | %s |"
        % (r.get("mem_petrel", "-"), r.get("mem_linux", "-")),
        "",
        values_line("Petrel", "machine start to init", r["raw_petrel"],
                    "{:,}"),
    ]
    if "raw_linux" in r:
        lines.append(values_line("Linux", "machine start to init",
                                 r["raw_linux"], "{:,}"))
    lines.append(f"- Petrel: `{rel(r['cmd_raw_petrel'])}`")
    if "cmd_raw_linux" in r:
        lines.append(f"- Linux: `{rel(r['cmd_raw_linux'])}`")
    if r["mem_qemu_refused"]:
        sizes = ", ".join(str(m) for m in sorted(set(r["mem_qemu_refused"])))
        lines.append(f"- QEMU could not place the device tree above the "
                     f"initramfs with -m {sizes} MiB (no boot: no verdict on "
                     f"Petrel); sizes below the bisection's were tried too")
    lines.append(f"- memory, Petrel: `{rel(r['cmd_mem_petrel'])}`")
    if "cmd_mem_linux" in r:
        lines.append(f"- memory, Linux: `{rel(r['cmd_mem_linux'])}`")
    return "\n".join(lines)


def main(root, runs, linux, update_doc):
    """bench/run --a64-only: measures, prints the block, and with
    update_doc rewrites it in docs/performance.md."""
    try:
        text = report(measure(root, runs, linux), root)
    except BenchError as e:
        log(str(e))
        sys.exit(1)
    print(text)
    if update_doc:
        doc = os.path.join(root, "docs", "performance.md")
        with open(doc) as f:
            s = f.read()
        i, j = s.find(BLOCK[0]), s.find(BLOCK[1])
        if i < 0 or j < i:
            log(doc + ": no bench-a64 block")
            sys.exit(1)
        with open(doc, "w") as f:
            f.write(s[:i + len(BLOCK[0])] + "\n" + text + "\n" + s[j:])
        log("updated docs/performance.md")
