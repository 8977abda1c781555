#!/usr/bin/env python3
# Boots: the test image on microvm with 2 vCPUs, twice at once (seeds 1
#        and 2), through tools/fuzz-run.
# Does:  runs /test/bin/fuzz (tests/system/fuzz/, docs/fuzzing.md): 4 workers,
#        two root and two uid 65534, make 30000 random system calls per boot
#        with valid and invalid arguments and descriptors of every kind.
# Expects: every boot ends with "fuzz: ok" and exit status 0: no kernel
#        panic, no hang (60 s without console output), no worker that
#        outlived SIGKILL, init alive and no reboot.
# Skipped unless PETREL_FUZZ_TEST=1: on today's main, seeds 2 and 3 reach
# a state (after 5,000-18,000 calls) in which every newly forked worker
# dies of SIGSEGV at its first instructions, so the run stalls; the cause
# is not found yet (docs/fuzzing.md, "Open"). tools/fuzz-run and
# `make fuzz` run it by hand meanwhile; system/fuzz-found keeps the
# finding that is fixed.
import os, subprocess, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import ROOT, fail, need_test_image, passed, skip

if os.environ.get("PETREL_FUZZ_TEST") != "1":
	skip("open bug: seeds 2 and 3 stall with every new worker dying of "
	     "SIGSEGV (docs/fuzzing.md); PETREL_FUZZ_TEST=1 runs it")
need_test_image()
argv = [os.path.join(ROOT, "tools", "fuzz-run"), "--seeds", "1,2",
	"--calls", "30000", "--smp", "2", "--silence", "60",
	"--timeout", "240",
	"--out", os.path.join(ROOT, "build", "fuzz-test")]
print("$ " + " ".join(argv[1:]), flush=True)
result = subprocess.run(argv, cwd=ROOT, stdin=subprocess.DEVNULL)
if result.returncode != 0:
	fail("the fuzzer found a panic, a hang or a stopped machine "
	     "(build/fuzz-test/boot-SEED.log)")
passed()
