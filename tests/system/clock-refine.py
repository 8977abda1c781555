#!/usr/bin/env python3
# Boots: the test image on microvm under -icount shift=0,sleep=off (every
#        clock virtual: the TSC runs at exactly 1 GHz and the boot is the
#        same every time), with boottrace, on 1 and then 2 vCPUs.
# Does:  runs /test/bin/clocksteps for 200 ms (a thread per vCPU reading
#        CLOCK_MONOTONIC by the vDSO and the system call; it looks for the
#        refined rate's line in the kernel log before and after), then
#        shows dmesg's clock lines.
# Expects: the boot's clock line says the PIT's rate is provisional and
#        the boot did not wait for it (the timer phase under 20,000
#        instructions: a 2 ms PIT window held init up by 1.68 M); no
#        refined line as clocksteps starts and one as it ends (the rebase
#        came while it read: 25 + 50 ms of windows); both rates within
#        their bounds of 1,000,000 kHz, the refined one within 50 ppm;
#        the clock never went back, on either vCPU (issue 13 §3).
import os, re, sys, tempfile
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_status, fail, passed

PROVISIONAL = re.compile(r"clock: TSC at (\d+) kHz \(pit, \d+ us window, "
			 r"\+-(\d+) ppm; provisional\)")
REFINED = re.compile(r"clock: TSC at (\d+) kHz \(pit, refined: \d+ windows, "
		     r"\d+ ms, \+-(\d+) ppm; provisional -?\d+ ppm off\)")
BOOTTRACE = re.compile(r"boottrace \(TSC cycles\):.* timer (\d+) ")
SCRIPT = "/test/bin/clocksteps 200 %d; dmesg | grep '^clock:'"


def within(line, pattern, most_ppm):
	m = pattern.search(line)
	khz, bound = int(m.group(1)), int(m.group(2))
	off = abs(khz - 1000000)	# of 1 GHz, a kHz is a ppm
	if off > bound or bound > most_ppm:
		fail("%r: %d kHz is %d ppm from 1 GHz, bound %d (at most %d)"
		     % (line, khz, off, bound, most_ppm))


def check(smp):
	result = boot(["sh", "-c", SCRIPT % smp], test_image=True, smp=smp,
		      extra=["--append", "boottrace"])
	expect_status(result, 0)
	out = result.output
	if "clocksteps: %d threads" % smp not in out or " 0 backward" not in out:
		fail("CLOCK_MONOTONIC went back (or clocksteps did not run)")
	if "refined 0 -> 1" not in out:
		fail("the rate was not refined while clocksteps read the clock")
	prov = [l for l in result.lines if PROVISIONAL.search(l)]
	refined = [l for l in result.lines if REFINED.search(l)]
	trace = BOOTTRACE.search(out)
	if not prov or len(refined) != 1 or not trace:
		fail("expected the provisional and one refined clock line, and "
		     "the boottrace line")
	within(prov[0], PROVISIONAL, 2000)
	within(refined[0], REFINED, 50)
	if int(trace.group(1)) >= 20000:
		fail("the timer phase took %s instructions: the boot waited for "
		     "the calibration" % trace.group(1))


with tempfile.TemporaryDirectory() as tmp:
	wrapper = os.path.join(tmp, "qemu-icount")
	with open(wrapper, "w") as f:
		f.write("#!/bin/sh\nexec %s -icount shift=0,sleep=off \"$@\"\n"
			% os.environ.get("PETREL_QEMU", "qemu-system-x86_64"))
	os.chmod(wrapper, 0o755)
	os.environ["PETREL_QEMU"] = wrapper	# ./petrel run's QEMU
	for smp in (1, 2):
		check(smp)
passed()
