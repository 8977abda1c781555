#!/usr/bin/env python3
# Boots: the default image on microvm, once.
# Does:  pipes two lines into `./petrel run -- sh -c 'read ...'`: petrel
#        forwards a piped stdin to the guest console.
# Expects: the guest reads both lines; exit status 0.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

result = boot('read a && read b && echo "got=$a+$b"',
	      stdin="first-line\nsecond-line\n")
expect_status(result, 0)
expect_lines(result, ["got=first-line+second-line"])
passed()
