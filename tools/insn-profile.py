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
import collections
import os
import re
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True	# no __pycache__ in the tree
import insntrace  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))


def trace(args, n, tmp):
	cmdfile = os.path.join(tmp, "cmdline")
	log = os.path.join(tmp, "trace.log")
	with open(cmdfile, "w") as f:
		f.write("-- run " + args.cmd.format(n=n))
	subprocess.run(insntrace.icount_cmd(args.kernel, args.initrd, cmdfile,
					    log),
		       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
		       timeout=args.timeout, check=False)
	return log


def count(log, name_of, detail):
	"""Instructions by symbol, from the trace's executed blocks."""
	counts = collections.Counter()
	for pc, n in insntrace.executed_blocks(log):
		name = name_of(pc)
		counts[name] += n
		if name in detail:
			counts["  @%x %s" % (pc, name)] += n
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

	name_of = insntrace.symbol_namer(args.kernel)
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
