"""What tools/insn-profile.py and tools/boot-profile.py share: the test
machine under -icount (optionally with QEMU's -d in_asm,exec,nochain
trace), the kernel's symbols, and the trace read as executed blocks.
A module, not a program."""
import bisect
import re
import subprocess

USER_TOP = 0xffff800000000000


def icount_cmd(kernel, initrd, cmdfile, log=None):
	"""The QEMU command: one vCPU under -icount shift=0, the guest's
	command line from cmdfile (fw_cfg); with log, the exec trace there."""
	cmd = ["qemu-system-x86_64", "-M", "microvm,x-option-roms=off,rtc=on",
	       "-accel", "tcg", "-icount", "shift=0,sleep=off", "-cpu", "max",
	       "-smp", "1", "-m", "128M", "-nodefaults", "-no-reboot",
	       "-display", "none", "-chardev", "stdio,id=con,signal=off",
	       "-serial", "chardev:con", "-kernel", kernel, "-initrd", initrd,
	       "-append", "console=ttyS0",
	       "-fw_cfg", "name=opt/petrel/cmdline,file=" + cmdfile]
	return cmd + (["-d", "in_asm,exec,nochain", "-D", log] if log else [])


def symbol_namer(elf):
	"""A function giving a pc's kernel symbol ("user" below the kernel)."""
	out = subprocess.run(["nm", "-n", elf], capture_output=True, text=True,
			     check=True).stdout
	syms = []
	for line in out.splitlines():
		f = line.split()
		if len(f) == 3 and f[1] in "tTwW":
			syms.append((int(f[0], 16), f[2]))
	addrs = [a for a, _ in syms]

	def name_of(pc):
		if pc < USER_TOP:
			return "user"
		i = bisect.bisect_right(addrs, pc) - 1
		return syms[i][1] if i >= 0 else "?"
	return name_of


def executed_blocks(log):
	"""(pc, instructions) for each block run, in order: each "Trace"
	line runs the block last translated at its address, whose size the
	in_asm listing gave."""
	size = {}
	start = None
	with open(log, errors="replace") as f:
		for line in f:
			if line.startswith("Trace "):
				m = re.search(r"\[[0-9a-f]+/([0-9a-f]+)/", line)
				pc = int(m.group(1), 16)
				yield pc, size.get(pc, 0)
			elif line.startswith("0x"):
				m = re.match(r"0x([0-9a-f]+):", line)
				if m:
					if start is None:
						start = int(m.group(1), 16)
						size[start] = 0
					size[start] += 1
			else:	# "IN:", a blank line: the next listing is a new block
				start = None
