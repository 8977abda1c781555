#!/usr/bin/env python3
# Boots: the test image on microvm, with 1 and then 2 vCPUs, no NIC.
# Does:  runs /test/bin/sockmock (progs/sockmock.c) with --serve inet: it
#        serves the kernel's AF_INET sockets as a mock server (connect and
#        data become ready 50 ms later) to a child using plain socket calls.
# Expects: blocking connect/recv wait for the readiness the server posts;
#        poll and MSG_DONTWAIT see it; killing the server fails the socket
#        with ECONNRESET and later socket() with EAFNOSUPPORT; exit 0.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

for smp in (1, 2):
	result = boot(["/test/bin/sockmock"], smp=smp, test_image=True,
		      extra=["--net", "none", "--serve", "inet"])
	expect_status(result, 0)
	expect_lines(result, [
		"sockmock: ok blocking connect waits for the server's readiness (0)",
		"sockmock: ok poll wakes when data is posted (1)",
		"sockmock: ok blocking recv waits (5)",
		"sockmock: ok server killed: ECONNRESET (104)",
		"sockmock: ok no server: socket fails (97)",
	])
passed()
