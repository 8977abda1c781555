#!/usr/bin/env python3
# Boots: the default image with Debian's dropbear (dropbear-bin), OpenSSH's
#        scp and, where the host has it, sftp-server (openssh-sftp-server)
#        added by --pack, plus a directory made for this run: a dropbear
#        host key (dropbearkey), root's authorized_keys (a key made by
#        ssh-keygen) and the guest's script; guest port 22 forwarded from
#        a free host port.
# Does:  the guest puts the key in /root/.ssh and starts `dropbear -F -E
#        -s` on port 22. The host's OpenSSH client logs in as root with
#        the key: runs `uname -r; exit 3`; pipes data through sha256sum;
#        opens an interactive shell on a pty (the host side a pty too,
#        from python's pty module, 33x111): `tty` and `stty size`, then a
#        window change to 40x120, `sleep 100` interrupted by Ctrl-C,
#        `exit 5`; copies a 4 MiB file up and down with `scp -O` (scp on
#        the guest) and with scp over SFTP.
# Expects: 6.12.0-petrel and ssh's status 3; the guest's checksum of the
#        piped bytes; /dev/pts/N and "33 111", then "40 120"; the sleep
#        ends at once with status 130; ssh exits 5; each copy has the
#        original's SHA-256 on both sides.
import fcntl, hashlib, os, re, struct, subprocess, sys, tempfile, termios, time
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
from lib import Console, fail, passed
from serverlib import GUEST_END, Guest, file_sha256, have_packages, need_packages

DROPBEAR = "/usr/sbin/dropbear"
SCP = "/usr/bin/scp"
SFTP_SERVER = "/usr/lib/sftp-server"	# dropbear's SFTPSERVER_PATH
BIG = 4 << 20

GUEST_SCRIPT = r"""
for i in $(seq 300); do [ -s /run/netd.status ] && break; sleep 0.1; done
mkdir -p /root/.ssh
cp {dir}/authorized_keys /root/.ssh/authorized_keys
chmod 700 /root/.ssh; chmod 600 /root/.ssh/authorized_keys
{dropbear} -F -E -s -r {dir}/hostkey -p 22 &
for i in $(seq 300); do netstat -ltn | grep -q ':22 ' && break; sleep 0.1; done
echo ssh-ready
read -r _
"""


def ssh_argv(port, key, program="/usr/bin/ssh"):
	port_flag = "-P" if program == SCP else "-p"
	return [program, port_flag, str(port), "-i", key, "-F", "/dev/null",
		"-o", "StrictHostKeyChecking=no",
		"-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
		"-o", "BatchMode=yes", "-o", "ConnectTimeout=30"]


def run(argv, stdin=None):
	print("$ " + " ".join(argv), flush=True)
	proc = subprocess.run(argv, input=stdin, capture_output=True,
			      timeout=120)
	out = proc.stdout.decode(errors="replace")
	print(out + proc.stderr.decode(errors="replace") +
	      "[status %d]" % proc.returncode, flush=True)
	return proc.returncode, out


def check_commands(ssh):
	status, out = run(ssh + ["uname -r; exit 3"])
	if status != 3 or out.split() != ["6.12.0-petrel"]:
		fail("`ssh uname -r; exit 3`: status %d, output %r" % (status, out))
	data = os.urandom(100000)
	status, out = run(ssh + ["sha256sum"], stdin=data)
	want = hashlib.sha256(data).hexdigest()
	if status != 0 or out.split()[:1] != [want]:
		fail("stdin through ssh: status %d, %r, want %s" % (status, out, want))


def set_size(fd, rows, cols):
	fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def check_shell(ssh):
	console = Console(ssh[:1] + ["-tt"] + ssh[1:])
	try:
		set_size(console.fd, 33, 111)
		# The command lines echo too: the markers match only the output.
		console.send(b"echo T=$(tty) S=$(stty size)\r")
		if not console.wait_for(b"S=33 111", 60):
			fail("the shell did not report /dev/pts/N and 33 111")
		if not re.search(rb"T=/dev/pts/\d+ S=33 111", console.seen):
			fail("tty did not name a /dev/pts slave")
		start = len(console.seen)
		set_size(console.fd, 40, 120)
		time.sleep(1)	# ssh sends the change on SIGWINCH
		console.send(b"echo S2=$(stty size)\r")
		if not console.wait_for(b"S2=40 120", 20, start):
			fail("stty size did not follow the window change")
		# ash reads a line with the terminal raw, so a Ctrl-C typed
		# before it runs the line is a plain character: wait for the
		# echo's output, then for sleep to start.
		start = len(console.seen)
		console.send(b"echo sl''eeping; sleep 100\r")
		if not console.wait_for(b"sleeping", 20, start):
			fail("the shell did not run `echo sleeping; sleep 100`")
		console.read(1.5)
		start = len(console.seen)
		t0 = time.monotonic()
		console.send(b"\x03")
		console.send(b"echo st=$?\r")
		if not console.wait_for(b"st=130", 20, start):
			fail("Ctrl-C did not end sleep 100 (no st=130)")
		print("\n[Ctrl-C took %.1fs]" % (time.monotonic() - t0))
		console.send(b"exit 5\r")
		status = console.wait_exit(30)
		if status != 5:
			fail("ssh -tt ended with %r after `exit 5`" % status)
	finally:
		console.kill()


def check_copy(ssh, scp, tmp, mode):
	"""Copies tmp/big up and back down with scp in mode (-O or -s)."""
	src = os.path.join(tmp, "big")
	back = os.path.join(tmp, "back" + mode)
	remote = "/tmp/up" + mode
	want = file_sha256(src)
	status, _ = run(scp + [mode, src, "root@127.0.0.1:" + remote])
	if status != 0:
		fail("scp %s up: status %d" % (mode, status))
	status, out = run(ssh + ["sha256sum " + remote])
	if status != 0 or out.split()[:1] != [want]:
		fail("scp %s up: the guest's copy is %r, want %s" % (mode, out, want))
	status, _ = run(scp + [mode, "root@127.0.0.1:" + remote, back])
	if status != 0 or file_sha256(back) != want:
		fail("scp %s down: status %d, wrong checksum" % (mode, status))
	print("scp %s: %d bytes both ways, sha256 %s" % (mode, BIG, want))


need_packages(["dropbear-bin", "openssh-client"],
	      [DROPBEAR, "/usr/bin/dropbearkey", "/usr/bin/ssh", SCP,
	       "/usr/bin/ssh-keygen"])
sftp = have_packages(["openssh-sftp-server"], [SFTP_SERVER])
with tempfile.TemporaryDirectory(prefix="petrel-ssh-") as tmp:
	key = os.path.join(tmp, "userkey")
	subprocess.run(["dropbearkey", "-t", "ed25519", "-f",
			os.path.join(tmp, "hostkey")], check=True,
		       capture_output=True)
	subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "",
			"-f", key], check=True)
	os.rename(key + ".pub", os.path.join(tmp, "authorized_keys"))
	with open(os.path.join(tmp, "big"), "wb") as f:
		f.write(os.urandom(BIG))
	script = os.path.join(tmp, "start.sh")
	with open(script, "w") as f:
		f.write(GUEST_SCRIPT.format(dir=tmp, dropbear=DROPBEAR) + GUEST_END)
	packs = [DROPBEAR, SCP, tmp] + ([SFTP_SERVER] if sftp else [])
	with Guest(["/bin/sh", script], packs, ports=[22]) as guest:
		guest.wait_for("ssh-ready", 120)
		ssh = ssh_argv(guest.port[22], key) + ["root@127.0.0.1"]
		scp = ssh_argv(guest.port[22], key, SCP)
		check_commands(ssh)
		check_shell(ssh)
		check_copy(ssh, scp, tmp, "-O")
		if sftp:
			check_copy(ssh, scp, tmp, "-s")
		else:
			print("no %s: scp over SFTP skipped" % SFTP_SERVER)
		guest.finish()
passed()
