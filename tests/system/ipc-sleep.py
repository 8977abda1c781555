#!/usr/bin/env python3
# Boots: the test image on microvm with 2 vCPUs for the count, then 2 and
#        4 vCPUs for the races (also in the assert pass:
#        build/assert/kernel.elf).
# Does:  runs /test/bin/ipcsleep (progs/ipcsleep.c): "count": 300
#        pt_waits for ever on the last CPU, each woken by a child on CPU 0
#        once it sees the waiter asleep, and the child's 300 waits for the
#        answer, between two reads of /proc/petrel/bklcalls; then waits for 1-4 ms
#        that nothing ends, waits a child's SIGUSR1 ends (for ever and
#        with a deadline), a wait a child's close of the client end ends,
#        and 3,000 bits raised on CPU 0 against 0-2 ms deadlines.
# Expects: "ipcsleep: ok": fewer than 60 of the 600 sleeping waits
#        locked (before the sleep without the big lock: each one), no deadline ends early, EINTR
#        with the handler run, PEER_CLOSED, every bit taken once.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

result = boot(["/test/bin/ipcsleep", "count"], smp=2, test_image=True)
expect_status(result, 0)
expect_lines(result, [
	"ipcsleep: ok 300 sleeping waits woken from CPU 0",
	"ipcsleep: ok 600 sleeping waits: under 60 locked",
])
for smp in (2, 4):
	result = boot(["/test/bin/ipcsleep", "races"], smp=smp, test_image=True)
	expect_status(result, 0)
	expect_lines(result, [
		"ipcsleep: ok 20 waits for 1-4 ms that nothing ends: 0",
		"ipcsleep: ok none ended before its deadline",
		"ipcsleep: ok a signal ends a wait for ever: EINTR",
		"ipcsleep: ok a signal ends a wait with a deadline: EINTR",
		"ipcsleep: ok the client closed on CPU 0 during the sleep: PEER_CLOSED",
		"ipcsleep: ok 3000 bits raised against deadlines, each taken once",
		"ipcsleep: ok",
	])
passed()
