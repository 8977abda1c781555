#!/usr/bin/env python3
"""Guest instructions per operation, by kernel function: boots the test
image twice under -icount with a -d in_asm,exec,nochain trace, running a
guest command with a small and a large count, gives each executed block's
instructions to its kernel symbol (user code: "user"), and prints the
difference divided by the difference of the counts (docs/performance-ipc.md,
"IPC round trip: one lock hold per hand-off").

    tools/insn-profile.py                       # ipc bench N rt, N 200 and 700
    tools/insn-profile.py --cmd '/test/bin/ipc bench {n} rt' --small 200 --large 700
    tools/insn-profile.py --detail waitq_wait_take,switch_to   # per block too
"""
import argparse
import bisect
import collections
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
USER_TOP = 0xffff800000000000


def kernel_symbols(elf):
	out = subprocess.run(["nm", "-n", elf], capture_output=True, text=True,
			     check=True).stdout
	syms = []
	for line in out.splitlines():
		f = line.split()
		if len(f) == 3 and f[1] in "tTwW":
			syms.append((int(f[0], 16), f[2]))
	return syms


def trace(args, n, tmp):
	cmdfile = os.path.join(tmp, "cmdline")
	log = os.path.join(tmp, "trace.log")
	with open(cmdfile, "w") as f:
		f.write("-- run " + args.cmd.format(n=n))
	subprocess.run([
		"qemu-system-x86_64", "-M", "microvm,x-option-roms=off,rtc=on",
		"-accel", "tcg", "-icount", "shift=0,sleep=off", "-cpu", "max",
		"-smp", "1", "-m", "128M", "-nodefaults", "-no-reboot",
		"-display", "none", "-chardev", "stdio,id=con,signal=off",
		"-serial", "chardev:con", "-kernel", args.kernel,
		"-initrd", args.initrd, "-append", "console=ttyS0",
		"-fw_cfg", "name=opt/petrel/cmdline,file=" + cmdfile,
		"-d", "in_asm,exec,nochain", "-D", log],
		stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
		timeout=args.timeout, check=False)
	return log


def count(log, name_of, detail):
	"""Instructions by symbol: each "Trace" line runs the block last
	translated at its address, whose size the in_asm listing gave."""
	size = {}
	counts = collections.Counter()
	start = None
	with open(log, errors="replace") as f:
		for line in f:
			if line.startswith("Trace "):
				m = re.search(r"\[[0-9a-f]+/([0-9a-f]+)/", line)
				pc = int(m.group(1), 16)
				name = name_of(pc)
				counts[name] += size.get(pc, 0)
				if name in detail:
					counts["  @%x %s" % (pc, name)] += size.get(pc, 0)
			elif line.startswith("0x"):
				m = re.match(r"0x([0-9a-f]+):", line)
				if m:
					if start is None:
						start = int(m.group(1), 16)
						size[start] = 0
					size[start] += 1
			else:	# "IN:", a blank line: the next listing is a new block
				start = None
	return counts


def main():
	ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
	ap.add_argument("--cmd", default="/test/bin/ipc bench {n} rt",
			help="guest command; {n} is the count")
	ap.add_argument("--small", type=int, default=200)
	ap.add_argument("--large", type=int, default=700)
	ap.add_argument("--kernel", default=os.path.join(ROOT, "build/kernel.elf"))
	ap.add_argument("--initrd",
			default=os.path.join(ROOT, "build/initramfs-test.cpio"))
	ap.add_argument("--detail", default="",
			help="functions to split by block, comma-separated")
	ap.add_argument("--timeout", type=int, default=600)
	args = ap.parse_args()

	syms = kernel_symbols(args.kernel)
	addrs = [a for a, _ in syms]

	def name_of(pc):
		if pc < USER_TOP:
			return "user"
		i = bisect.bisect_right(addrs, pc) - 1
		return syms[i][1] if i >= 0 else "?"

	detail = set(filter(None, args.detail.split(",")))
	with tempfile.TemporaryDirectory() as tmp:
		runs = []
		for n in (args.small, args.large):
			log = trace(args, n, tmp)
			runs.append(count(log, name_of, detail))
			os.unlink(log)
	small, large = runs
	per = {k: (large[k] - small[k]) / (args.large - args.small)
	       for k in set(small) | set(large)}
	total = sum(v for k, v in per.items() if not k.startswith("  @"))
	for k, v in sorted(per.items(), key=lambda kv: -kv[1]):
		if v >= 0.5:
			print("%8.1f %s" % (v, k))
	print("%8.1f total (the operation's loop and its timing included)" % total)
	return 0


if __name__ == "__main__":
	sys.exit(main())
