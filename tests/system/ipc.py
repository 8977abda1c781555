#!/usr/bin/env python3
# Boots: the test image on microvm, with 1 and then 2 vCPUs.
# Does:  runs /test/bin/ipc (progs/ipc.c): handles and rights, channel
#        call/reply with caller buffers the server reads and writes (4 MiB
#        with a checksum), a server dying mid-call, a call withdrawn by a
#        signal (EINTR; the late reply finds no caller), the short calls
#        (message and reply in registers: with each other and with the
#        block forms, bad handles and sizes, a server dying, a signal in a
#        call and in a receive, EPIPE), calls to a server
#        pinned to the other CPU (2 vCPUs), notifications and pt_wait,
#        shared memory objects, handles across fork and execve.
# Expects: every check prints "ok"; exit status 0.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

for smp in (1, 2):
	result = boot(["/test/bin/ipc"], smp=smp, test_image=True)
	expect_status(result, 0)
	cross = ["ipc: ok calls to a server pinned to another CPU",
		 "ipc: ok the pinned server ends with EPIPE",
		 "ipc: ok short calls to a server pinned to another CPU",
		 "ipc: ok the pinned short server ends with EPIPE"] if smp == 2 else []
	expect_lines(result, [
		"ipc: ok call: server read and wrote our buffers",
		"ipc: ok 4 MiB read by the server, checksum",
		"ipc: ok server died mid-call: ECONNRESET",
		"ipc: ok closing the client ends the server's receive: EPIPE",
		"ipc: ok a signal withdraws a waiting call: EINTR",
		"ipc: ok the next call is answered",
		"ipc: ok short call: status and reply in registers",
		"ipc: ok short call: 16 bytes each way",
		"ipc: ok short receive: the caller's pid, uid, gid",
		"ipc: ok short call of 17 bytes: EMSGSIZE, m kept",
		"ipc: ok block call, short receive: cut to 16",
		"ipc: ok short receive: a segment counted",
		"ipc: ok short call on no handle: EBADF",
		"ipc: ok short call without WRITE: EPERM",
		"ipc: ok a signal withdraws a short call: EINTR",
		"ipc: ok the next short call is answered",
		"ipc: ok short call, block receive",
		"ipc: ok server died mid short call: ECONNRESET",
		"ipc: ok short reply to no call: ENOENT",
		"ipc: ok a signal ends a waiting short receive: EINTR",
		"ipc: ok short receive with no client: EPIPE",
	] + cross + [
		"ipc: ok wait on two: the channel is readable",
		"ipc: ok memory object shared across processes",
		"ipc: ok execve keeps only kept handles",
		"ipc: all passed",
	])
passed()
