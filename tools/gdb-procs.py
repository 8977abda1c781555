# tools/gdb-procs.py: a gdb script that prints a stopped Petrel guest's
# processes and threads (what each sleeps on, its pending and blocked
# signals, its system call), read from the kernel's own lists through
# QEMU's gdb stub. tools/fuzz-run runs it on a hung boot; by hand:
#
#   (qemu) gdbserver tcp:127.0.0.1:12345
#   gdb -batch -ex 'target remote 127.0.0.1:12345' \
#       -ex 'source tools/gdb-procs.py' build/kernel.elf
import gdb


def entries(head, typ, field):
	"""The typ structures linked through field on the list at head."""
	off = int(gdb.parse_and_eval(
		"(unsigned long)&((%s *)0)->%s" % (typ, field)))
	node, out = head["next"], []
	while int(node) != int(head.address) and len(out) < 100000:
		out.append(gdb.parse_and_eval(
			"(%s *)%d" % (typ, int(node) - off)).dereference())
		node = node["next"]
	return out


for p in entries(gdb.parse_and_eval("all_procs"), "struct proc", "all_link"):
	print("pid %d %s %s ppid %d uid %d euid %d pgid %d sid %d%s%s%s "
	      "pending %#x" % (
		int(p["pid"]), p["name"].string(), p["state"],
		int(p["parent"]["pid"]) if int(p["parent"]) else 0,
		int(p["uid"]), int(p["euid"]), int(p["pgid"]), int(p["sid"]),
		" stopped(%d)" % int(p["stop_sig"]) if p["stopped"] else "",
		" exiting" if p["exiting"] else "",
		" ctty" if int(p["ctty"]) else "", int(p["sig_pending"])))
	for t in entries(p["threads"], "struct thread", "proc_link"):
		traced = ""
		if int(t["ptrace"]) and int(t["ptrace"]["tracer"]):
			traced = " traced by pid %d" % int(
				t["ptrace"]["tracer"]["pid"])
		elif int(t["ptrace"]):
			traced = " (was traced)"
		print("  tid %d %s on %s syscall %d pending %#x blocked %#x%s" % (
			int(t["tid"]), t["state"], t["waiting_on"],
			int(t["syscall_nr"]), int(t["sig_pending"]),
			int(t["sig_blocked"]), traced))
		# The frame its entry from user mode saved: the call and its
		# first arguments, which say what a sleeper waits for (a
		# futex's address, a descriptor).
		try:
			if int(t["tf"]) and str(t["state"]) != "THREAD_RUNNING":
				tf = t["tf"].dereference()
				print("    user rip %#x rax %#x rdi %#x rsi %#x "
				      "rdx %#x" % (int(tf["rip"]), int(tf["rax"]),
						   int(tf["rdi"]), int(tf["rsi"]),
						   int(tf["rdx"])))
		except gdb.error:	# another arch's frame, or unreadable
			pass
