#!/usr/bin/env python3
# Boots: the test image on microvm, 2 vCPUs (TCG).
# Does:  runs /test/bin/tscprobe (progs/tscprobe.c): PR_SET_TSC and
#        PR_GET_TSC; a child that asks for PR_TSC_SIGSEGV and reads the
#        counter, one that asks and gives it back, one whose thread made
#        after reads it; then processes that did not ask read RDTSC,
#        RDTSCP and the vDSO's clock, on either CPU.
# Expects: the asker dies of SIGSEGV (its later thread too), PR_TSC_ENABLE
#        reads again, everyone else's counter and clock go on working
#        (the kernel answers their RDTSC once CR4.TSD is set on every
#        CPU); "tsc: all passed"; exit status 0. Not an abi test: the
#        host's Linux (a VM) does not fault RDTSC under CR4.TSD.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

result = boot(["/test/bin/tscprobe"], test_image=True, smp=2)
expect_status(result, 0)
expect_lines(result, [
	"tsc: ok PR_GET_TSC: enabled",
	"tsc: ok PR_SET_TSC 3: EINVAL",
	"tsc: ok PR_TSC_SIGSEGV, then RDTSC: SIGSEGV",
	"tsc: ok PR_TSC_ENABLE again: RDTSC works",
	"tsc: ok a thread made after: SIGSEGV",
	"tsc: ok another process reads the counter and the clock",
	"tsc: ok this one too",
	"tsc: all passed",
])
passed()
