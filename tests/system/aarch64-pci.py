#!/usr/bin/env python3
# Boots: the aarch64 default image through `./petrel run --arch aarch64
#        --virtio pci` (QEMU virt, TCG): the NIC and the disk are
#        virtio-net-pci and virtio-blk-pci on virt's PCIe host bridge; the
#        kernel reaches configuration space through the ECAM window of the
#        device tree, places the BARs (no firmware did) and routes MSI-X
#        through the GICv2m frame (./petrel's virt has QEMU's GICv2). Two
#        last boots by QEMU directly on virt with GICv3 and 2 CPUs: with
#        its ITS (MSI-X as LPIs), and with its=off (no MSI: INTx through
#        the interrupt-map).
# Does:  1. with --smp 2 --fwd PORT:80 the host fetches httpd's page;
#        2. --disk IMG (made by petrel) writes a file and syncs, and dmesg
#        shows the BARs and the MSI routes; 3. a second boot reads it back;
#        4. the GICv3 boots each read it, append and get an address by
#        DHCP; then the host's e2fsck checks IMG and debugfs reads the file.
# Expects: the page byte for byte; the BAR and MSI lines; the file's
#        lines; on GICv3 the ITS line, then the INTx lines, and 10.0.2.15
#        each time; e2fsck clean (exit 0).
# Skips without the cross tools (tests/system/aarch64lib.py), or without
#        e2fsck.
import os, shutil, subprocess, sys, tempfile, time
import urllib.parse
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import ROOT, expect_lines, expect_status, fail, fetch_page, \
	free_port, passed, petrel_args, skip
from aarch64lib import IMAGE, QEMU, boot_aarch64, need_aarch64_build

need_aarch64_build()
if not shutil.which("e2fsck") or not shutil.which("debugfs"):
	skip("no e2fsck/debugfs (e2fsprogs)")
with open(os.path.join(ROOT, "user", "httpd", "index.html"), "rb") as f:
	PAGE = f.read()
PCI = ["--virtio", "pci"]


def gicv3(img, options, line, wants):
	"""Boots virt with GICv3 (and options), the NIC and img on PCIe: cat
	/data/x, append line, dmesg's interrupt lines, eth0's address."""
	command = ("cat /data/x && echo '%s' >> /data/x && sync && "
		   "dmesg | grep -E '^(its|pci .*INTx)'; "
		   "for i in $(seq 300); do [ -s /run/netd.status ] && break; "
		   "sleep 0.1; done; "
		   "ip -4 addr show eth0 | grep -o 'inet [0-9.]*'" % line)
	argv = [QEMU, "-M", "virt,gic-version=3" + options,
		"-cpu", "max,pauth-impdef=on", "-smp", "2", "-m", "128M",
		"-nodefaults", "-no-reboot", "-display", "none",
		"-serial", "stdio",
		"-netdev", "user,id=net0", "-device", "virtio-net-pci,netdev=net0",
		"-drive", "file=%s,format=raw,if=none,id=disk0" % img,
		"-device", "virtio-blk-pci,drive=disk0",
		"-kernel", os.path.join(ROOT, "build", "aarch64", "kernel"),
		"-initrd", IMAGE, "-fw_cfg", "name=opt/petrel/cmdline,string=-- "
		"run sh -c " + urllib.parse.quote(command, safe="")]
	print("$ " + " ".join(argv), flush=True)
	qemu = subprocess.run(argv, capture_output=True, timeout=120,
			      stdin=subprocess.DEVNULL)
	out = qemu.stdout.decode(errors="replace").replace("\r\n", "\n")
	print(out)
	for want in ["GICv3,", "written over PCIe\n", "inet 10.0.2.15\n",
		     "\x1b_petrel-exit=0\x1b\\"] + wants:
		if want not in out:
			fail("the %s boot: no %r" % (line, want))


# 1. HTTP to the host through the PCI NIC, 2 CPUs.
port = free_port()
argv = petrel_args(arch="aarch64", smp=2, timeout=90,
		   extra=PCI + ["--fwd", "%d:80" % port]) + ["--", "sleep", "80"]
print("$ " + " ".join(argv[1:]), flush=True)
guest = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.DEVNULL,
			 stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
try:
	body = fetch_page(port, time.monotonic() + 80)
finally:
	guest.terminate()
	out = guest.communicate(timeout=30)[0].decode(errors="replace")
print(out)
if body != PAGE:
	fail("no page, or not httpd's, through --fwd %d:80 on virtio-net-pci"
	     % port)
print("host: got httpd's page, %d bytes" % len(body))

work = tempfile.mkdtemp(prefix="petrel-a64pci-")
img = os.path.join(work, "d.img")
try:
	# 2, 3. The disk, with MSI-X through GICv2m.
	r = boot_aarch64("grep ' /data ' /proc/mounts | cut -d' ' -f2,3; "
			 "echo 'written over PCIe' > /data/x && sync; "
			 "dmesg | grep -E '^(pci|irq)' | sed 's/ in .*//'",
			 extra=PCI + ["--disk", img, "--disk-size", "32M"])
	expect_status(r, 0)
	expect_lines(r, ["/data ext2",
			 "pci 00:01.0: [1af4:1000] BARs",
			 "pci 00:02.0: [1af4:1001] BARs",
			 "irq: MSI by the GICv2m frame to INTID 80"])
	r = boot_aarch64("cat /data/x", extra=PCI + ["--disk", img])
	expect_status(r, 0)
	expect_lines(r, ["written over PCIe"])
	# 4. GICv3: MSI-X through the ITS, then INTx with its=off.
	gicv3(img, "", "GICv3 ITS", ["its: MSI by the GICv3 ITS at 0x8080000\n"])
	gicv3(img, ",its=off", "GICv3 INTx",
	      ["pci 00:01.0: INTx pin A on INTID 36\n",
	       "pci 00:02.0: INTx pin A on INTID 37\n"])
	fsck = subprocess.run(["e2fsck", "-fn", img], capture_output=True,
			      text=True)
	print(fsck.stdout + fsck.stderr)
	if fsck.returncode != 0:
		fail("e2fsck -fn: exit %d" % fsck.returncode)
	cat = subprocess.run(["debugfs", "-R", "cat /x", img],
			     capture_output=True, text=True)
	if cat.stdout != "written over PCIe\nGICv3 ITS\nGICv3 INTx\n":
		fail("debugfs cat /x: %r" % cat.stdout)
finally:
	shutil.rmtree(work, ignore_errors=True)
passed()
