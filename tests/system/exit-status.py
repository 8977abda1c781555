#!/usr/bin/env python3
# Boots: the default image on microvm, twice.
# Does:  1. runs `sh -c 'exit 7'`-style argv (init execs it directly) whose
#           arguments hold spaces, an empty string, '%', UTF-8 and shell
#           metacharacters;
#        2. runs one shell string (init uses /bin/sh -c) with quotes and a
#           tab, ending in `exit 9`.
# Expects: exit statuses 7 and 9, and every argument back byte for byte.
import os, sys
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, passed

ARGS = ["a b", "", "x%y", "\u00e9t\u00e9", "$HOME;|&<>*"]
result = boot(["sh", "-c", r'printf "[%s]\n" "$@"; exit 7', "sh"] + ARGS)
expect_status(result, 7)
expect_lines(result, ["[%s]" % a for a in ARGS])

result = boot(r"""printf '[%s]\n' "tab	and  spaces" 'quote"s' 'it'\''s'; exit 9""")
expect_status(result, 9)
expect_lines(result, ["[tab\tand  spaces]", '[quote"s]', "[it's]"])
passed()
