#!/usr/bin/env python3
# Boots: the default image with the host's Debian strace added by
#        `./petrel run --pack` (skipped where the host has none).
# Does:  strace -f /bin/sh -c '/bin/true & wait; echo done': a traced
#        shell that forks a child (TRACEFORK's events, the seized new
#        child's first stop), which execs (PTRACE_EVENT_EXEC) and exits; syscall
#        stops with TRACESYSGOOD; the child's exit told to strace, which
#        is not its parent.
#        Then strace -f of a shell that stops and continues its child
#        (strace seizes it and PTRACE_LISTENs in its group stop).
# Expects: the child's execve, the shell's write of "done" and both exits
#        in the trace, strace exiting 0 with no complaint about wait4;
#        then the stop and SIGCONT traced and the shell's "end".
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import (boot, expect_in, expect_lines, expect_status, fail,
		 passed, skip)

STRACE = "/usr/bin/strace"

if not os.path.isfile(STRACE):
	skip("no %s on this host" % STRACE)
result = boot([STRACE, "-f", "/bin/sh", "-c", "/bin/true & wait; echo done"],
	      extra=["--pack", STRACE])
expect_status(result, 0)
expect_in(result, 'execve("/bin/true", ["/bin/true"]')
expect_in(result, 'write(1, "done\\n", 5')
exits = [l for l in result.lines if l.endswith("+++ exited with 0 +++")]
if len(exits) != 2:
	fail("expected two '+++ exited with 0 +++' lines, got %d" % len(exits))
if "strace: wait4" in result.output:
	fail("strace's wait4 found no child")

# A traced child stopped and continued: strace seizes, and LISTENs in the
# group stop until SIGCONT ends it (a second later: the stop is reached).
result = boot([STRACE, "-f", "-e", "trace=kill", "/bin/sh", "-c",
	       "sleep 2 & p=$!; kill -STOP $p; sleep 1; kill -CONT $p; wait; "
	       "echo end"], extra=["--pack", STRACE])
expect_status(result, 0)
expect_in(result, "--- stopped by SIGSTOP ---")
expect_in(result, "--- SIGCONT {si_signo=SIGCONT")
expect_lines(result, ["end"])
if "PTRACE_LISTEN" in result.output:
	fail("strace's PTRACE_LISTEN failed")

# The SIGCONT at once, often while strace still holds the SIGSTOP in its
# signal-delivery stop: the SIGCONT cancels the stop signal taken before
# it (Linux's JOBCTL_STOP_DEQUEUED), so the child is not left stopped.
result = boot([STRACE, "-f", "-e", "trace=kill", "/bin/sh", "-c",
	       "sleep 1 & p=$!; kill -STOP $p; kill -CONT $p; wait; echo end"],
	      extra=["--pack", STRACE])
expect_status(result, 0)
expect_in(result, "--- SIGCONT {si_signo=SIGCONT")
expect_lines(result, ["end"])
passed()
