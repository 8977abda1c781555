#!/usr/bin/env python3
# Boots: the test image on microvm, once. It holds dynprobe built as a
#        dynamic program for glibc and for musl (tests/system/dynprogs/),
#        both interpreters and glibc's libc.so.6 from the host (mk/systest.mk).
# Does:  runs each dynprobe by path (execve loads its PT_INTERP), then has
#        dynprobe exec a program whose interpreter is missing and one whose
#        interpreter is no ELF file, then runs a "#!" script that prints its
#        own /proc/PID/comm and /proc/PID/exe.
# Expects: every auxv/brk/TLS check says yes and /proc/self/exe names the
#        program; ENOENT (2) and ELIBBAD (80) as Linux gives; the script's
#        process is named after the script, its exe is the interpreter with
#        the /bin/sh link resolved (/bin/busybox). The xattr calls on an
#        existing file of tmpfs work through glibc (no user.x yet: ENODATA,
#        61; an empty list; setting and removing it succeed), on a
#        missing one ENOENT (2).
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

CHECKS = [
	"interpreter mapped (AT_BASE)",
	"interpreter above the program",
	"AT_ENTRY is the program's _start",
	"AT_PHDR is the program's headers",
	"AT_PHNUM and AT_PHENT",
	"AT_PAGESZ 4096",
	"AT_CLKTCK 100",
	"AT_RANDOM given",
	"AT_SECURE 0",
	"AT_EXECFN is argv[0]",
	"brk after the program, below the interpreter",
	"malloc",
	"TLS initial value",
	"thread with its own TLS",
]

result = boot("/test/bin/dynprobe-glibc; echo glibc=$?; "
	      "/test/bin/dynprobe-musl; echo musl=$?; "
	      "/test/bin/dynprobe-musl exec /test/bin/noint; "
	      "/test/bin/dynprobe-musl exec /test/bin/badint; "
	      "echo '#!/bin/sh' > /tmp/probe.sh; "
	      "echo 'cat /proc/$$/comm; readlink /proc/$$/exe' >> /tmp/probe.sh; "
	      "chmod +x /tmp/probe.sh; /tmp/probe.sh; "
	      "/test/bin/dynprobe-glibc xattr /tmp/probe.sh; "
	      "/test/bin/dynprobe-glibc xattr /tmp/none", test_image=True)
expect_status(result, 0)
expected = []
for libc in ("glibc", "musl"):
	expected += [c + ": yes" for c in CHECKS]
	expected += ["exe: /test/bin/dynprobe-" + libc, libc + "=0"]
expected += ["exec /test/bin/noint: errno 2",
	     "exec /test/bin/badint: errno 80",
	     "probe.sh", "/bin/busybox"]
expected += ["getxattr: -1 errno 61", "lgetxattr: -1 errno 61",
	     "listxattr: 0 errno 0", "setxattr: 0 errno 0",
	     "removexattr: 0 errno 0"]
expected += ["getxattr: -1 errno 2", "lgetxattr: -1 errno 2",
	     "listxattr: -1 errno 2", "setxattr: -1 errno 2",
	     "removexattr: -1 errno 2"]
expect_lines(result, expected)
passed()
