#!/usr/bin/env python3
# Boots: the test image on microvm with 2 vCPUs (the race needs the
#        accepting process, the connecting one and netd on different
#        CPUs), QEMU user networking.
# Does:  runs /test/bin/acceptedge (progs/acceptedge.c): a server in
#        nginx's shape (two workers on one listener, EPOLLEXCLUSIVE,
#        accepted sockets added to epoll with EPOLLET) and a client that
#        connects over 127.0.0.1 and sends at once, 1000 times, each
#        answer awaited for a second.
# Expects: every answer comes. (Two races lost requests, and nginx under
#        --smp 2 waited 60 s for them, then closed or reset the
#        connection: the kernel made an accepted socket's file only after
#        netd's answer reached the caller and dropped what netd posted
#        meanwhile; and a socket being closed stayed in the kernel's table
#        until netd answered the close, so the first bytes of a connection
#        the other worker accepted under the same id went to it.)
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

result = boot(["/test/bin/acceptedge", "1000"], smp=2, test_image=True)
expect_status(result, 0)
expect_lines(result, ["acceptedge: 1000 connections, none lost"])
passed()
