#!/usr/bin/env python3
# Boots: the test image on microvm with one vCPU, QEMU user networking.
# Does:  runs /test/bin/vecnolock (progs/vecnolock.c): readv and writev
#        of 3 pieces on a pipe, readv of a tmpfs file, a header and a
#        body sent to a loopback TCP socket by writev, sendmsg and sendto
#        (no address) and read back by readv and recvmsg, between reads
#        of /proc/petrel/bkl; a writev past a non-blocking pipe's
#        room, a readv of more than the pipe holds, bad pieces (EFAULT),
#        the locked path's errors, a writev with no reader (SIGPIPE).
# Expects: each kind of call took the big lock fewer than once in ten,
#        the bytes, counts and offsets right, EAGAIN for the writev past
#        the room (atomic up to PIPE_BUF), EFAULT with the bytes kept, 0,
#        EINVAL, EBADF, EPIPE with one SIGPIPE (none for a socket send
#        with MSG_NOSIGNAL); exit 0.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

result = boot(["/test/bin/vecnolock"], smp=1, test_image=True)
expect_status(result, 0)
expect_lines(result, [
	"vecnolock: ok pipe",
	"vecnolock: ok atomic",
	"vecnolock: ok short",
	"vecnolock: ok efault",
	"vecnolock: ok errors",
	"vecnolock: ok sigpipe",
	"vecnolock: ok file",
	"vecnolock: ok sock",
])
passed()
