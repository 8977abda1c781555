#!/usr/bin/env python3
# Boots: the default image on microvm with 2 vCPUs.
# Does:  reads /proc/uptime and /proc/petrel/bkl (the big lock's counters,
#        docs/kernel.md) before and after two dd processes that make
#        20,000 system calls each at the same time.
# Expects: the header and a line for cpu0 and cpu1; no counter goes
#        backwards; a CPU's contended acquisitions are at most its
#        acquisitions; together the CPUs took the lock at least once per
#        system call of dd's; and, as only one CPU holds the lock at a time,
#        the hold times of both CPUs added up do not exceed the time that
#        passed (uptime's hundredths, with one hundredth to spare).
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_status, fail, passed

HEADER = "cpu acquired contended wait_ns hold_ns"
CPUS = ["cpu0", "cpu1"]
CALLS = 2 * 2 * 10000	# two dd: a read and a write per block
read = "cat /proc/uptime /proc/petrel/bkl; echo --"
dd = "dd if=/dev/zero of=/dev/null bs=1 count=10000 2>/dev/null"
result = boot("%s; %s & %s & wait; %s" % (read, dd, dd, read), smp=2)
expect_status(result, 0)

samples, current = [], None
for line in result.lines:
	words = line.split()
	if len(words) == 2 and current is None:
		current = {"uptime": float(words[0])}
	elif line.strip() == HEADER and current is not None:
		current["header"] = True
	elif words and words[0] in CPUS and current is not None:
		current[words[0]] = [int(w) for w in words[1:]]
	elif line.strip() == "--" and current is not None:
		samples.append(current)
		current = None
if len(samples) != 2 or any(not s.get("header") or
			    any(c not in s for c in CPUS) for s in samples):
	fail("expected 2 samples with the header and %s, got %r" %
	     (CPUS, samples))

before, after = samples
for c in CPUS:
	if any(n < o for o, n in zip(before[c], after[c])):
		fail("%s went backwards: %r then %r" % (c, before[c], after[c]))
	if after[c][1] > after[c][0]:
		fail("%s: more contended acquisitions than acquisitions: %r" %
		     (c, after[c]))
taken = sum(after[c][0] - before[c][0] for c in CPUS)
if taken < CALLS:
	fail("the lock was taken %d times over %d system calls" % (taken, CALLS))
held = sum(after[c][3] - before[c][3] for c in CPUS) / 1e9
passed_s = after["uptime"] - before["uptime"] + 0.01
if held > passed_s:
	fail("the CPUs held the lock %.3f s together in %.2f s" %
	     (held, passed_s))
print("taken %d times, held %.3f s of %.2f s, contended %d, waited %.3f s" %
      (taken, held, passed_s, sum(after[c][1] - before[c][1] for c in CPUS),
       sum(after[c][2] - before[c][2] for c in CPUS) / 1e9))
passed()
