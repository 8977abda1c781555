#!/usr/bin/env python3
# Boots: the test image on pc (virtio-pci), 1 vCPU, the one-shot command
#        given the virtio-net device (--device), no network server.
# Does:  runs /test/bin/devmap (progs/devmap.c): maps a page of the
#        device's memory BAR, mprotects it read-only and back to
#        read-write, reading it between, then unmaps it.
# Expects: /proc/self/pagemap shows a device's page (present, no other
#        bit) after each mprotect, as before it (mprotect once rewrote the
#        entry as ordinary cached RAM, which munmap would then have freed
#        to the page allocator); every check prints "ok"; exit status 0.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

result = boot(["/test/bin/devmap"], test_image=True, machine="pc",
	      extra=["--device", "virtio-net"])
expect_status(result, 0)
expect_lines(result, [
	"devmap: ok mapped as device memory",
	"devmap: ok still device memory after mprotect",
	"devmap: ok and after mprotect back to read-write",
	"devmap: ok munmap",
	"devmap: all passed",
])
passed()
