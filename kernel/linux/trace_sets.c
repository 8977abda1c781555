/*
 * The system-call tracer's tables: the named sets of flags and values that
 * syscalls.master gives arguments (":open", ":prot"...), and the names of
 * signals and error numbers, as strace prints them. Values are Linux's
 * x86_64 ones.
 */
#include <kernel/types.h>
#include <kernel/string.h>
#include <kernel/vfs.h>
#include "trace_fmt.h"

struct trace_name {
	uint64_t value;
	const char *name;
};

/*
 * A set: values under enum_mask are one of `values` (O_RDONLY, SOCK_STREAM,
 * a whole ioctl request when the mask is all ones); the bits outside it
 * are `flags`, each printed when all its bits are set, widest first.
 */
struct trace_set_desc {
	uint64_t enum_mask;
	const struct trace_name *values;
	const struct trace_name *flags;
	bool enum_is_signal;	/* clone: the low byte is the exit signal */
};

#define END { 0, NULL }

static const struct trace_name open_values[] = {
	{ 0, "O_RDONLY" }, { 1, "O_WRONLY" }, { 2, "O_RDWR" }, END
};
static const struct trace_name open_flags[] = {
	{ 020000000 | O_DIRECTORY, "O_TMPFILE" }, { 04010000, "O_SYNC" },
	{ 0100, "O_CREAT" }, { 0200, "O_EXCL" }, { 0400, "O_NOCTTY" },
	{ 01000, "O_TRUNC" }, { 02000, "O_APPEND" }, { 04000, "O_NONBLOCK" },
	{ 010000, "O_DSYNC" }, { 020000, "O_ASYNC" }, { O_DIRECT, "O_DIRECT" },
	{ O_LARGEFILE, "O_LARGEFILE" }, { O_DIRECTORY, "O_DIRECTORY" },
	{ O_NOFOLLOW, "O_NOFOLLOW" }, { 01000000, "O_NOATIME" },
	{ 02000000, "O_CLOEXEC" }, { 010000000, "O_PATH" }, END
};
static const struct trace_name fdflags_flags[] = {
	{ 04000, "O_NONBLOCK" }, { 02000000, "O_CLOEXEC" }, END
};
static const struct trace_name at_flags[] = {
	{ 0x100, "AT_SYMLINK_NOFOLLOW" }, { 0x200, "AT_REMOVEDIR" },
	{ 0x400, "AT_SYMLINK_FOLLOW" }, { 0x800, "AT_NO_AUTOMOUNT" },
	{ 0x1000, "AT_EMPTY_PATH" }, { 0x2000, "AT_STATX_FORCE_SYNC" },
	{ 0x4000, "AT_STATX_DONT_SYNC" }, END
};
static const struct trace_name prot_values[] = { { 0, "PROT_NONE" }, END };
static const struct trace_name prot_flags[] = {
	{ 1, "PROT_READ" }, { 2, "PROT_WRITE" }, { 4, "PROT_EXEC" },
	{ 8, "PROT_SEM" }, { 0x01000000, "PROT_GROWSDOWN" },
	{ 0x02000000, "PROT_GROWSUP" }, END
};
static const struct trace_name map_values[] = {
	{ 1, "MAP_SHARED" }, { 2, "MAP_PRIVATE" },
	{ 3, "MAP_SHARED_VALIDATE" }, END
};
static const struct trace_name map_flags[] = {
	{ 0x10, "MAP_FIXED" }, { 0x20, "MAP_ANONYMOUS" }, { 0x40, "MAP_32BIT" },
	{ 0x100, "MAP_GROWSDOWN" }, { 0x800, "MAP_DENYWRITE" },
	{ 0x1000, "MAP_EXECUTABLE" }, { 0x2000, "MAP_LOCKED" },
	{ 0x4000, "MAP_NORESERVE" }, { 0x8000, "MAP_POPULATE" },
	{ 0x10000, "MAP_NONBLOCK" }, { 0x20000, "MAP_STACK" },
	{ 0x40000, "MAP_HUGETLB" }, { 0x80000, "MAP_SYNC" },
	{ 0x100000, "MAP_FIXED_NOREPLACE" }, END
};
static const struct trace_name mremap_flags[] = {
	{ 1, "MREMAP_MAYMOVE" }, { 2, "MREMAP_FIXED" },
	{ 4, "MREMAP_DONTUNMAP" }, END
};
static const struct trace_name msync_flags[] = {
	{ 1, "MS_ASYNC" }, { 2, "MS_INVALIDATE" }, { 4, "MS_SYNC" }, END
};
static const struct trace_name madv_values[] = {
	{ 0, "MADV_NORMAL" }, { 1, "MADV_RANDOM" }, { 2, "MADV_SEQUENTIAL" },
	{ 3, "MADV_WILLNEED" }, { 4, "MADV_DONTNEED" }, { 8, "MADV_FREE" },
	{ 9, "MADV_REMOVE" }, { 10, "MADV_DONTFORK" }, { 11, "MADV_DOFORK" },
	{ 12, "MADV_MERGEABLE" }, { 13, "MADV_UNMERGEABLE" },
	{ 14, "MADV_HUGEPAGE" }, { 15, "MADV_NOHUGEPAGE" },
	{ 16, "MADV_DONTDUMP" }, { 17, "MADV_DODUMP" }, END
};
static const struct trace_name clone_flags[] = {
	{ 0x100, "CLONE_VM" }, { 0x200, "CLONE_FS" }, { 0x400, "CLONE_FILES" },
	{ 0x800, "CLONE_SIGHAND" }, { 0x1000, "CLONE_PIDFD" },
	{ 0x2000, "CLONE_PTRACE" }, { 0x4000, "CLONE_VFORK" },
	{ 0x8000, "CLONE_PARENT" }, { 0x10000, "CLONE_THREAD" },
	{ 0x20000, "CLONE_NEWNS" }, { 0x40000, "CLONE_SYSVSEM" },
	{ 0x80000, "CLONE_SETTLS" }, { 0x100000, "CLONE_PARENT_SETTID" },
	{ 0x200000, "CLONE_CHILD_CLEARTID" }, { 0x400000, "CLONE_DETACHED" },
	{ 0x800000, "CLONE_UNTRACED" }, { 0x1000000, "CLONE_CHILD_SETTID" },
	{ 0x2000000, "CLONE_NEWCGROUP" }, { 0x4000000, "CLONE_NEWUTS" },
	{ 0x8000000, "CLONE_NEWIPC" }, { 0x10000000, "CLONE_NEWUSER" },
	{ 0x20000000, "CLONE_NEWPID" }, { 0x40000000, "CLONE_NEWNET" },
	{ 0x80000000, "CLONE_IO" }, END
};
static const struct trace_name access_values[] = { { 0, "F_OK" }, END };
static const struct trace_name access_flags[] = {
	{ 4, "R_OK" }, { 2, "W_OK" }, { 1, "X_OK" }, END
};
static const struct trace_name seek_values[] = {
	{ 0, "SEEK_SET" }, { 1, "SEEK_CUR" }, { 2, "SEEK_END" },
	{ 3, "SEEK_DATA" }, { 4, "SEEK_HOLE" }, END
};
static const struct trace_name fcntl_values[] = {
	{ 0, "F_DUPFD" }, { 1, "F_GETFD" }, { 2, "F_SETFD" }, { 3, "F_GETFL" },
	{ 4, "F_SETFL" }, { 5, "F_GETLK" }, { 6, "F_SETLK" }, { 7, "F_SETLKW" },
	{ 8, "F_SETOWN" }, { 9, "F_GETOWN" }, { 10, "F_SETSIG" },
	{ 11, "F_GETSIG" }, { 15, "F_SETOWN_EX" }, { 16, "F_GETOWN_EX" },
	{ 36, "F_OFD_GETLK" }, { 37, "F_OFD_SETLK" }, { 38, "F_OFD_SETLKW" },
	{ 1024, "F_SETLEASE" }, { 1025, "F_GETLEASE" }, { 1026, "F_NOTIFY" },
	{ 1030, "F_DUPFD_CLOEXEC" }, { 1031, "F_SETPIPE_SZ" },
	{ 1032, "F_GETPIPE_SZ" }, { 1033, "F_ADD_SEALS" },
	{ 1034, "F_GET_SEALS" }, END
};
static const struct trace_name sighow_values[] = {
	{ 0, "SIG_BLOCK" }, { 1, "SIG_UNBLOCK" }, { 2, "SIG_SETMASK" }, END
};
static const struct trace_name wait_flags[] = {
	{ 1, "WNOHANG" }, { 2, "WSTOPPED" }, { 4, "WEXITED" },
	{ 8, "WCONTINUED" }, { 0x1000000, "WNOWAIT" },
	{ 0x20000000, "__WNOTHREAD" }, { 0x40000000, "__WALL" },
	{ 0x80000000, "__WCLONE" }, END
};
static const struct trace_name af_values[] = {
	{ 0, "AF_UNSPEC" }, { 1, "AF_UNIX" }, { 2, "AF_INET" },
	{ 10, "AF_INET6" }, { 16, "AF_NETLINK" }, { 17, "AF_PACKET" }, END
};
static const struct trace_name socktype_values[] = {
	{ 1, "SOCK_STREAM" }, { 2, "SOCK_DGRAM" }, { 3, "SOCK_RAW" },
	{ 4, "SOCK_RDM" }, { 5, "SOCK_SEQPACKET" }, { 10, "SOCK_PACKET" }, END
};
static const struct trace_name socktype_flags[] = {
	{ 04000, "SOCK_NONBLOCK" }, { 02000000, "SOCK_CLOEXEC" }, END
};
static const struct trace_name shut_values[] = {
	{ 0, "SHUT_RD" }, { 1, "SHUT_WR" }, { 2, "SHUT_RDWR" }, END
};
static const struct trace_name clock_values[] = {
	{ 0, "CLOCK_REALTIME" }, { 1, "CLOCK_MONOTONIC" },
	{ 2, "CLOCK_PROCESS_CPUTIME_ID" }, { 3, "CLOCK_THREAD_CPUTIME_ID" },
	{ 4, "CLOCK_MONOTONIC_RAW" }, { 5, "CLOCK_REALTIME_COARSE" },
	{ 6, "CLOCK_MONOTONIC_COARSE" }, { 7, "CLOCK_BOOTTIME" },
	{ 8, "CLOCK_REALTIME_ALARM" }, { 9, "CLOCK_BOOTTIME_ALARM" },
	{ 11, "CLOCK_TAI" }, END
};
static const struct trace_name futex_values[] = {
	{ 0, "FUTEX_WAIT" }, { 1, "FUTEX_WAKE" }, { 2, "FUTEX_FD" },
	{ 3, "FUTEX_REQUEUE" }, { 4, "FUTEX_CMP_REQUEUE" },
	{ 5, "FUTEX_WAKE_OP" }, { 6, "FUTEX_LOCK_PI" },
	{ 7, "FUTEX_UNLOCK_PI" }, { 8, "FUTEX_TRYLOCK_PI" },
	{ 9, "FUTEX_WAIT_BITSET" }, { 10, "FUTEX_WAKE_BITSET" },
	{ 11, "FUTEX_WAIT_REQUEUE_PI" }, { 12, "FUTEX_CMP_REQUEUE_PI" },
	{ 13, "FUTEX_LOCK_PI2" }, END
};
static const struct trace_name futex_flags[] = {
	{ 128, "FUTEX_PRIVATE_FLAG" }, { 256, "FUTEX_CLOCK_REALTIME" }, END
};
static const struct trace_name ioctl_values[] = {
	{ 0x5401, "TCGETS" }, { 0x5402, "TCSETS" }, { 0x5403, "TCSETSW" },
	{ 0x5404, "TCSETSF" }, { 0x5409, "TCSBRK" }, { 0x540a, "TCXONC" },
	{ 0x540b, "TCFLSH" }, { 0x540e, "TIOCSCTTY" }, { 0x540f, "TIOCGPGRP" },
	{ 0x5410, "TIOCSPGRP" }, { 0x5411, "TIOCOUTQ" },
	{ 0x5413, "TIOCGWINSZ" }, { 0x5414, "TIOCSWINSZ" },
	{ 0x541b, "FIONREAD" }, { 0x5421, "FIONBIO" }, { 0x5422, "TIOCNOTTY" },
	{ 0x5429, "TIOCGSID" }, { 0x5450, "FIONCLEX" }, { 0x5451, "FIOCLEX" },
	{ 0x5452, "FIOASYNC" }, { 0x80045430, "TIOCGPTN" },
	{ 0x40045431, "TIOCSPTLCK" }, END
};
static const struct trace_name archprctl_values[] = {
	{ 0x1001, "ARCH_SET_GS" }, { 0x1002, "ARCH_SET_FS" },
	{ 0x1003, "ARCH_GET_FS" }, { 0x1004, "ARCH_GET_GS" }, END
};
static const struct trace_name rlimit_values[] = {
	{ 0, "RLIMIT_CPU" }, { 1, "RLIMIT_FSIZE" }, { 2, "RLIMIT_DATA" },
	{ 3, "RLIMIT_STACK" }, { 4, "RLIMIT_CORE" }, { 5, "RLIMIT_RSS" },
	{ 6, "RLIMIT_NPROC" }, { 7, "RLIMIT_NOFILE" }, { 8, "RLIMIT_MEMLOCK" },
	{ 9, "RLIMIT_AS" }, { 10, "RLIMIT_LOCKS" }, { 11, "RLIMIT_SIGPENDING" },
	{ 12, "RLIMIT_MSGQUEUE" }, { 13, "RLIMIT_NICE" },
	{ 14, "RLIMIT_RTPRIO" }, { 15, "RLIMIT_RTTIME" }, END
};
static const struct trace_name epollctl_values[] = {
	{ 1, "EPOLL_CTL_ADD" }, { 2, "EPOLL_CTL_DEL" }, { 3, "EPOLL_CTL_MOD" },
	END
};

#define ALL ~0ull
static const struct trace_set_desc sets[TRS_COUNT] = {
	[TRS_OPEN] = { 3, open_values, open_flags, false },
	[TRS_FDFLAGS] = { 0, NULL, fdflags_flags, false },
	[TRS_AT] = { 0, NULL, at_flags, false },
	[TRS_PROT] = { 0, prot_values, prot_flags, false },
	[TRS_MAP] = { 3, map_values, map_flags, false },
	[TRS_MREMAP] = { 0, NULL, mremap_flags, false },
	[TRS_MSYNC] = { 0, NULL, msync_flags, false },
	[TRS_MADV] = { ALL, madv_values, NULL, false },
	[TRS_CLONE] = { 0xff, NULL, clone_flags, true },
	[TRS_ACCESS] = { 0, access_values, access_flags, false },
	[TRS_SEEK] = { ALL, seek_values, NULL, false },
	[TRS_FCNTL] = { ALL, fcntl_values, NULL, false },
	[TRS_SIGHOW] = { ALL, sighow_values, NULL, false },
	[TRS_WAIT] = { 0, NULL, wait_flags, false },
	[TRS_AF] = { ALL, af_values, NULL, false },
	[TRS_SOCKTYPE] = { 0xf, socktype_values, socktype_flags, false },
	[TRS_SHUT] = { ALL, shut_values, NULL, false },
	[TRS_CLOCK] = { ALL, clock_values, NULL, false },
	[TRS_FUTEX] = { 0x7f, futex_values, futex_flags, false },
	[TRS_IOCTL] = { ALL, ioctl_values, NULL, false },
	[TRS_ARCHPRCTL] = { ALL, archprctl_values, NULL, false },
	[TRS_RLIMIT] = { ALL, rlimit_values, NULL, false },
	[TRS_EPOLLCTL] = { ALL, epollctl_values, NULL, false },
};

static const char *
name_of(const struct trace_name *names, uint64_t value)
{
	for (; names && names->name; names++)
		if (names->value == value)
			return names->name;
	return NULL;
}

/* Prints the enumerated part of v; returns whether it printed anything. */
static bool
format_enum(struct tbuf *b, const struct trace_set_desc *s, uint64_t value,
	    bool alone, bool after)
{
	const char *name = s->enum_is_signal ? trace_signal_name((int)value)
					     : name_of(s->values, value);
	const char *bar = after ? "|" : "";
	if (name)
		tb_printf(b, "%s%s", bar, name);
	else if (value != 0 || alone)
		tb_printf(b, s->enum_mask == ALL ? "%s%ld" : "%s%#lx", bar,
			  (long)value);
	else
		return false;
	return true;
}

/* Prints the flags of v; returns what is left unnamed. */
static uint64_t
format_flags(struct tbuf *b, const struct trace_set_desc *s, uint64_t rest,
	     bool *any)
{
	for (const struct trace_name *f = s->flags; f && f->name; f++) {
		if ((rest & f->value) != f->value)
			continue;
		tb_printf(b, "%s%s", *any ? "|" : "", f->name);
		rest &= ~f->value;
		*any = true;
	}
	return rest;
}

void
trace_format_set(struct tbuf *b, unsigned set, uint64_t v)
{
	const struct trace_set_desc *s = &sets[set];
	uint64_t rest = v & ~s->enum_mask;
	bool any = false;

	if (s->enum_mask == 0 && v == 0 && name_of(s->values, 0)) {
		tb_puts(b, name_of(s->values, 0));	/* PROT_NONE, F_OK */
		return;
	}
	/* strace puts clone's exit signal last, O_RDONLY first. */
	if (s->enum_mask != 0 && !s->enum_is_signal)
		any = format_enum(b, s, v & s->enum_mask, rest == 0, false);
	if (s->enum_mask == ALL)
		return;
	rest = format_flags(b, s, rest, &any);
	if (rest)
		tb_printf(b, "%s%#lx", any ? "|" : "", rest);
	any = any || rest;
	if (s->enum_is_signal)
		any = format_enum(b, s, v & s->enum_mask, !any, any) || any;
	if (!any)
		tb_puts(b, "0");
}

static const char *const signal_names[32] = {
	NULL, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
	"SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2",
	"SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",
	"SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
	"SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR",
	"SIGSYS",
};

const char *
trace_signal_name(int sig)
{
	static const char *const rt[] = {
		"SIGRTMIN", "SIGRT_1", "SIGRT_2", "SIGRT_3", "SIGRT_4",
		"SIGRT_5", "SIGRT_6", "SIGRT_7", "SIGRT_8", "SIGRT_9",
		"SIGRT_10", "SIGRT_11", "SIGRT_12", "SIGRT_13", "SIGRT_14",
		"SIGRT_15", "SIGRT_16", "SIGRT_17", "SIGRT_18", "SIGRT_19",
		"SIGRT_20", "SIGRT_21", "SIGRT_22", "SIGRT_23", "SIGRT_24",
		"SIGRT_25", "SIGRT_26", "SIGRT_27", "SIGRT_28", "SIGRT_29",
		"SIGRT_30", "SIGRT_31", "SIGRT_32",
	};
	if (sig > 0 && sig < 32)
		return signal_names[sig];
	/* glibc keeps 32 and 33 for itself: SIGRTMIN is 34 to programs. */
	if (sig >= 32 && sig <= 64)
		return rt[sig - 32];
	return NULL;
}

struct errno_name {
	const char *name;
	const char *message;	/* glibc's strerror */
};

static const struct errno_name errno_names[] = {
	[1] = { "EPERM", "Operation not permitted" },
	[2] = { "ENOENT", "No such file or directory" },
	[3] = { "ESRCH", "No such process" },
	[4] = { "EINTR", "Interrupted system call" },
	[5] = { "EIO", "Input/output error" },
	[6] = { "ENXIO", "No such device or address" },
	[7] = { "E2BIG", "Argument list too long" },
	[8] = { "ENOEXEC", "Exec format error" },
	[9] = { "EBADF", "Bad file descriptor" },
	[10] = { "ECHILD", "No child processes" },
	[11] = { "EAGAIN", "Resource temporarily unavailable" },
	[12] = { "ENOMEM", "Cannot allocate memory" },
	[13] = { "EACCES", "Permission denied" },
	[14] = { "EFAULT", "Bad address" },
	[15] = { "ENOTBLK", "Block device required" },
	[16] = { "EBUSY", "Device or resource busy" },
	[17] = { "EEXIST", "File exists" },
	[18] = { "EXDEV", "Invalid cross-device link" },
	[19] = { "ENODEV", "No such device" },
	[20] = { "ENOTDIR", "Not a directory" },
	[21] = { "EISDIR", "Is a directory" },
	[22] = { "EINVAL", "Invalid argument" },
	[23] = { "ENFILE", "Too many open files in system" },
	[24] = { "EMFILE", "Too many open files" },
	[25] = { "ENOTTY", "Inappropriate ioctl for device" },
	[26] = { "ETXTBSY", "Text file busy" },
	[27] = { "EFBIG", "File too large" },
	[28] = { "ENOSPC", "No space left on device" },
	[29] = { "ESPIPE", "Illegal seek" },
	[30] = { "EROFS", "Read-only file system" },
	[31] = { "EMLINK", "Too many links" },
	[32] = { "EPIPE", "Broken pipe" },
	[33] = { "EDOM", "Numerical argument out of domain" },
	[34] = { "ERANGE", "Numerical result out of range" },
	[35] = { "EDEADLK", "Resource deadlock avoided" },
	[36] = { "ENAMETOOLONG", "File name too long" },
	[37] = { "ENOLCK", "No locks available" },
	[38] = { "ENOSYS", "Function not implemented" },
	[39] = { "ENOTEMPTY", "Directory not empty" },
	[40] = { "ELOOP", "Too many levels of symbolic links" },
	[42] = { "ENOMSG", "No message of desired type" },
	[43] = { "EIDRM", "Identifier removed" },
	[61] = { "ENODATA", "No data available" },
	[62] = { "ETIME", "Timer expired" },
	[71] = { "EPROTO", "Protocol error" },
	[74] = { "EBADMSG", "Bad message" },
	[75] = { "EOVERFLOW", "Value too large for defined data type" },
	[77] = { "EBADFD", "File descriptor in bad state" },
	[80] = { "ELIBBAD", "Accessing a corrupted shared library" },
	[84] = { "EILSEQ", "Invalid or incomplete multibyte or wide "
			   "character" },
	[88] = { "ENOTSOCK", "Socket operation on non-socket" },
	[89] = { "EDESTADDRREQ", "Destination address required" },
	[90] = { "EMSGSIZE", "Message too long" },
	[91] = { "EPROTOTYPE", "Protocol wrong type for socket" },
	[92] = { "ENOPROTOOPT", "Protocol not available" },
	[93] = { "EPROTONOSUPPORT", "Protocol not supported" },
	[94] = { "ESOCKTNOSUPPORT", "Socket type not supported" },
	[95] = { "EOPNOTSUPP", "Operation not supported" },
	[96] = { "EPFNOSUPPORT", "Protocol family not supported" },
	[97] = { "EAFNOSUPPORT", "Address family not supported by protocol" },
	[98] = { "EADDRINUSE", "Address already in use" },
	[99] = { "EADDRNOTAVAIL", "Cannot assign requested address" },
	[100] = { "ENETDOWN", "Network is down" },
	[101] = { "ENETUNREACH", "Network is unreachable" },
	[102] = { "ENETRESET", "Network dropped connection on reset" },
	[103] = { "ECONNABORTED", "Software caused connection abort" },
	[104] = { "ECONNRESET", "Connection reset by peer" },
	[105] = { "ENOBUFS", "No buffer space available" },
	[106] = { "EISCONN", "Transport endpoint is already connected" },
	[107] = { "ENOTCONN", "Transport endpoint is not connected" },
	[108] = { "ESHUTDOWN", "Cannot send after transport endpoint "
			       "shutdown" },
	[110] = { "ETIMEDOUT", "Connection timed out" },
	[111] = { "ECONNREFUSED", "Connection refused" },
	[112] = { "EHOSTDOWN", "Host is down" },
	[113] = { "EHOSTUNREACH", "No route to host" },
	[114] = { "EALREADY", "Operation already in progress" },
	[115] = { "EINPROGRESS", "Operation now in progress" },
	[116] = { "ESTALE", "Stale file handle" },
	[122] = { "EDQUOT", "Disk quota exceeded" },
	[125] = { "ECANCELED", "Operation canceled" },
	[130] = { "EOWNERDEAD", "Owner died" },
	[131] = { "ENOTRECOVERABLE", "State not recoverable" },
};

/* The kernel's own, never seen by programs: strace's words for them. */
static const struct trace_name restart_names[] = {
	{ 512, "ERESTARTSYS" }, { 513, "ERESTARTNOINTR" },
	{ 514, "ERESTARTNOHAND" }, { 516, "ERESTART_RESTARTBLOCK" }, END
};
static const char *const restart_messages[] = {
	"To be restarted if SA_RESTART is set", "To be restarted",
	"To be restarted if no handler", "", "Interrupted by signal",
};

const char *
trace_errno_name(int err, const char **message)
{
	if (err > 0 && (size_t)err < ARRAY_SIZE(errno_names) &&
	    errno_names[err].name) {
		*message = errno_names[err].message;
		return errno_names[err].name;
	}
	const char *name = name_of(restart_names, (uint64_t)err);
	*message = name ? restart_messages[err - 512] : NULL;
	return name;
}
