#!/usr/bin/env python3
"""Guest instructions of the boot, by boot phase and by kernel function:
boots the default image once under -icount with `boottrace` (the banner's
count and the per-phase counts) and, with --trace, once more with a
-d in_asm,exec,nochain trace, giving each executed block's instructions to
its kernel symbol up to the first user instruction (docs/performance-boot.md,
"Boot: room under the target (bootcut, 2026-12-07)"). A `rep` instruction
counts once in the trace; -icount (the phases) counts each iteration.

    tools/boot-profile.py                 # phases only (a few seconds)
    tools/boot-profile.py --trace --top 40
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


def boot(args, tmp, trace, cmdline="boottrace -- run true"):
	cmdfile = os.path.join(tmp, "cmdline")
	log = os.path.join(tmp, "trace.log")
	with open(cmdfile, "w") as f:
		f.write(cmdline)
	cmd = insntrace.icount_cmd(args.kernel, args.initrd, cmdfile,
				   log if trace else None)
	out = subprocess.run(cmd, stdin=subprocess.DEVNULL,
			     capture_output=True, timeout=args.timeout,
			     check=False).stdout.decode(errors="replace")
	return out, log


def count(log, name_of, split, detail=()):
	"""Instructions by symbol from the first block at a kernel address
	(the firmware and the PVH entry's first steps, at physical
	addresses, are left out) up to the first user block."""
	counts = collections.Counter()
	in_kernel = False
	prev = caller = None
	phase = 0
	for pc, n in insntrace.executed_blocks(log):
		name = name_of(pc)
		if name == "user":
			if in_kernel:
				break
			continue
		in_kernel = True
		if name == "boot_phase" and prev != name:
			phase += 1
		counts[name] += n
		counts[" %d %s" % (phase, name)] += n
		if name in split:
			if prev != name:
				caller = prev
			counts["  %s from %s" % (name, caller)] += n
		if name in detail:
			counts["  @%x %s" % (pc, name)] += n
		prev = name
	return counts


def main():
	ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
	ap.add_argument("--kernel", default=os.path.join(ROOT, "build/kernel.elf"))
	ap.add_argument("--initrd", default=os.path.join(ROOT, "build/initramfs.cpio"))
	ap.add_argument("--trace", action="store_true",
			help="also count by kernel function (a slower boot)")
	ap.add_argument("--top", type=int, default=30)
	ap.add_argument("--phase", type=int,
			help="list the functions of this phase (0: arch-early)")
	ap.add_argument("--detail", default="",
			help="functions to count by block, comma-separated")
	ap.add_argument("--split", default="",
			help="functions to count by caller, comma-separated")
	ap.add_argument("--timeout", type=int, default=300)
	args = ap.parse_args()

	with tempfile.TemporaryDirectory() as tmp:
		out, _ = boot(args, tmp, False)
		m = re.search(r"init started .*\((\d+) TSC cycles\)", out)
		t = re.search(r"boottrace \(TSC cycles\):(.*)", out)
		if not m or not t:
			sys.stderr.write(out)
			return 1
		plain, _ = boot(args, tmp, False, "-- run true")
		p = re.search(r"init started .*\((\d+) TSC cycles\)", plain)
		print("to init: %s (bench/run's -- run true: %s)" %
		      (m.group(1), p.group(1) if p else "?"))
		f = t.group(1).split()
		for name, n in zip(f[0::2], f[1::2]):
			print("%10s %s" % (n, name))
		if not args.trace:
			return 0
		name_of = insntrace.symbol_namer(args.kernel)
		_, log = boot(args, tmp, True)
		counts = count(log, name_of, set(filter(None,
							  args.split.split(","))),
			       set(filter(None, args.detail.split(","))))
	print("trace, by function: %d in all" %
	      sum(v for k, v in counts.items() if not k.startswith(" ")))
	for name, n in counts.most_common():
		if name.startswith("  ") or not name.startswith(" "):
			continue
		if args.phase is not None and int(name.split()[0]) == args.phase:
			print("%10d %s" % (n, name))
	for name, n in counts.most_common(args.top):
		if not name.startswith(" ") or name.startswith("  "):
			print("%10d %s" % (n, name))
	return 0


if __name__ == "__main__":
	sys.exit(main())
