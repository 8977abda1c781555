#!/usr/bin/env python3
# Boots: the default image under KVM (--accel kvm), where /dev/kvm works
#        and petrel's own KVM probe (what --accel auto trusts) passes;
#        skips (77) elsewhere, as on CI and the build machines, which
#        have no usable KVM.
# Does:  runs `true && echo petrel-on-kvm && nproc` with 2 vCPUs.
# Expects: exit status 0 and both lines: Petrel really boots under KVM
#        (a nested KVM once failed at a `stac` in arch_copy_user with
#        "KVM internal error ... emulation failure").
import importlib.machinery
import importlib.util
import os
import sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import PETREL, boot, expect_lines, expect_status, passed, skip


def load_petrel():
	loader = importlib.machinery.SourceFileLoader("petrel", PETREL)
	spec = importlib.util.spec_from_loader("petrel", loader)
	module = importlib.util.module_from_spec(spec)
	loader.exec_module(module)
	return module


petrel = load_petrel()
if not petrel.kvm_usable():
	skip("no usable /dev/kvm here")
opts = petrel.parse_run_args(["--", "true"])
ok, why = petrel.kvm_probe(opts)
if not ok:
	skip("KVM does not run Petrel here: %s" % why)
result = boot("true && echo petrel-on-kvm && nproc", accel="kvm", smp=2)
expect_status(result, 0)
expect_lines(result, ["petrel-on-kvm", "2"])
passed()
