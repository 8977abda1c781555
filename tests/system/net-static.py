#!/usr/bin/env python3
# Boots: the default image on microvm with user networking, with
#        netd.address=10.0.2.16/24,10.0.2.2 on the kernel command line.
# Does:  waits for netd's status and pings QEMU's gateway. A second boot
#        without the word writes /etc/netd.conf with another address, kills
#        netd and waits for the netd init starts again to report it.
# Expects: the static addresses in /run/netd.status, the pings answered,
#        /proc/cmdline showing the word.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_in, expect_status, passed

WAIT = "until test -e /run/netd.status; do sleep 0.2; done; "

result = boot([WAIT + "cat /run/netd.status; cat /proc/cmdline; "
	       "ping -c 1 -W 5 10.0.2.2 >/dev/null && echo ping-ok"],
	      extra=["--append", "netd.address=10.0.2.16/24,10.0.2.2"])
expect_status(result, 0)
expect_in(result, "10.0.2.16/24 gateway 10.0.2.2 static")
expect_in(result, "netd.address=10.0.2.16/24,10.0.2.2")
expect_in(result, "ping-ok")

# /etc/netd.conf is read when netd starts; a restarted netd picks it up.
result = boot([WAIT + "echo 'address 10.0.2.17/24,10.0.2.2' > /etc/netd.conf; "
	       "rm /run/netd.status; kill $(pidof netd); " + WAIT +
	       "cat /run/netd.status; "
	       "ping -c 1 -W 5 10.0.2.2 >/dev/null && echo ping-ok"])
expect_status(result, 0)
expect_in(result, "10.0.2.17/24 gateway 10.0.2.2 static")
expect_in(result, "ping-ok")
passed()
