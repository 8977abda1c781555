#!/usr/bin/env python3
# Boots: the default image on microvm with `selftest=panic` on the kernel
#        command line, which makes kmain panic.
# Expects: the panic's message, the CPU and one "backtrace:" line of
#        kernel addresses, which addr2line on the booted kernel ELF turns
#        into kmain's name (what a panic seen in CI needs, to be found
#        from its console alone); the guest resets, so petrel says it
#        stopped without an exit status (255), quickly, with no hang.
import os, subprocess, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import (ROOT, fail, kernel_of, passed, petrel_args, quote,
		 symbolize)

argv = petrel_args(timeout=60, extra=["--append", "selftest=panic"]) + \
	["--", "true"]
print("$ " + " ".join(quote(a) for a in argv[1:]), flush=True)
proc = subprocess.run(argv, cwd=ROOT, capture_output=True,
		      stdin=subprocess.DEVNULL, timeout=120)
out = proc.stdout.decode(errors="replace")
print(out + "[status %d]" % proc.returncode)
if proc.returncode != 255:
	fail("status %d, expected 255 (the guest reset)" % proc.returncode)
lines = out.splitlines()
if "kernel panic: selftest" not in lines:
	fail("no 'kernel panic: selftest' line")
if "cpu 0" not in lines:
	fail("the panic did not name its CPU")
trace = [l for l in lines if l.startswith("backtrace: ")]
if len(trace) != 1 or not all(a.startswith("ffffffff8")
			      for a in trace[0].split()[1:]) or \
   len(trace[0].split()) < 2:
	fail("expected one backtrace line of kernel addresses: %r" % trace)
where = symbolize(out, kernel_of({}))
print(where, end="")
if "kmain at " not in where or "main.c:" not in where:
	fail("addr2line did not find kmain in the backtrace")
passed()
