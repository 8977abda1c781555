#!/usr/bin/env python3
# Boots: the default image on microvm with --net none (no network device).
# Does:  runs `sleep 3; echo done`, long enough for init to have restarted
#        a failing service several times.
# Expects: exit status 0, the line "done", and no line about httpd: netd
#        has no device so it is not started, and httpd (needs=netd in the
#        services file) is skipped silently instead of exiting, being
#        restarted and given up.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, fail, passed

result = boot("sleep 3; echo done", extra=["--net", "none"])
expect_status(result, 0)
expect_lines(result, ["done"])
if "httpd" in result.output:
	fail("--net none: httpd was started (see its lines above)")
passed()
