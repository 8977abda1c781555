#!/usr/bin/env python3
# Boots: nothing; checks the host side of docs/run-protocol.md in ./petrel.
# Does:  1. unit checks: argument encoding, the fw_cfg command line, and the
#           console filter fed a marker split at every possible byte;
#        2. runs ./petrel against a fake QEMU (PETREL_QEMU) that prints the
#           fw_cfg file and a marker one byte at a time, that stops without
#           a marker, and that hangs (for --timeout);
#        3. checks the QEMU command line (--print-cmd) for each machine,
#           for disks (--disk, --disk-ro), and for --arch aarch64 (QEMU
#           virt, TCG, the aarch64 build's images, virtio-mmio devices;
#           --machine, --iso, --pack, --rootfs and --accel kvm refused);
#        4. --accel auto with /dev/kvm said to work, against a fake QEMU
#           that under KVM aborts with QEMU's "KVM internal error", hangs,
#           or boots fine.
# Expects: the encodings of the protocol, output free of markers with "\n"
#        line ends, exit statuses N, 255 and 124; auto picks KVM only
#        after a probe boot under it succeeded, else TCG with the reason
#        on stderr, and probes once per kernel (the verdict is cached).
#        5. --pack option checks: repeatable, refused with --iso, as
#           --rootfs is with --pack or --iso; --mem is raised for a
#           large packed image unless given, with a note. 6. The
#           --rootfs cache keeps the images used last up to its size.
import contextlib
import importlib.machinery
import importlib.util
import io
import json
import os
import subprocess
import sys
import tempfile
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import PETREL, ROOT, fail, passed


def load_petrel():
	loader = importlib.machinery.SourceFileLoader("petrel", PETREL)
	spec = importlib.util.spec_from_loader("petrel", loader)
	module = importlib.util.module_from_spec(spec)
	loader.exec_module(module)
	return module


def expect(what, got, wanted):
	if got != wanted:
		fail("%s: got %r, expected %r" % (what, got, wanted))


def check_encoding(petrel):
	cases = {
		"echo": "echo",
		"": "%00",
		"a b": "a%20b",
		"100%": "100%25",
		"A-Za-z0-9._/,:=+@^-": "A-Za-z0-9._/,:=+@^-",
		"é": "%C3%A9",
		"$x;\"'\t\n": "%24x%3B%22%27%09%0A",
		"~*?[]{}()<>|&!#": "%7E%2A%3F%5B%5D%7B%7D%28%29%3C%3E%7C%26%21%23",
	}
	for arg, encoded in cases.items():
		expect("encode_arg(%r)" % arg, petrel.encode_arg(arg), encoded)


def check_cmdline(petrel):
	opts = petrel.parse_run_args(["--", "sh", "-c", "exit 7", ""])
	expect("fw_cfg text", petrel.guest_cmdline(opts),
	       "quiet -- run sh -c exit%207 %00")
	opts = petrel.parse_run_args(["--verbose", "--", "true"])
	expect("fw_cfg text, verbose", petrel.guest_cmdline(opts), "-- run true")
	opts = petrel.parse_run_args([])
	expect("fw_cfg text, interactive", petrel.guest_cmdline(opts), "")
	opts = petrel.parse_run_args(["--append", "init=/bin/sh"])
	expect("-append", petrel.base_cmdline(opts), "console=ttyS0 init=/bin/sh")
	opts = petrel.parse_run_args(["--trace-syscalls", "--", "true"])
	expect("fw_cfg text, traced", petrel.guest_cmdline(opts),
	       "trace=syscalls quiet -- run true")
	opts = petrel.parse_run_args(["--trace-syscalls=read,4096",
				      "--trace-syscalls=out/t.txt",
				      "--trace-procs=all", "--", "true"])
	expect("fw_cfg text, traced calls", petrel.guest_cmdline(opts),
	       "trace=syscalls trace.calls=read,4096 trace.procs=all "
	       "quiet -- run true")
	expect("trace file", opts.trace_file, "out/t.txt")
	for bad in (["--trace-syscalls=nosuchcall", "--", "true"],
		    ["--trace-syscalls=t.txt"], ["--trace-procs=all"]):
		try:
			petrel.parse_run_args(bad)
			fail("%s accepted" % bad)
		except petrel.UsageError:
			pass


def filter_chunks(petrel, chunks):
	filt = petrel.ConsoleFilter()
	out = b"".join(filt.feed(c) for c in chunks) + filt.finish()
	return out, filt.status


def check_filter(petrel):
	stream = (b"one\r\ntwo\r\n\x1b[1mbold\x1b[0m\r\n"
		  b"\x1b_petrel-exit=42\x1b\\\r\nafter\r\n")
	wanted = b"one\ntwo\n\x1b[1mbold\x1b[0m\n\nafter\n"
	for cut in range(len(stream) + 1):
		got = filter_chunks(petrel, [stream[:cut], stream[cut:]])
		expect("filter cut at %d" % cut, got, (wanted, 42))
	got = filter_chunks(petrel, [bytes([b]) for b in stream])
	expect("filter byte by byte", got, (wanted, 42))
	got = filter_chunks(petrel, [b"\x1b_petrel-exit=", b"x\r"])
	expect("not a marker", got, (b"\x1b_petrel-exit=x\r", None))
	check_trace_filter(petrel)


def check_trace_filter(petrel):
	"""Trace lines come out apart, in order, even inside an output line."""
	tag = b"\x1b_petrel-trace\x1b\\"
	stream = (b"a\r\n" + tag + b"[pid 4] close(3) = 0\r\nb" + tag +
		  b"[pid 4] exit_group(0) = ?\r\nc\r\n")
	wanted = [(False, b"a\n"), (True, b"[pid 4] close(3) = 0\n"),
		  (False, b"b"), (True, b"[pid 4] exit_group(0) = ?\n"),
		  (False, b"c\n")]
	for cut in range(len(stream) + 1):
		filt = petrel.ConsoleFilter()
		parts = filt.feed_parts(stream[:cut]) + \
			filt.feed_parts(stream[cut:]) + [(False, filt.finish())]
		merged = []
		for trace, data in parts:
			if merged and merged[-1][0] == trace:
				merged[-1] = (trace, merged[-1][1] + data)
			elif data:
				merged.append((trace, data))
		expect("trace lines cut at %d" % cut, merged, wanted)


FAKE_QEMU = r"""#!/usr/bin/env python3
import os, sys, time
args = sys.argv[1:]
mode = os.environ["FAKE_MODE"]
fw_cfg = args[args.index("-fw_cfg") + 1].split("file=", 1)[1]
out = sys.stdout.buffer
out.write(b"cmdline=" + open(fw_cfg, "rb").read() + b"\r\n")
out.flush()
if mode == "hang":
	time.sleep(60)
if mode == "exit":
	for b in b"hello\r\n\x1b_petrel-exit=3\x1b\\":
		out.write(bytes([b]))
		out.flush()
"""


def run_fake(tmp, mode, *args):
	fake = os.path.join(tmp, "qemu")
	with open(fake, "w") as f:
		f.write(FAKE_QEMU)
	os.chmod(fake, 0o755)
	image = os.path.join(tmp, "image")
	open(image, "w").close()
	env = dict(os.environ, PETREL_QEMU=fake, FAKE_MODE=mode)
	proc = subprocess.run(
		[PETREL, "run", "--kernel", image, "--initrd", image] +
		list(args), env=env, cwd=ROOT, capture_output=True,
		stdin=subprocess.DEVNULL, timeout=30)
	return proc.returncode, proc.stdout, proc.stderr.decode()


def check_fake_runs(tmp):
	status, out, _ = run_fake(tmp, "exit", "--", "echo", "a b")
	expect("fake run status", status, 3)
	expect("fake run output", out,
	       b"cmdline=quiet -- run echo a%20b\nhello\n")
	status, _, err = run_fake(tmp, "stop", "--", "true")
	expect("no marker status", status, 255)
	expect("no marker message",
	       "petrel: guest stopped without an exit status" in err, True)
	status, _, err = run_fake(tmp, "hang", "--timeout", "1", "--", "true")
	expect("timeout status", status, 124)


def print_cmd(*args):
	proc = subprocess.run([PETREL, "run", "--print-cmd"] + list(args),
			      capture_output=True, text=True, timeout=30)
	expect("--print-cmd %s status" % " ".join(args), proc.returncode, 0)
	return proc.stdout


def check_qemu_command():
	cmd = print_cmd("--accel", "tcg", "--", "true")
	for word in ("-M microvm,x-option-roms=off,rtc=on", "-accel tcg",
		     "-cpu max", "-nodefaults", "-no-reboot", "-smp 1",
		     "-m 128M", "-kernel ", "-initrd ",
		     "-append console=ttyS0",
		     "-fw_cfg name=opt/petrel/cmdline,file="):
		expect("microvm command has %r" % word, word in cmd, True)
	cmd = print_cmd("--accel", "kvm", "--machine", "q35", "--smp", "2")
	for word in ("-M q35", "-accel kvm", "-cpu host", "-smp 2",
		     "mux=on,signal=off", "-mon chardev=con"):
		expect("q35 command has %r" % word, word in cmd, True)
	expect("interactive without fw_cfg", "-fw_cfg" in cmd, False)
	cmd = print_cmd("--accel", "tcg", "--iso", "--", "true")
	for word in ("-M pc", "-cdrom ", "-fw_cfg "):
		expect("iso command has %r" % word, word in cmd, True)
	expect("iso has no -kernel", "-kernel" in cmd, False)
	cmd = print_cmd("--accel", "tcg", "--net", "none", "--disk", "a,b.img",
			"--disk-ro", "c.img", "--device", "virtio-blk", "--", "true")
	for word in ("-global virtio-mmio.force-legacy=false",
		     "-drive file=a,,b.img,format=raw,if=none,id=disk0 "
		     "-device virtio-blk-device,drive=disk0 ",
		     "-drive file=c.img,format=raw,if=none,id=disk1,readonly=on "
		     "-device virtio-blk-device,drive=disk1 ",
		     "-- device=virtio-blk run true"):
		expect("disk command has %r" % word, word in cmd, True)
	cmd = print_cmd("--accel", "tcg", "--machine", "q35", "--disk", "a.img")
	expect("q35 disk", "-device virtio-blk-pci,drive=disk0" in cmd, True)
	proc = subprocess.run([PETREL, "run", "--device", "virtio-blk", "--",
			       "true"], capture_output=True, timeout=30)
	expect("--device virtio-blk without --disk", proc.returncode, 2)
	check_aarch64_command()


def check_aarch64_command():
	cmd = print_cmd("--arch", "aarch64", "--smp", "2", "--mem", "256M",
			"--fwd", "8080:80", "--disk", "d.img", "--", "uname", "-m")
	for word in ("qemu-system-aarch64 -M virt -accel tcg "
		     "-cpu max,pauth-impdef=on -smp 2 -m 256M",
		     "-global virtio-mmio.force-legacy=false",
		     "-device virtio-net-device,netdev=net0",
		     "hostfwd=tcp:127.0.0.1:8080-:80",
		     "-device virtio-blk-device,drive=disk0",
		     "-kernel %s/build/aarch64/kernel " % ROOT,
		     "-initrd %s/build/aarch64/initramfs.cpio " % ROOT,
		     "-fw_cfg name=opt/petrel/cmdline,file=",
		     "quiet -- run uname -m"):
		expect("aarch64 command has %r" % word, word in cmd, True)
	for refused in (["--machine", "q35"], ["--iso"], ["--pack", "/bin/ls"],
			["--rootfs", "/"], ["--accel", "kvm"]):
		proc = subprocess.run([PETREL, "run", "--arch", "aarch64"] +
				      refused + ["--", "true"],
				      capture_output=True, timeout=30)
		expect("--arch aarch64 %s" % " ".join(refused), proc.returncode, 2)


FAKE_KVM_QEMU = r"""#!/usr/bin/env python3
import os, sys, time
args = sys.argv[1:]
mode = os.environ["FAKE_KVM_MODE"]
if args == ["--version"]:
	print("QEMU emulator version 0.fake")
	sys.exit(0)
accel = args[args.index("-accel") + 1]
with open(os.environ["FAKE_KVM_LOG"], "a") as log:
	log.write(accel + "\n")
if accel == "kvm" and mode == "abort":
	sys.stderr.write("KVM internal error. Suberror: 1\n"
			 "emulation failure\nRIP=0010:ffffffff80101234\n")
	sys.stderr.flush()
	os.abort()
if accel == "kvm" and mode == "hang":
	time.sleep(60)
sys.stdout.buffer.write(b"\x1b_petrel-exit=0\x1b\\")
"""


def pick(petrel, kernel, *args):
	"""petrel.pick_accel for a run of kernel; returns (accel, stderr)."""
	opts = petrel.parse_run_args(["--kernel", kernel, "--initrd", kernel] +
				     list(args) + ["--", "true"])
	err = io.StringIO()
	with contextlib.redirect_stderr(err):
		accel = petrel.pick_accel(opts)
	return accel, err.getvalue()


def kvm_runs(log):
	try:
		with open(log) as f:
			return f.read().split().count("kvm")
	except FileNotFoundError:
		return 0


def check_kvm_probe(petrel, tmp):
	fake = os.path.join(tmp, "qemu-kvm")
	with open(fake, "w") as f:
		f.write(FAKE_KVM_QEMU)
	os.chmod(fake, 0o755)
	log = os.path.join(tmp, "kvm.log")
	os.environ.update(PETREL_QEMU=fake, FAKE_KVM_LOG=log)
	petrel.QEMU = fake
	petrel.KVM_PROBE_DIR = os.path.join(tmp, "probe-cache")
	petrel.KVM_PROBE_TIMEOUT = 3
	petrel.kvm_usable = lambda: True
	kernel = os.path.join(tmp, "kernel")
	cases = (("abort", "tcg", "KVM internal error. Suberror: 1"),
		 ("hang", "tcg", "made no progress in 3 s"),
		 ("ok", "kvm", None))
	for mode, wanted, why in cases:
		os.environ["FAKE_KVM_MODE"] = mode
		with open(kernel, "w") as f:
			f.write(mode)	# a new kernel: probed afresh
		for run in (1, 2):
			accel, err = pick(petrel, kernel)
			what = "auto, KVM %s, run %d" % (mode, run)
			expect(what, accel, wanted)
			expect(what + ": probe boots", kvm_runs(log),
			       cases.index((mode, wanted, why)) + 1)
			expect(what + ": says why", why is not None and
			       why in err and "using TCG" in err, why is not None)
	expect("--accel tcg", pick(petrel, kernel, "--accel", "tcg")[0], "tcg")
	os.environ["FAKE_KVM_MODE"] = "abort"
	expect("--accel kvm", pick(petrel, kernel, "--accel", "kvm")[0], "kvm")
	petrel.kvm_usable = lambda: False
	expect("auto, no /dev/kvm", pick(petrel, kernel), ("tcg", ""))
	expect("no more probes", kvm_runs(log), 3)


def check_pack_options(petrel, tmp):
	opts = petrel.parse_run_args(["--pack", "/bin/ls", "--pack", tmp])
	expect("--pack twice", opts.pack, ["/bin/ls", tmp])
	expect("--mem unset", opts.mem, None)
	try:
		petrel.parse_run_args(["--iso", "--pack", "/bin/ls"])
		fail("--iso --pack accepted")
	except petrel.UsageError:
		pass
	for text, mib in (("512M", 512), ("1G", 1024), ("256", 256),
			  ("2g", 2048), ("lots", None)):
		expect("parse_mib(%r)" % text, petrel.parse_mib(text), mib)
	for argv in (["--rootfs", tmp, "--pack", "/bin/ls"],
		     ["--rootfs", tmp, "--iso"]):
		try:
			petrel.parse_run_args(argv)
			fail("%s accepted" % argv)
		except petrel.UsageError:
			pass
	image = os.path.join(tmp, "image.cpio")
	with open(image, "wb") as f:	# one file of 100 MiB, then zeros
		name = b"big\0"
		f.write(b"070701" + b"".join(b"%08X" % v for v in (
			1, 0o100644, 0, 0, 1, 0, 100 << 20, 0, 0, 0, 0,
			len(name), 0)) + name + b"\0" * 2)
		f.truncate(101 << 20)
	# 101 MiB image + 16 + 2 * (100 MiB of files + 48), rounded up to 64
	notes = io.StringIO()
	with contextlib.redirect_stderr(notes):
		expect("--mem for 100 MiB", petrel.pick_mem(opts, image,
							   "--pack"), "448M")
		opts.mem = "1G"
		expect("--mem given", petrel.pick_mem(opts, image, "--pack"),
		       "1G")
	expect("one note", notes.getvalue().count("using --mem 448M"), 1)


def check_rootfs_eviction(petrel, tmp):
	"""Three images of 1 MiB, used at times 3, 2, 1, under a cache of
	2 MiB: the one used first goes, and the manifest naming it."""
	petrel.ROOTFS_DIR, petrel.ROOTFS_CACHE_MIB = tmp, 2
	for i, name in enumerate(("new", "mid", "old")):
		path = os.path.join(tmp, name + ".cpio")
		with open(path, "wb") as f:
			f.truncate(1 << 20)
		os.utime(path, (3 - i, 3 - i))
		with open(os.path.join(tmp, name + ".json"), "w") as f:
			json.dump({"image": path, "stamps": []}, f)
	petrel.evict_rootfs_images()
	expect("images and manifests kept", sorted(os.listdir(tmp)),
	       ["mid.cpio", "mid.json", "new.cpio", "new.json"])


petrel = load_petrel()
check_encoding(petrel)
check_cmdline(petrel)
check_filter(petrel)
with tempfile.TemporaryDirectory() as tmp:
	check_fake_runs(tmp)
check_qemu_command()
with tempfile.TemporaryDirectory() as tmp:
	check_kvm_probe(petrel, tmp)
with tempfile.TemporaryDirectory() as tmp:
	check_pack_options(petrel, tmp)
with tempfile.TemporaryDirectory() as tmp:
	check_rootfs_eviction(petrel, tmp)
passed()
