#!/usr/bin/env python3
# Boots: the default image on microvm, once.
# Does:  runs a shell script of pipelines: tr | wc, sort | head, grep | wc,
#        awk | sed, `yes | head` (yes must die of SIGPIPE), subshells,
#        command substitution, read from a pipe, pipeline exit status.
# Expects: exit status 0 and each pipeline's known output, in order.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

SCRIPT = r"""
echo hello | tr a-z A-Z | wc -c
echo hello | tr a-z A-Z
printf 'pear\napple\nfig\n' | sort | head -n 2 | tr '\n' ' '; echo
seq 1 30 | grep 3 | wc -l
echo one two three | awk '{ print $2 }' | sed s/two/TWO/
yes | head -n 3 | wc -l
(echo a; echo b) | cat | cat | wc -l
x=$(echo sub | tr a-z A-Z); echo "substituted=$x"
echo piped | { read line; echo "read=$line"; }
false | true; echo "status=$?"
"""

result = boot(SCRIPT)
expect_status(result, 0)
expect_lines(result, [
	"6",
	"HELLO",
	"apple fig",
	"4",
	"TWO",
	"3",
	"2",
	"substituted=SUB",
	"read=piped",
	"status=0",
])
passed()
