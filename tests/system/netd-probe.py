#!/usr/bin/env python3
# Boots: the default image on microvm (virtio-mmio), pc and q35 (virtio-pci
#        with MSI-X), each with QEMU user networking.
# Does:  gives the one-shot command the virtio-net device (--device) and runs
#        `netd --probe 10.0.2.2`: netd drives the device from user space
#        through its device handle and asks for the gateway's MAC with ARP.
# Expects: QEMU's gateway answers, through an interrupt; exit status 0. A
#        process without the device gets none: netd alone fails cleanly.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

for machine in ("microvm", "pc", "q35"):
	result = boot(["/sbin/netd", "--probe", "10.0.2.2"], machine=machine,
		      extra=["--device", "virtio-net"])
	expect_status(result, 0)
	expect_lines(result, [
		"netd: 10.0.2.2 is at 52:55:0a:00:02:02 (interrupt)",
	])

result = boot(["/sbin/netd", "--probe", "10.0.2.2"])
expect_status(result, 1)
passed()
