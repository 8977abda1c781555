#!/usr/bin/env python3
# Boots: the test image on microvm with 2 vCPUs, twice at once (seeds 2
#        and 3), through tools/fuzz-run.
# Does:  runs /test/bin/fuzz (tests/system/fuzz/, docs/fuzzing.md): 4 workers,
#        two root and two uid 65534, make 30000 random system calls per boot
#        with valid and invalid arguments and descriptors of every kind.
# Expects: every boot ends with "fuzz: ok" and exit status 0: no kernel
#        panic, no hang (60 s without console output), no worker that
#        outlived SIGKILL, init alive and no reboot.
#        A run in which no worker makes a call for a minute fails too
#        (once a worker could cut the fuzzer's own program through an
#        O_PATH descriptor, and every new worker died at once).
import os, subprocess, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import ROOT, fail, need_test_image, passed

need_test_image()
argv = [os.path.join(ROOT, "tools", "fuzz-run"), "--seeds", "2,3",
	"--calls", "30000", "--smp", "2", "--silence", "60",
	"--timeout", "240",
	"--out", os.path.join(ROOT, "build", "fuzz-test")]
print("$ " + " ".join(argv[1:]), flush=True)
result = subprocess.run(argv, cwd=ROOT, stdin=subprocess.DEVNULL)
if result.returncode != 0:
	fail("the fuzzer found a panic, a hang or a stopped machine "
	     "(build/fuzz-test/boot-SEED.log)")
passed()
