#!/usr/bin/env python3
# Boots: the default image on microvm interactively, its console on a
#        pseudo-terminal.
# Does:  edits a file with BusyBox vi (insert, Escape, :wq) and cats it;
#        runs top -bn1, ps and free; stops `sleep 100` with Ctrl-Z, sees it
#        in `jobs`, kills it; then powers off.
# Expects: the file holds the typed text; top, ps and free print their
#        headers with figures; the stopped job is reported and killed.
import os, sys, time
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import Console, fail, passed, petrel_args, wait_for_shell

WAIT = 10


def run(console, typed, expect, what):
	mark = len(console.seen)
	console.send(typed)
	if not console.wait_for(expect, WAIT, mark):
		fail("%s: expected %r on the console" % (what, expect))


def main():
	console = Console(petrel_args())
	try:
		wait_for_shell(console)
		run(console, b"vi /tmp/note\r", b"/tmp/note", "vi starts")
		time.sleep(1)
		console.send(b"ihello from vi\x1b")
		time.sleep(1)
		run(console, b":wq\r", b"/tmp/note", "vi writes")
		run(console, b"cat /tmp/note\r", b"hello from vi\r", "the file vi wrote")
		run(console, b"top -bn1 | head -4\r", b"Load average:", "top -bn1")
		run(console, b"ps\r", b"PID", "ps")
		run(console, b"free\r", b"Mem:", "free")
		console.send(b"sleep 100\r")
		time.sleep(1.5)
		console.send(b"\x1a")	# Ctrl-Z
		run(console, b"jobs\r", b"Stopped", "Ctrl-Z stops the job")
		run(console, b"kill -9 %1; echo killed-$?\r", b"killed-0", "kill %1")
		console.send(b"poweroff\r")
		status = console.wait_exit(20)
		if status != 0:
			fail("poweroff: petrel exited with %r" % status)
	finally:
		console.kill()
	passed("\nok")


main()
