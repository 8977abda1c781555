#!/usr/bin/env python3
# Boots: the default image on microvm interactively (`./petrel run`, no
#        command), its console on a pseudo-terminal as a user's would be.
# Does:  waits for the shell, types `sleep 100`, sends Ctrl-C (byte 0x03),
#        then `echo back-$?`, then `poweroff`.
# Expects: Ctrl-C reaches the guest's foreground job: the shell prints
#        back-130 (sleep killed by SIGINT) within a few seconds; poweroff
#        ends QEMU and petrel exits 0.
import os, sys, time
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import Console, fail, passed, petrel_args, wait_for_shell

PROMPT_WAIT = 5


def main():
	console = Console(petrel_args())
	try:
		wait_for_shell(console)
		mark = len(console.seen)
		console.send(b"sleep 100\r")
		if not console.wait_for(b"sleep 100", PROMPT_WAIT, mark):
			fail("the console did not echo `sleep 100`")
		time.sleep(1.5)		# let sleep start
		console.send(b"\x03")
		mark = len(console.seen)
		console.send(b"echo back-$?\r")
		if not console.wait_for(b"back-130", PROMPT_WAIT, mark):
			fail("Ctrl-C did not interrupt sleep within %ds "
			     "(expected back-130)" % PROMPT_WAIT)
		console.send(b"poweroff\r")
		status = console.wait_exit(20)
		if status is None:
			fail("poweroff did not end QEMU within 20s")
		if status != 0:
			fail("petrel exited with %d after poweroff" % status)
	finally:
		console.kill()
	passed("\nok")


main()
