#!/usr/bin/env python3
# Boots: the default image on microvm, twice.
# Does:  1. runs `sh -c 'echo $#; ...' sh w1 .. w300`: 305 words after the
#           command line's "--" (init took only the first 32 once, and
#           dropped the rest without a word);
#        2. the same with 1,000 longer words: a line past the kernel's
#           4,096 bytes.
# Expects: 1. "300" and the first and last word back;
#          2. the kernel's message that the line was cut, on the console
#             (printk: shown with petrel's "quiet" too), and sh run with
#             the words that fitted.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_in, expect_lines, expect_status, passed

SCRIPT = 'echo "count $#"; echo "first $1"; eval "echo last \\${$#}"'

words = ["w%d" % i for i in range(1, 301)]
result = boot(["sh", "-c", SCRIPT, "sh"] + words)
expect_status(result, 0)
expect_lines(result, ["count 300", "first w1", "last w300"])

words = ["long-word-%d" % i for i in range(1, 1001)]
result = boot(["sh", "-c", SCRIPT, "sh"] + words)
expect_status(result, 0)
expect_in(result, "bytes, the most kept: anything past them is lost")
expect_lines(result, ["first long-word-1"])
passed()
