#!/usr/bin/env python3
# Boots: the test image on microvm with 2 vCPUs.
# Does:  reads the cpu lines of /proc/stat three times, a second apart, in
#        a guest that does nothing else (the shell waits in sleep).
# Expects: lines cpu, cpu0 and cpu1 each time; no counter ever goes
#        backwards; over each second, each CPU and the total are mostly
#        idle (at least 60%), as an idle CPU's current idle stretch counts
#        as idle, not busy.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_status, fail, passed

NAMES = ["cpu", "cpu0", "cpu1"]
read = "grep '^cpu' /proc/stat; echo --"
result = boot("%s; sleep 1; %s; sleep 1; %s" % (read, read, read),
	      smp=2, test_image=True)
expect_status(result, 0)

samples, current = [], {}
for line in result.lines:
	words = line.split()
	if words and words[0] in NAMES:
		current[words[0]] = [int(w) for w in words[1:]]
	elif line.strip() == "--":
		samples.append(current)
		current = {}
if len(samples) != 3 or any(sorted(s) != NAMES for s in samples):
	fail("expected 3 samples of %s, got %r" % (NAMES, samples))

for before, after in zip(samples, samples[1:]):
	for name in NAMES:
		old, new = before[name], after[name]
		if any(n < o for o, n in zip(old, new)):
			fail("%s went backwards: %r then %r" % (name, old, new))
		busy = sum(new[i] - old[i] for i in (0, 1, 2))
		idle = new[3] - old[3]
		if idle < 0.6 * (busy + idle):
			fail("%s not mostly idle over a second of sleep: "
			     "busy %d, idle %d ticks" % (name, busy, idle))
passed()
