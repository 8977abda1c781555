#!/usr/bin/env python3
# Boots: the aarch64 default image (make ARCH=aarch64: Petrel's init and
#        servers, static glibc, and Debian's busybox-static for arm64)
#        through `./petrel run --arch aarch64` on QEMU virt under TCG,
#        with 1 vCPU and with 2 vCPUs and 256 MiB.
# Does:  `uname -m` run directly by init; a shell pipeline, which waits
#        for its children on SIGCHLD (ash's handler returns through the
#        signal-return page: glibc gives no sa_restorer on aarch64); a
#        `trap` handler; BusyBox applets on /proc; an exit status.
#        Then interactive, on a pty: the console shell, `uname -m`, a
#        `sleep` stopped by Ctrl-C, `poweroff`.
# Expects: "aarch64" and status 0; the pipeline's and handler's lines; 2
#        CPUs and about 256 MiB; status 7 from `exit 7`; on the console
#        the shell's answers, and petrel's status 0 after the power-off.
# Skips without the cross tools (tests/system/aarch64lib.py).
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import (PETREL, Console, expect_lines, expect_status, fail, passed,
		 wait_for_shell)
from aarch64lib import boot_aarch64, need_aarch64_build

need_aarch64_build()

r = boot_aarch64(["uname", "-m"])
expect_status(r, 0)
expect_lines(r, ["aarch64"])

r = boot_aarch64("echo piped | cat; trap 'echo caught USR1' USR1; "
		 "kill -USR1 $$; echo after the handler; "
		 "grep -c sigpage /proc/self/maps; exit 7")
expect_status(r, 7)
expect_lines(r, ["piped", "caught USR1", "after the handler", "1"])

r = boot_aarch64("nproc; free -m | awk '/Mem:/ { print ($2 > 200 && "
		 "$2 <= 256) ? \"mem ok\" : \"mem \" $2 }'; "
		 "cat /proc/cpuinfo | grep -c processor",
		 smp=2, extra=["--mem", "256M"])
expect_status(r, 0)
expect_lines(r, ["2", "mem ok", "2"])

console = Console([PETREL, "run", "--arch", "aarch64", "--net", "none",
		   "--timeout", "120"])
try:
	wait_for_shell(console)
	mark = len(console.seen)
	console.send(b"uname -m\r")
	if not console.wait_for(b"aarch64", 20, mark):
		fail("no `uname -m` answer on the console")
	# The ^C only once the shell has the line (a loaded host runs the
	# guest slowly: a ^C typed first would end nothing but the prompt).
	mark = len(console.seen)
	console.send(b"echo sleep-$((5*5)); sleep 100\r")
	if not console.wait_for(b"sleep-25", 30, mark):
		fail("the shell did not start `sleep 100`")
	console.read(1)
	# The shell makes sleep the terminal's foreground group after it
	# forks it: a ^C that comes first goes to the shell, and sleep then
	# holds the line typed after it for 100 s. So ^C again if the answer
	# has not come (each ^C also flushes the typed-ahead line, as Linux's
	# does without NOFLSH, so the line is typed again).
	mark = len(console.seen)
	for attempt in range(3):
		console.send(b"\x03")
		console.read(1)
		console.send(b"echo back-$((1+1))\r")
		if console.wait_for(b"back-2", 20, mark):
			break
	else:
		fail("Ctrl-C did not end `sleep 100`")
	console.send(b"poweroff\r")
	status = console.wait_exit(60)
	if status != 0:
		fail("petrel's status after poweroff: %r" % status)
finally:
	console.kill()
passed()
