#!/usr/bin/env python3
# Boots: the default image on microvm, once.
# Does:  runs a shell script using BusyBox applets: ls /, mkdir, cat, find,
#        sort, grep (-c, -l -r), sed, awk, rm -r in /tmp, then ps, free,
#        uptime and mount, which read /proc (tests/system/shared.py, which
#        aarch64-shell.py runs too).
# Expects: exit status 0 and one "applet: result" line per check; "/" holds
#        bin, dev, proc, sbin and tmp, and /proc is mounted as proc.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, passed
from shared import check_applets

check_applets(boot)
passed()
