#!/usr/bin/env python3
# Boots: the test image on microvm (TCG, --verbose for the boot messages)
#        while two busy loops load the host's CPUs, as other work does on
#        a shared machine.
# Does:  prints a mark, sleeps 2 s in the guest, prints another; the host
#        times the marks as they arrive.
# Expects: the boot banner names the TSC rate's source ("clock: TSC at N
#        kHz (SOURCE)"); the 2 s sleep takes 2 s +-20% of host wall time,
#        which only holds if the rate the guest found is right (a rate 3x
#        too high once made `sleep 5` take 15.9 s).
import os, re, subprocess, sys, time
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import ROOT, BOOT_TIMEOUT, fail, passed, petrel_args

BUSY = [sys.executable, "-c", "while True: pass"]

loads = [subprocess.Popen(BUSY) for _ in range(2)]
try:
	argv = petrel_args(test_image=True, extra=["--verbose"]) + \
		["--", "echo mark-a; sleep 2; echo mark-b"]
	print("$ " + " ".join(argv[1:]), flush=True)
	guest = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE,
				 stderr=subprocess.STDOUT,
				 stdin=subprocess.DEVNULL)
	marks, banner = {}, None
	deadline = time.monotonic() + BOOT_TIMEOUT + 30
	for raw in guest.stdout:
		line = raw.decode(errors="replace").rstrip()
		print(line, flush=True)
		if line in ("mark-a", "mark-b"):
			marks[line] = time.monotonic()
		if line.startswith("clock:"):
			banner = line
		if time.monotonic() > deadline:
			break
	guest.kill()
	guest.wait()
finally:
	for p in loads:
		p.kill()
		p.wait()

if not banner or not re.search(r"TSC at \d+ kHz \(([a-z].*)\)", banner):
	fail("no boot line naming the TSC rate's source: %r" % banner)
if len(marks) != 2:
	fail("the guest did not print both marks")
took = marks["mark-b"] - marks["mark-a"]
print("sleep 2 took %.2f s of host time" % took)
if not 1.6 <= took <= 2.4:
	fail("sleep 2 took %.2f s: the TSC rate is off (%s)" % (took, banner))
passed()
