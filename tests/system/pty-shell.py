#!/usr/bin/env python3
# Boots: the test image on microvm, then (where the host has tmux) the
#        default image with the host's tmux, its terminfo entry for
#        "linux" and glibc's C.UTF-8 locale added by --pack.
# Does:  runs /test/bin/ptyshell-musl and ptyshell-glibc
#        (dynprogs/ptyshell.c): each opens a pty with its C library's
#        posix_openpt, grantpt, unlockpt and ptsname and drives an
#        interactive BusyBox sh on it (tty, stty size after TIOCSWINSZ,
#        Ctrl-C, Ctrl-Z, exit). Then starts a detached tmux session with
#        a shell in it, types into it with send-keys and reads the pane
#        with capture-pane: arithmetic, the pane's tty and size after
#        resize-window, Ctrl-C of a sleep; then kill-server.
# Expects: every ptyshell check ok for both libraries ("all passed", exit
#        0); the pane shows 42, "30 100" and /dev/pts/0, st=130; tmux's
#        commands exit 0. Then (where the host has it) util-linux
#        script(1), which runs its command on a pty it opens and relays
#        through signalfd and poll, with its typescript file.
# Expects: for script, /dev/pts/0 and "24 80" from the command, its status
#        0, and the typescript holding the command's output between its
#        "Script started" and "Script done" lines.
import os, shutil, sys, tempfile
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import boot, expect_lines, expect_status, fail, passed

TMUX = "/usr/bin/tmux"
# What tmux needs besides its libraries: the terminal description of
# TERM=linux and a UTF-8 locale (it refuses to start without one).
TMUX_EXTRAS = ["/lib/terminfo/l/linux", "/usr/lib/locale/C.utf8"]

# Run in the guest; a pane's screen is printed without its blank lines.
TMUX_SCRIPT = r"""
export LC_ALL=C.UTF-8 TERM=linux
T="tmux -S /tmp/tmux.sock"
pane() { sleep 2; $T capture-pane -p | grep -v '^$'; }
$T new-session -d -x 80 -y 24 sh || echo "new-session failed"
sleep 2
$T send-keys 'echo $((6*7))' Enter; pane
$T resize-window -x 100 -y 30
$T send-keys 'stty size; tty' Enter; pane
$T send-keys 'sleep 100' Enter; sleep 1
$T send-keys C-c; $T send-keys 'echo st=$?' Enter; pane
$T kill-server && echo "tmux: server killed"
"""


def check_ptyshell():
	result = boot("/test/bin/ptyshell-musl; echo musl=$?; "
		      "/test/bin/ptyshell-glibc; echo glibc=$?",
		      test_image=True)
	expect_status(result, 0)
	expect_lines(result, ["ptyshell: all passed", "musl=0",
			      "ptyshell: all passed", "glibc=0"])


def check_tmux():
	missing = [p for p in [TMUX] + TMUX_EXTRAS if not os.path.exists(p)]
	if missing:
		print("no %s on this host: tmux part skipped" % missing[0])
		return
	tmp = tempfile.mkdtemp(prefix="petrel-pty-")
	try:
		script = os.path.join(tmp, "tmux.sh")
		with open(script, "w") as f:
			f.write(TMUX_SCRIPT)
		extra = []
		for path in [TMUX, script] + TMUX_EXTRAS:
			extra += ["--pack", path]
		result = boot(["/bin/sh", script], extra=extra)
	finally:
		shutil.rmtree(tmp)
	expect_status(result, 0)
	expect_lines(result, ["42", "30 100", "/dev/pts/0", "st=130",
			      "tmux: server killed"])


SCRIPT = "/usr/bin/script"


def check_script():
	if not os.path.exists(SCRIPT):
		print("no %s on this host: script part skipped" % SCRIPT)
		return
	result = boot("script -q -c 'tty; stty size; echo in=ok' /tmp/ts; "
		      "echo st=$?; echo typescript:; cat /tmp/ts",
		      extra=["--pack", SCRIPT])
	expect_status(result, 0)
	expect_lines(result, ["/dev/pts/0", "24 80", "in=ok", "st=0",
			      "typescript:"])
	typescript = result.lines[result.lines.index("typescript:") + 1:]
	starts = [l.split(" on ")[0] for l in typescript]
	if ("Script started" not in starts or "Script done" not in starts or
	    "in=ok" not in typescript[starts.index("Script started"):
				      starts.index("Script done")]):
		fail("script's typescript is not whole: %r" % typescript)


check_ptyshell()
check_tmux()
check_script()
passed()
