#!/usr/bin/env python3
# Boots: the default image on microvm (TCG, 1 vCPU).
# Does:  BusyBox zcat reads /proc/config.gz (as LTP's tst_kconfig does),
#        md5sum of the text, its permissions, and two of its lines.
# Expects: the text is kernel/linux/linux.config byte for byte (the same
#        MD5 as on the host), the file is r--r--r--, CONFIG_EVENTFD=y and
#        "# CONFIG_PID_NS is not set" are there; zcat exits 0 (a whole,
#        well-formed gzip stream).
import hashlib, os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

root = os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "..")
with open(os.path.join(root, "kernel", "linux", "linux.config"), "rb") as f:
	md5 = hashlib.md5(f.read()).hexdigest()

script = "; ".join([
	"zcat /proc/config.gz > /tmp/c || exit 1",
	"echo md5=$(md5sum < /tmp/c | cut -d' ' -f1)",
	"echo mode=$(stat -c %A /proc/config.gz)",
	"grep -x CONFIG_EVENTFD=y /tmp/c",
	"grep -x '# CONFIG_PID_NS is not set' /tmp/c",
])
result = boot(script)
expect_status(result, 0)
expect_lines(result, [
	"md5=" + md5,
	"mode=-r--r--r--",
	"CONFIG_EVENTFD=y",
	"# CONFIG_PID_NS is not set",
])
passed()
