#!/usr/bin/env python3
# Boots: the test image on microvm with 2 vCPUs and no network device.
# Does:  sleeps 1 s, then /test/bin/idlecount 4: reads /proc/interrupts,
#        sleeps 4 s in one nanosleep, reads it again (no fork or exec in
#        between: a busy CPU takes a timer interrupt every 2 ms for the
#        user/system time split, so a shell's "cat; sleep 4; cat" counted
#        the host's speed too, 8 to 14 on a loaded host).
# Expects: Linux's layout (a CPU0 CPU1 header, a LOC line with a count per
#        CPU), counts that never go backwards, and a guest that sleeps
#        between timers: over the 4 s, fewer than 8 timer interrupts on
#        both CPUs together (no periodic tick; 3 or 4 seen). The sleep's
#        own timer is one or two (under TCG the APIC timer, its rate taken
#        low, fires early once and is re-armed); the CPU that ran the
#        program may take one more for the sample armed while it ran, and
#        the program's second read one if it takes over 2 ms. Issue 13
#        §4: an idle guest costs the host nothing.
import os, re, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_status, fail, passed

# The first second is the boot's: the TSC rate's refinement windows end
# in it, each a kernel timer.
result = boot("sleep 1; /test/bin/idlecount 4", test_image=True, smp=2,
	      extra=["--net", "none"])
expect_status(result, 0)
headers = [l for l in result.lines if l.split() == ["CPU0", "CPU1"]]
locs = [l for l in result.lines if l.lstrip().startswith("LOC:")]
if len(headers) != 2 or len(locs) != 2:
	fail("expected two CPU0 CPU1 headers and two LOC lines")
counts = []
for line in locs:
	m = re.match(r"\s*LOC:\s+(\d+)\s+(\d+)\s+Local timer interrupts$", line)
	if not m:
		fail("LOC line not as Linux writes it: %r" % line)
	counts.append([int(m.group(1)), int(m.group(2))])
if any(b < a for a, b in zip(counts[0], counts[1])):
	fail("timer counts went backwards: %r" % counts)
ticks = sum(counts[1]) - sum(counts[0])
if ticks >= 8:
	fail("%d timer interrupts over an idle 4 s: a periodic tick?" % ticks)
passed("%d timer interrupts over 4 s" % ticks)
