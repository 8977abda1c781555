#!/usr/bin/env python3
# Boots: the test image on microvm, QEMU user networking: one vCPU for the
#        count, then 2 and 4 vCPUs for the checks.
# Does:  runs /test/bin/sockpost (progs/sockpost.c) over 127.0.0.1: 400
#        rounds of a 64-byte write and its read by a reader waiting in
#        epoll_wait, between reads of /proc/petrel/bkl, again with
#        another file signalling (an O_ASYNC pipe, as nginx's), and 2,000
#        epoll_wait and epoll_pwait calls that find the socket ready; then four
#        children's 256 KiB streams, each read after a different wait (an
#        edge-triggered epoll item, an epoll instance inside another,
#        poll, a blocking read), and an epoll item added after the post.
# Expects: fewer than 0.5 big-lock takes a round (netd's post, its wake
#        of epoll, epoll_wait and netd's sleep run without it: 0.02 to
#        0.06; 3.0 to 3.2 with the post locked), with the O_ASYNC pipe
#        too (1.07 before session 19: every post went locked), the
#        ready waits fewer than once in five (without it: each), every
#        byte once and in order, no wait past 10 s (no wake-up lost),
#        the late item reported at once; exit 0 each time.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

result = boot(["/test/bin/sockpost", "count"], smp=1, test_image=True)
expect_status(result, 0)
expect_lines(result, ["sockpost: ok count", "sockpost: ok count async",
		      "sockpost: ok ready"])
for smp in (2, 4):
	result = boot(["/test/bin/sockpost"], smp=smp, test_image=True)
	expect_status(result, 0)
	expect_lines(result, ["sockpost: ok waiters", "sockpost: ok late"])
passed()
