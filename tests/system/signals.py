#!/usr/bin/env python3
# Boots: the test image on microvm, no network, with an empty 64M ext2
#        disk that fsd serves on /data.
# Does:  runs /test/bin/sigprobe /data (progs/sigprobe.c): root sends
#        SIGKILL, SIGSTOP and default-action signals to init; uid 65534
#        tries kill, tkill, tgkill and rt_sigqueueinfo on init and
#        kill(-1, SIGKILL); a child blocked in pt_channel_call on a server
#        that never answers is SIGKILLed (queued, then received), and the
#        server's late read and reply are tried; fsd is SIGSTOPped, a
#        child's mkdir on /data blocks in the kernel's own file call, the
#        child is SIGKILLed, fsd is continued.
# Expects: every check prints "ok" (init lives on and is not stopped;
#        every call of 65534's is EPERM; each caller dies of SIGKILL; the
#        late read and reply are ENOENT; fsd serves on); exit status 0.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import expect_lines, expect_status, passed
from fsdlib import boot_disk, mkfs, need_e2fsprogs, scratch

need_e2fsprogs()
with scratch("signals") as tmp:
	image = os.path.join(tmp, "disk.img")
	mkfs(image)
	result = boot_disk(["/test/bin/sigprobe", "/data"], image,
			   test_image=True)
expect_status(result, 0)
expect_lines(result, [
	"sigprobe: ok init is alive and not stopped after SIGKILL/SIGSTOP/SIGHUP",
	"sigprobe: ok uid 65534 cannot signal init; kill(-1) spares root",
	"sigprobe: ok a queued caller dies of SIGKILL",
	"sigprobe: ok its call is withdrawn",
	"sigprobe: ok a received caller dies of SIGKILL",
	"sigprobe: ok replying to it: ENOENT",
	"sigprobe: ok a caller of a stopped fsd dies of SIGKILL",
	"sigprobe: ok fsd serves on",
	"sigprobe: all passed",
])
passed()
