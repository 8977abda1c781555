# bench/fsbench.py: the storage half of `make bench` (called by bench/run).
# Boots one guest at a time on the same QEMU microvm command line with a
# virtio-blk disk holding a fresh ext2 image (mke2fs -t ext2 -b 4096, the
# same size for both), runs bench/fsbench.c on it inside the guest (the
# program times itself), and collects its "fsbench KEY VALUE" lines:
#
#   - sequential write (with the fsync) and read, cold and warm, MB/s;
#   - 1 KiB files created and unlinked per second (with a final sync);
#   - 4 KiB pwrite + fsync latency, median and 90th percentile.
#
# Petrel and Linux are booted back to back in each round, so that both see
# the same machine load; what is measured and why is in docs/performance.md.

import os
import re
import shlex
import subprocess
import time

from figures import summary, values_line

DISK_SIZE = "512M"
BLOCK_SIZE = "4096"
GUEST_MEM = "256M"
SEQ_MIB = 64
FILES = 2000
FSYNCS = 200
RUN_TIMEOUT = 240

# A Linux boot that prints this under TCG never reaches user space
# (docs/performance.md §1); it is killed at once and booted again.
LINUX_TSC_HANG = b"Marking TSC unstable"
BOOT_ATTEMPTS = 20

LINE = re.compile(rb"^fsbench (\w+) (\S+)\r?$", re.M)
DONE = re.compile(rb"^fsbench done\r?$", re.M)

CASES = [
    # key, label, format, higher is better
    ("seqwrite_mbs", f"sequential write {SEQ_MIB} MiB + fsync (MB/s)", "{:.1f}", True),
    ("seqread_cold_mbs", f"sequential read {SEQ_MIB} MiB, cold (MB/s)", "{:.1f}", True),
    ("seqread_warm_mbs", f"sequential read {SEQ_MIB} MiB, again (warm) (MB/s)",
     "{:.1f}", True),
    ("create_per_s", f"create {FILES} files of 1 KiB + sync (files/s)", "{:.0f}", True),
    ("unlink_per_s", f"unlink {FILES} files + sync (files/s)", "{:.0f}", True),
    ("fsync_median_us", "4 KiB pwrite + fsync, median (us)", "{:.0f}", False),
    ("fsync_p90_us", "4 KiB pwrite + fsync, 90th percentile (us)", "{:.0f}", False),
]
OTHER = ["seqwrite_fsync_ms", "drop_caches"]


def guest_args():
    """fsbench's arguments, the same for both guests (before the DIR)."""
    return ["-s", str(SEQ_MIB), "-n", str(FILES), "-f", str(FSYNCS)]


def make_image(path):
    """A fresh, empty ext2 image (a new one for every run of every guest)."""
    if os.path.exists(path):
        os.unlink(path)
    subprocess.run(["mke2fs", "-q", "-t", "ext2", "-b", BLOCK_SIZE, "-F",
                    path, DISK_SIZE], check=True, capture_output=True)


def run_guest(cmd, log_path, linux):
    """Runs one guest to its end: (figures dict or None, why not, boots
    retried). A Linux boot that hangs in TSC calibration is retried."""
    retries = 0
    for _ in range(BOOT_ATTEMPTS):
        with open(log_path, "wb") as out:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT,
                                    start_new_session=True)
        t0 = time.monotonic()
        hung = False
        try:
            while proc.poll() is None and time.monotonic() - t0 < RUN_TIMEOUT:
                time.sleep(0.2)
                if linux and LINUX_TSC_HANG in read(log_path):
                    hung = True
                    break
        finally:
            if proc.poll() is None:
                proc.kill()	# by its pid: never leave a QEMU behind
            proc.wait()
        if hung:
            retries += 1
            continue
        text = read(log_path)
        figures = {k.decode(): v.decode() for k, v in LINE.findall(text)}
        if not DONE.search(text):
            return None, f"no result (console: {log_path})", retries
        return figures, "", retries
    return None, f"TSC calibration hang in {BOOT_ATTEMPTS} boots", retries


def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def measure_fs(out_dir, petrel_cmd, linux_cmd, runs, log):
    """petrel_cmd(image) and linux_cmd(image) give the QEMU command lines
    (linux_cmd None: Petrel only). Each round runs Petrel, then Linux, on
    fresh images. Returns a results dict."""
    r = {"fs_runs": runs}
    guests = [("petrel", petrel_cmd)]
    if linux_cmd:
        guests.append(("linux", linux_cmd))
    for name, _ in guests:
        r[f"fs_{name}"] = {key: [] for key, _, _, _ in CASES + [(k, 0, 0, 0) for k in OTHER]}
        r[f"fs_{name}_notes"] = []
        r[f"fs_{name}_retries"] = 0
    image = os.path.join(out_dir, "fs-disk.img")
    for i in range(runs):
        for name, make_cmd in guests:
            make_image(image)
            cmd = make_cmd(image)
            r[f"fs_{name}_cmd"] = shlex.join(cmd)
            t0 = time.monotonic()
            figures, why, retries = run_guest(
                cmd, os.path.join(out_dir, f"fs-{name}.log"), name == "linux")
            r[f"fs_{name}_retries"] += retries
            if figures is None:
                log(f"  {name} run {i + 1}: {why}")
                r[f"fs_{name}_notes"].append(f"run {i + 1}: {why}")
                continue
            log(f"  {name} run {i + 1} ({time.monotonic() - t0:.1f} s"
                f"{f', {retries} boots retried' if retries else ''}): " +
                ", ".join(f"{k} {v}" for k, v in figures.items()))
            for key in r[f"fs_{name}"]:
                v = figures.get(key)
                if key != "drop_caches" and v is not None:
                    v = float(v)
                r[f"fs_{name}"][key].append(v)
    try:
        os.unlink(image)
    except OSError:
        pass
    return r


def table(r):
    lines = ["| storage figure (median of %d) | Petrel | Linux | "
             "Petrel vs Linux |" % r["fs_runs"],
             "|---|---:|---:|---:|"]
    for key, label, fmt, higher in CASES:
        cells, meds = [], []
        for name in ("petrel", "linux"):
            res = r.get(f"fs_{name}")
            s = summary(res[key]) if res else None
            meds.append(s[0] if s else None)
            cells.append(fmt.format(s[0]) if s else "-")
        p, l = meds
        ratio = "-"
        if p and l:
            ratio = f"{p / l:.2f}x" if higher else f"{l / p:.2f}x"
        lines.append(f"| {label} | {cells[0]} | {cells[1]} | {ratio} |")
    return "\n".join(lines)


def details(r):
    lines = []
    for name in ("petrel", "linux"):
        res = r.get(f"fs_{name}")
        if res is None:
            continue
        title = name.capitalize()
        for key, label, fmt, _ in CASES + [("seqwrite_fsync_ms", "", "{:.1f}", 0)]:
            lines.append(values_line(title, key, res[key], fmt))
        drops = sorted(set(v for v in res["drop_caches"] if v))
        notes = r.get(f"fs_{name}_notes") or []
        lines.append(f"- {title}: page cache before the cold read: "
                     f"{', '.join(drops) or '-'}; "
                     + ("; ".join(notes) if notes else "every run finished") +
                     f"; boots retried: {r.get(f'fs_{name}_retries', 0)}")
        if r.get(f"fs_{name}_cmd"):
            lines.append(f"- {title} QEMU command: `{r[f'fs_{name}_cmd']}`")
    return lines
