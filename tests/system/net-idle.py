#!/usr/bin/env python3
# Boots: the test image on microvm with a NIC on QEMU user networking
#        (netd and httpd running, DHCP and IPv6 autoconfiguration).
# Does:  waits 20 s for the boot's network traffic to end and netd's
#        timers to go quiet, then /test/bin/idlecount 10 (reads
#        /proc/interrupts, sleeps 10 s, reads it again, with no fork or
#        exec of its own in between), then fetches httpd's page over the
#        loopback.
# Expects: fewer than 10 timer interrupts over the 10 s (lwIP's timers
#        woke netd about 10 times a second before servers/netd/ticks.c),
#        and the page: the quiet timers still serve.
import os, re, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, fail, passed

result = boot("sleep 20; /test/bin/idlecount 10;"
	      " wget -q -O - http://127.0.0.1/ | grep -c '<title>Petrel</title>'",
	      test_image=True, extra=["--net", "user"])
expect_status(result, 0)
counts = [int(m.group(1)) for m in
	  (re.match(r"\s*LOC:\s+(\d+)", l) for l in result.lines) if m]
if len(counts) != 2:
	fail("expected two LOC lines from /proc/interrupts")
ticks = counts[1] - counts[0]
if ticks >= 10:
	fail("%d timer interrupts over 10 idle s with netd: more than one a "
	     "second" % ticks)
expect_lines(result, ["1"])
passed("%d timer interrupts over 10 s with netd and httpd" % ticks)
