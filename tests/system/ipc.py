#!/usr/bin/env python3
# Boots: the test image on microvm, with 1 and then 2 vCPUs.
# Does:  runs /test/bin/ipc (progs/ipc.c): handles and rights, channel
#        call/reply with caller buffers the server reads and writes (4 MiB
#        with a checksum), a server dying mid-call, a call withdrawn by a
#        signal (EINTR; the late reply finds no caller), the short calls
#        (message and reply in registers: with each other and with the
#        block forms, bad handles and sizes, a server dying, a signal in a
#        call and in a receive, its handler run before EINTR comes back,
#        EPIPE, 1000 round trips taking the big lock under 200 times: the
#        short calls run without it; 1000 more taking the fast path each
#        way at least 900 times, by /proc/petrel/ipc, a block call to the
#        short server none; a signal for a server asleep in the receive its
#        fast reply began: EINTR there, the next call answered; a client
#        killed in a fast call: the next call answered; a client or a
#        server with two threads: answered the ordinary way), calls to a
#        server pinned to the other CPU
#        (2 vCPUs; the short ones never take the fast path), notifications and pt_wait,
#        shared memory objects, handles across fork and execve.
# Expects: every check prints "ok"; exit status 0.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, passed
from shared import check_ipc

for smp in (1, 2):
	check_ipc(boot, smp)
passed()
