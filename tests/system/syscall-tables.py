#!/usr/bin/env python3
# Boots: nothing; checks kernel/linux/syscalls.master and the tables
#        tools/gensyscalls.py makes from it for each architecture.
# Does:  1. reads every line's x86_64 and aarch64 numbers;
#        2. generates the aarch64 table into a temporary directory;
#        3. compares the aarch64 column with Linux's generic table
#           (/usr/include/asm-generic/unistd.h, where the host has it).
# Expects: on each architecture no number is used twice; native calls
#        keep one number from 4096 on both; the aarch64 table has
#        openat at 56, read at 63, mmap at 222 and no open, poll or fork,
#        yet declares every handler (the portable code defines them all);
#        every aarch64 number is the generic table's for that call, or
#        for a call newer than the host's table, the x86_64 number.
import os
import re
import subprocess
import sys
import tempfile
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402

MASTER = os.path.join(lib.ROOT, "kernel", "linux", "syscalls.master")
GEN = os.path.join(lib.ROOT, "tools", "gensyscalls.py")
GENERIC = "/usr/include/asm-generic/unistd.h"
# Where Linux's generic table names a call differently.
GENERIC_NAMES = {"newfstatat": "fstatat"}


def master_lines():
	rows = []
	for line in open(MASTER, encoding="utf-8"):
		m = re.match(r"(\d+)\s+(\d+|-)\s+(\w+)\s", line)
		if line[:1].isdigit() and not m:
			lib.fail("syscalls.master: not X86_64 AARCH64 NAME: %r" % line)
		if m:
			rows.append((int(m.group(1)), m.group(2), m.group(3)))
	return rows


def check_unique(rows):
	for column, arch in ((0, "x86_64"), (1, "aarch64")):
		seen = {}
		for row in rows:
			num = row[column]
			if num == "-":
				continue
			if num in seen:
				lib.fail("%s: %s and %s both have number %s"
					 % (arch, seen[num], row[2], num))
			seen[num] = row[2]
	for x86, arm, name in rows:
		if x86 >= 4096 and arm != str(x86):
			lib.fail("native call %s: %d on x86_64, %s on aarch64"
				 % (name, x86, arm))


def check_aarch64_table():
	with tempfile.TemporaryDirectory() as tmp:
		out = os.path.join(tmp, "table.h")
		r = subprocess.run([sys.executable, GEN, "--arch", "aarch64",
				    MASTER, out], capture_output=True, text=True)
		if r.returncode != 0:
			lib.fail("gensyscalls --arch aarch64: " + r.stderr.strip())
		text = open(out).read()
	for num, name in ((56, "openat"), (63, "read"), (222, "mmap"),
			  (4096, "pt_handle_close")):
		base = 4096 if num >= 4096 else 0
		if "[%d] = { thunk_%s," % (num - base, name) not in text:
			lib.fail("aarch64 table: %s is not at %d" % (name, num))
	for name in ("open", "poll", "fork"):
		if "thunk_%s," % name in text:
			lib.fail("aarch64 table has %s, which arm64 lacks" % name)
		if "long sys_%s(" % name not in text:
			lib.fail("aarch64 header does not declare sys_%s" % name)


def check_generic(rows):
	if not os.path.exists(GENERIC):
		return "no %s here: numbers not compared" % GENERIC
	generic = {}
	for line in open(GENERIC):
		m = re.match(r"#define __NR(?:3264)?_(\w+)\s+(\d+)", line)
		if m:
			generic[m.group(1)] = m.group(2)
	# Calls newer than the host's headers (fchmodat2 is Linux 6.6's,
	# cachestat is missing from Debian 12's 6.1): numbered from 424 on,
	# every architecture gives them one number; those past
	# __NR_syscalls cannot be compared.
	known = int(generic.get("syscalls", "0"))
	newest = int(generic.get("syscalls", "100000"))
	for x86, arm, name in rows:
		if x86 >= 4096 or (x86 >= max(known, 424) and arm == str(x86)):
			continue
		if arm != "-" and int(arm) >= newest and name not in generic:
			continue
		want = generic.get(GENERIC_NAMES.get(name, name), "-")
		if arm != want:
			lib.fail("%s: aarch64 number %s, Linux's generic table says %s"
				 % (name, arm, want))
	return "aarch64 numbers match %s" % GENERIC


def main():
	rows = master_lines()
	check_unique(rows)
	check_aarch64_table()
	lib.passed("%d calls; %s" % (len(rows), check_generic(rows)))


main()
