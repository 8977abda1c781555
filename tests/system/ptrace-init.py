#!/usr/bin/env python3
# Boots: the test image on microvm, once.
# Does:  runs /test/bin/ptraceinit (progs/ptraceinit.c) as root: attaches
#        to PID 1, waits for its stop, sends it SIGKILL with kill(2) and
#        PTRACE_KILL, resumes it with SIGHUP (whose default would end it),
#        then runs a second command in the same shell.
# Expects: every call succeeds, init stays alive and the system with it
#        (a traced init takes every signal but SIGKILL, and no default
#        action but SIGSTOP's, as Linux's SIGNAL_UNKILLABLE): no panic,
#        exit status 0.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

result = boot("/test/bin/ptraceinit && echo still-running", test_image=True)
expect_status(result, 0)
expect_lines(result, ["attach: ok", "wait: ok", "stopped by 19", "kill: ok",
		      "PTRACE_KILL: ok", "still traced: ok", "detach: ok",
		      "init alive", "still-running"])
passed()
