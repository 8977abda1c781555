#!/usr/bin/env python3
# Boots: the aarch64 default image through `./petrel run --arch aarch64
#        --smp 2 --fwd PORT:80` (QEMU virt, TCG, user networking): netd
#        drives the virtio-net device on a virtio-mmio transport (version
#        2) the kernel found in the device tree; httpd serves port 80.
# Does:  the guest sleeps while the host fetches httpd's page through the
#        forwarded port; the guest also fetches it itself with BusyBox
#        wget over the loopback, and shows the interface's address.
# Expects: the host gets user/httpd/index.html byte for byte; in the
#        guest, eth0 has QEMU's 10.0.2.15 and wget's copy matches.
# Skips without the cross tools (tests/system/aarch64lib.py).
import os, subprocess, sys, time
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import ROOT, expect_lines, expect_status, fail, fetch_page, \
	free_port, passed, petrel_args
from aarch64lib import boot_aarch64, need_aarch64_build

need_aarch64_build()
with open(os.path.join(ROOT, "user", "httpd", "index.html"), "rb") as f:
	PAGE = f.read()
WAIT_NET = ("for i in $(seq 300); do [ -s /run/netd.status ] && break; "
	    "sleep 0.1; done; ")


# 1. The host fetches the page while the guest sleeps.
port = free_port()
argv = petrel_args(arch="aarch64", smp=2, timeout=90,
		   extra=["--fwd", "%d:80" % port]) + ["--", "sleep", "80"]
print("$ " + " ".join(argv[1:]), flush=True)
guest = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.DEVNULL,
			 stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
try:
	body = fetch_page(port, time.monotonic() + 80)
finally:
	guest.terminate()
	out = guest.communicate(timeout=30)[0].decode(errors="replace")
print(out)
if body is None:
	fail("no page from the guest's httpd through --fwd %d:80" % port)
if body != PAGE:
	fail("the page differs from user/httpd/index.html (%d bytes, "
	     "expected %d)" % (len(body), len(PAGE)))
print("host: got httpd's page, %d bytes" % len(body))

# 2. The guest's own view.
r = boot_aarch64(WAIT_NET + "ip -4 addr show eth0 | grep -o 'inet [0-9.]*'; "
		 "wget -q -O /tmp/page http://127.0.0.1/ && "
		 "cmp /tmp/page /srv/www/index.html && echo same page")
expect_status(r, 0)
expect_lines(r, ["inet 10.0.2.15", "same page"])
passed()
