#!/usr/bin/env python3
# Boots: the test image on microvm, QEMU user networking (netd running).
# Does:  runs /test/bin/connturns 1000 2 churn (progs/connturns.c): 1,000
#        connections over 127.0.0.1 taking turns, a byte each way per
#        turn, then every third pair closed (a reset, the server first
#        into TIME-WAIT, the client first) with a new pair opened in its
#        place, and the turns again; then SIGUSR1 to netd and its dump's
#        pcb index line from /var/log/netd.log.
# Expects: every exchange answered (connturns: ok); netd's index of pcbs
#        by four-tuple (servers/netd/lwip/pcb_index.c) found the segments'
#        pcbs: at least one hit per request, and the walks it needed to
#        find stale predecessors passed fewer pcbs than one walk per
#        request would (lwIP alone passes about half the 2,000 active
#        pcbs for each segment).
import os, re, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, fail, passed

N, ROUNDS = 1000, 2
result = boot("/test/bin/connturns %d %d churn && kill -USR1 $(pidof netd)"
	      " && sleep 1 && grep 'pcb index' /var/log/netd.log"
	      % (N, ROUNDS), test_image=True)
expect_status(result, 0)
expect_lines(result, ["connturns: ok"])
m = None
for line in result.lines:
	m = re.search(r"pcb index: (\d+) pcbs, (\d+) near the front, (\d+) hits"
		      r" \((\d+) moved to the front\), (\d+) misses, (\d+) walks"
		      r" of (\d+) pcbs", line) or m
if m is None:
	fail("no pcb index line in netd's dump")
near, hits, moved, misses, walks, steps = (int(m.group(i)) for i in range(2, 8))
# Each of the (ROUNDS + 1) * 2 rounds makes N requests, each a segment.
requests = (ROUNDS + 1) * 2 * N
if hits < requests:
	fail("%d index hits for %d requests" % (hits, requests))
if steps > requests:
	fail("the index's walks passed %d pcbs for %d requests" %
	     (steps, requests))
passed("%d hits (%d moved), %d near, %d misses, %d walks of %d pcbs"
       % (hits, moved, near, misses, walks, steps))
