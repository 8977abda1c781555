/*
 * Capabilities as Linux keeps them: root's sets (permitted and effective
 * its bounding set, /proc/self/status and cap_last_cap agreeing), capset's
 * rules, each dropped capability refusing what it stood for (chown, DAC
 * override, FOWNER, kill, chroot, mknod, setuid, pipe sizes), prctl's
 * bounding set, ambient set and securebits, setuid's and setfsuid's
 * changes to the sets (KEEP_CAPS, NO_SETUID_FIXUP), execve's new sets
 * (root regains its bounding set unless SECBIT_NOROOT; others keep their
 * ambient set), and a CLONE_PARENT child made with its maker's ids and
 * sets. Each case runs in a child, so the next starts with root's sets.
 * Masks are compared, never printed: the host may hold fewer than all
 * (its container lacks CAP_SYS_RESOURCE).
 */
#include "abi.h"

#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/fsuid.h>
#include <grp.h>

#define SELF "/proc/self/exe"
#define NOBODY 65534
#define CAP_V1 0x19980330
#define CAP_V3 0x20080522

#define CAP_CHOWN 0
#define CAP_DAC_OVERRIDE 1
#define CAP_DAC_READ_SEARCH 2
#define CAP_FOWNER 3
#define CAP_KILL 5
#define CAP_SETGID 6
#define CAP_SETUID 7
#define CAP_SETPCAP 8
#define CAP_NET_RAW 13
#define CAP_SYS_CHROOT 18
#define CAP_SYS_ADMIN 21
#define CAP_SYS_RESOURCE 24
#define CAP_MKNOD 27
#define BIT(cap) (1ull << (cap))

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_IS_SET 1
#define PR_CAP_AMBIENT_RAISE 2
#define PR_CAP_AMBIENT_LOWER 3
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif
#define SECBIT_NOROOT 0x01
#define SECBIT_NOROOT_LOCKED 0x02
#define SECBIT_NO_SETUID_FIXUP 0x04
#define SECBIT_KEEP_CAPS 0x10

/* What the cases need and any root, in a container or not, holds. */
#define NEEDED (BIT(CAP_CHOWN) | BIT(CAP_DAC_OVERRIDE) | \
		BIT(CAP_DAC_READ_SEARCH) | BIT(CAP_FOWNER) | BIT(CAP_KILL) | \
		BIT(CAP_SETGID) | BIT(CAP_SETUID) | BIT(CAP_SETPCAP) | \
		BIT(CAP_NET_RAW) | BIT(CAP_SYS_CHROOT) | BIT(CAP_MKNOD))

struct cap_header {
	unsigned version;
	int pid;
};

struct cap_data {
	unsigned effective, permitted, inheritable;
};

struct sets {
	unsigned long long eff, perm, inh;
};

static char scratch[64];

static struct sets
get_sets(void)
{
	struct cap_header h = { CAP_V3, 0 };
	struct cap_data d[2];
	memset(d, 0, sizeof(d));
	syscall(SYS_capget, &h, d);
	return (struct sets){
		d[0].effective | (unsigned long long)d[1].effective << 32,
		d[0].permitted | (unsigned long long)d[1].permitted << 32,
		d[0].inheritable | (unsigned long long)d[1].inheritable << 32,
	};
}

static long
set_sets(unsigned long long eff, unsigned long long perm,
    unsigned long long inh)
{
	struct cap_header h = { CAP_V3, 0 };
	struct cap_data d[2] = {
		{ (unsigned)eff, (unsigned)perm, (unsigned)inh },
		{ (unsigned)(eff >> 32), (unsigned)(perm >> 32),
		  (unsigned)(inh >> 32) },
	};
	return syscall(SYS_capset, &h, d);
}

/* The effective set less cap (the others kept). */
static long
drop_effective(int cap)
{
	struct sets s = get_sets();
	return set_sets(s.eff & ~BIT(cap), s.perm, s.inh);
}

/* A CapXxx line of /proc/self/status. */
static unsigned long long
status_mask(const char *name)
{
	char buf[4096], key[16];
	int fd = open("/proc/self/status", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return ~0ull;
	buf[n] = 0;
	snprintf(key, sizeof(key), "\n%s:\t", name);
	char *at = strstr(buf, key);
	return at ? strtoull(at + strlen(key), NULL, 16) : ~0ull;
}

static long
bounding_set(void)
{
	return (long)status_mask("CapBnd");
}

/* Ends a case's child: its checks' verdict as the exit status. */
static void
child_done(void)
{
	fflush(stdout);
	_exit(abi_failures ? 1 : 0);
}

static void
run_case(const char *name, void (*fn)(void))
{
	pid_t pid = abi_fork();
	if (pid == 0) {
		abi_failures = 0;
		fn();
		child_done();
	}
	CHECK_STR(name, status_str(abi_wait(pid)), "exited 0");
}

static void
case_root_sets(void)
{
	struct sets s = get_sets();
	CHECK("effective is permitted", s.eff == s.perm);
	CHECK("permitted is the bounding set",
	    s.perm == (unsigned long long)bounding_set());
	CHECK_EQ("inheritable", s.inh, 0);
	CHECK("CapEff agrees", status_mask("CapEff") == s.eff);
	CHECK("CapPrm agrees", status_mask("CapPrm") == s.perm);
	CHECK_EQ("CapInh", status_mask("CapInh"), 0);
	CHECK_EQ("CapAmb", status_mask("CapAmb"), 0);
	CHECK_EQ("PR_CAPBSET_READ CAP_CHOWN",
	    prctl(PR_CAPBSET_READ, CAP_CHOWN, 0, 0, 0), 1);
	CHECK_ERR("PR_CAPBSET_READ 64", prctl(PR_CAPBSET_READ, 64, 0, 0, 0),
	    EINVAL);
	CHECK_EQ("PR_GET_SECUREBITS", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0), 0);
	CHECK_EQ("PR_GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 0);
	int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY);
	char buf[16] = { 0 };
	CHECK("cap_last_cap read", fd >= 0 && read(fd, buf, 15) > 0);
	CHECK_EQ("cap_last_cap", atoi(buf), 40);
	close(fd);
}

static void
case_capset_rules(void)
{
	CHECK_OK("capset to the needed set", set_sets(NEEDED, NEEDED, 0));
	struct sets s = get_sets();
	CHECK("capget reads it back", s.eff == NEEDED && s.perm == NEEDED &&
	    s.inh == 0);
	CHECK("CapEff shows it", status_mask("CapEff") == NEEDED);
	CHECK_ERR("permitted raised", set_sets(NEEDED, NEEDED |
	    BIT(CAP_SYS_ADMIN), 0), EPERM);
	CHECK_ERR("effective beyond permitted", set_sets(NEEDED |
	    BIT(CAP_SYS_ADMIN), NEEDED, 0), EPERM);
	CHECK_OK("inheritable beyond permitted, with CAP_SETPCAP",
	    set_sets(NEEDED, NEEDED, BIT(CAP_SYS_ADMIN)));
	CHECK_OK("drop CAP_SETPCAP", set_sets(NEEDED & ~BIT(CAP_SETPCAP),
	    NEEDED, BIT(CAP_SYS_ADMIN)));
	CHECK_ERR("inheritable beyond permitted, without",
	    set_sets(NEEDED & ~BIT(CAP_SETPCAP), NEEDED,
	    BIT(CAP_SYS_ADMIN) | BIT(25)), EPERM);
	CHECK_OK("inheritable within permitted", set_sets(0, NEEDED,
	    BIT(CAP_CHOWN)));
	CHECK_EQ("effective now empty", get_sets().eff, 0);
	struct cap_header h = { CAP_V3, getppid() };
	struct cap_data d[2];
	memset(d, 0, sizeof(d));
	CHECK_ERR("capset the parent", syscall(SYS_capset, &h, d), EPERM);
	h = (struct cap_header){ CAP_V1, getpid() };
	d[0].permitted = d[0].effective = (unsigned)BIT(CAP_KILL);
	CHECK_OK("capset v1, own pid", syscall(SYS_capset, &h, d));
	s = get_sets();
	CHECK("v1 set what it gave", s.eff == BIT(CAP_KILL) &&
	    s.perm == BIT(CAP_KILL) && s.inh == 0);
	CHECK_ERR("gone for good", set_sets(NEEDED, NEEDED, 0), EPERM);
}

/* A root-owned file of mode 0 and one owned by nobody. */
static void
make_files(char *mine, char *theirs)
{
	sprintf(mine, "%s-mine", scratch);
	sprintf(theirs, "%s-theirs", scratch);
	close(open(mine, O_CREAT | O_WRONLY, 0));
	close(open(theirs, O_CREAT | O_WRONLY, 0644));
	chown(theirs, NOBODY, NOBODY);
}

static void
case_dropped_each(void)
{
	char mine[96], theirs[96];
	make_files(mine, theirs);
	CHECK_OK("chown with CAP_CHOWN", chown(mine, 1, 1));
	CHECK_OK("drop CAP_CHOWN", drop_effective(CAP_CHOWN));
	CHECK_ERR("chown without", chown(mine, 2, 2), EPERM);
	CHECK_OK("read mode 0 with the DAC capabilities",
	    close(open(mine, O_RDONLY)));
	CHECK_OK("drop CAP_DAC_OVERRIDE", drop_effective(CAP_DAC_OVERRIDE));
	CHECK_OK("read with CAP_DAC_READ_SEARCH", close(open(mine, O_RDONLY)));
	CHECK_ERR("write without CAP_DAC_OVERRIDE", open(mine, O_WRONLY),
	    EACCES);
	CHECK_OK("drop CAP_DAC_READ_SEARCH",
	    drop_effective(CAP_DAC_READ_SEARCH));
	CHECK_ERR("read without either", open(mine, O_RDONLY), EACCES);
	CHECK_OK("chmod another's file with CAP_FOWNER", chmod(theirs, 0600));
	CHECK_OK("drop CAP_FOWNER", drop_effective(CAP_FOWNER));
	CHECK_ERR("chmod without", chmod(theirs, 0644), EPERM);
	CHECK_OK("drop CAP_SYS_CHROOT", drop_effective(CAP_SYS_CHROOT));
	CHECK_ERR("chroot without", chroot("/"), EPERM);
	CHECK_OK("drop CAP_MKNOD", drop_effective(CAP_MKNOD));
	char dev[96];
	sprintf(dev, "%s-dev", scratch);
	CHECK_ERR("mknod a device without", mknod(dev, S_IFCHR | 0600,
	    makedev(1, 3)), EPERM);
	CHECK_OK("mknod a fifo without", mknod(dev, S_IFIFO | 0600, 0));
	unlink(dev);
	CHECK_OK("drop CAP_SETUID", drop_effective(CAP_SETUID));
	CHECK_ERR("setuid without", setuid(NOBODY), EPERM);
	CHECK_OK("drop CAP_SETGID", drop_effective(CAP_SETGID));
	CHECK_ERR("setgroups without", setgroups(0, NULL), EPERM);
	unlink(mine);
	unlink(theirs);
}

static void
case_kill(void)
{
	pid_t target = abi_fork();
	if (target == 0) {
		setresuid(NOBODY, NOBODY, NOBODY);
		pause();
		_exit(0);
	}
	abi_sleep_ms(100);
	CHECK_OK("drop CAP_KILL", drop_effective(CAP_KILL));
	CHECK_ERR("kill nobody without", kill(target, 0), EPERM);
	CHECK_OK("raise it again", set_sets(get_sets().perm, get_sets().perm,
	    0));
	CHECK_OK("kill nobody with", kill(target, SIGKILL));
	abi_wait(target);
}

/* A sysctl's text (at most size - 1 bytes); "" when unreadable. */
static void
read_sysctl(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);
	buf[n > 0 ? n : 0] = 0;
	if (fd >= 0)
		close(fd);
}

static int
write_sysctl(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	int ok = fd >= 0 && write(fd, text, strlen(text)) > 0;
	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

/* Without CAP_SYS_RESOURCE a new pipe holds no more than pipe-max-size
   (set to a page for a moment) and F_SETPIPE_SZ goes no further. */
static void
case_pipe_size(void)
{
	const char *max = "/proc/sys/fs/pipe-max-size";
	char old[32];
	int fds[2] = { -1, -1 };
	read_sysctl(max, old, sizeof(old));
	CHECK_OK("drop CAP_SYS_RESOURCE", drop_effective(CAP_SYS_RESOURCE));
	CHECK_OK("pipe-max-size 4096", write_sysctl(max, "4096"));
	int made = pipe(fds);
	errno = 0;
	int grown = fcntl(fds[1], F_SETPIPE_SZ, 8192);
	int grow_errno = errno;
	CHECK_OK("pipe-max-size back", write_sysctl(max, old));
	CHECK_OK("pipe", made);
	CHECK_EQ("it holds a page", fcntl(fds[1], F_GETPIPE_SZ), 4096);
	CHECK_SAVED_ERR("F_SETPIPE_SZ past it", grown, grow_errno, EPERM);
	close(fds[0]);
	close(fds[1]);
}

static void
case_prctl(void)
{
	CHECK_OK("PR_CAPBSET_DROP CAP_NET_RAW",
	    prctl(PR_CAPBSET_DROP, CAP_NET_RAW, 0, 0, 0));
	CHECK_EQ("PR_CAPBSET_READ it", prctl(PR_CAPBSET_READ, CAP_NET_RAW, 0,
	    0, 0), 0);
	CHECK("still permitted", get_sets().perm & BIT(CAP_NET_RAW));
	CHECK_EQ("CapBnd shows it",
	    status_mask("CapBnd") & BIT(CAP_NET_RAW), 0);
	CHECK_ERR("PR_CAPBSET_DROP 64", prctl(PR_CAPBSET_DROP, 64, 0, 0, 0),
	    EINVAL);
	CHECK_EQ("ambient IS_SET", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET,
	    CAP_CHOWN, 0, 0), 0);
	CHECK_ERR("ambient RAISE, not inheritable", prctl(PR_CAP_AMBIENT,
	    PR_CAP_AMBIENT_RAISE, CAP_CHOWN, 0, 0), EPERM);
	struct sets s = get_sets();
	CHECK_OK("inheritable CAP_CHOWN", set_sets(s.eff, s.perm,
	    BIT(CAP_CHOWN)));
	CHECK_OK("ambient RAISE", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE,
	    CAP_CHOWN, 0, 0));
	CHECK_EQ("ambient IS_SET now", prctl(PR_CAP_AMBIENT,
	    PR_CAP_AMBIENT_IS_SET, CAP_CHOWN, 0, 0), 1);
	CHECK_EQ("CapAmb", status_mask("CapAmb"), BIT(CAP_CHOWN));
	CHECK_OK("ambient LOWER", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER,
	    CAP_CHOWN, 0, 0));
	CHECK_EQ("lowered", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET,
	    CAP_CHOWN, 0, 0), 0);
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_CHOWN, 0, 0);
	CHECK_ERR("CLEAR_ALL with an argument", prctl(PR_CAP_AMBIENT,
	    PR_CAP_AMBIENT_CLEAR_ALL, 1, 0, 0), EINVAL);
	CHECK_OK("CLEAR_ALL", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL,
	    0, 0, 0));
	CHECK_EQ("cleared", status_mask("CapAmb"), 0);
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_CHOWN, 0, 0);
	CHECK_OK("inheritable emptied", set_sets(s.eff, s.perm, 0));
	CHECK_EQ("takes the ambient one along", prctl(PR_CAP_AMBIENT,
	    PR_CAP_AMBIENT_IS_SET, CAP_CHOWN, 0, 0), 0);
	CHECK_ERR("ambient bad op", prctl(PR_CAP_AMBIENT, 9, CAP_CHOWN, 0, 0),
	    EINVAL);
	CHECK_ERR("ambient bad cap", prctl(PR_CAP_AMBIENT,
	    PR_CAP_AMBIENT_IS_SET, 64, 0, 0), EINVAL);
}

static void
case_securebits(void)
{
	CHECK_OK("PR_SET_KEEPCAPS 1", prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
	CHECK_EQ("PR_GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 1);
	CHECK_EQ("is SECBIT_KEEP_CAPS", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0),
	    SECBIT_KEEP_CAPS);
	CHECK_ERR("PR_SET_KEEPCAPS 2", prctl(PR_SET_KEEPCAPS, 2, 0, 0, 0),
	    EINVAL);
	CHECK_ERR("unknown securebit", prctl(PR_SET_SECUREBITS, 0x10000, 0,
	    0, 0), EPERM);
	CHECK_OK("NOROOT, locked", prctl(PR_SET_SECUREBITS, SECBIT_NOROOT |
	    SECBIT_NOROOT_LOCKED, 0, 0, 0));
	CHECK_ERR("unlocking", prctl(PR_SET_SECUREBITS, SECBIT_NOROOT, 0, 0,
	    0), EPERM);
	CHECK_ERR("clearing a locked bit", prctl(PR_SET_SECUREBITS,
	    SECBIT_NOROOT_LOCKED, 0, 0, 0), EPERM);
	CHECK_OK("drop CAP_SETPCAP", drop_effective(CAP_SETPCAP));
	CHECK_ERR("securebits without it", prctl(PR_SET_SECUREBITS,
	    SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_KEEP_CAPS, 0, 0, 0),
	    EPERM);
	CHECK_ERR("PR_CAPBSET_DROP without it", prctl(PR_CAPBSET_DROP,
	    CAP_NET_RAW, 0, 0, 0), EPERM);
}

static void
case_setuid(void)
{
	unsigned long long all = get_sets().perm;
	CHECK_OK("seteuid nobody", setresuid(-1, NOBODY, -1));
	struct sets s = get_sets();
	CHECK("effective emptied, permitted kept", s.eff == 0 &&
	    s.perm == all);
	CHECK_OK("seteuid 0", setresuid(-1, 0, -1));
	CHECK("effective back", get_sets().eff == all);
	CHECK_OK("setfsuid nobody", (setfsuid(NOBODY), 0));
	s = get_sets();
	CHECK("file-system capabilities gone", !(s.eff & BIT(CAP_CHOWN)) &&
	    !(s.eff & BIT(CAP_DAC_OVERRIDE)) && (s.eff & BIT(CAP_KILL)));
	CHECK_OK("setfsuid 0", (setfsuid(0), 0));
	CHECK("they come back", get_sets().eff == all);
	CHECK_OK("NO_SETUID_FIXUP", prctl(PR_SET_SECUREBITS,
	    SECBIT_NO_SETUID_FIXUP, 0, 0, 0));
	CHECK_OK("seteuid nobody", setresuid(-1, NOBODY, -1));
	CHECK("effective kept", get_sets().eff == all);
	CHECK_OK("seteuid 0", setresuid(-1, 0, -1));
	CHECK_OK("securebits 0", prctl(PR_SET_SECUREBITS, 0, 0, 0, 0));
	CHECK_OK("KEEPCAPS", prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
	CHECK_OK("setresuid nobody", setresuid(NOBODY, NOBODY, NOBODY));
	s = get_sets();
	CHECK("KEEPCAPS: permitted kept, effective emptied", s.eff == 0 &&
	    s.perm == all);
	CHECK_OK("effective CAP_CHOWN again", set_sets(BIT(CAP_CHOWN), all,
	    0));
	char mine[96];
	sprintf(mine, "%s-uid", scratch);
	CHECK_OK("nobody's own file", close(open(mine, O_CREAT | O_WRONLY,
	    0600)));
	CHECK_OK("nobody chowns with CAP_CHOWN", chown(mine, 0, 0));
	CHECK_OK("KEEPCAPS off", prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0));
	CHECK_ERR("no way back", setresuid(0, 0, 0), EPERM);
}

static void
remove_uid_file(void)
{
	char mine[96];
	sprintf(mine, "%s-uid", scratch);
	unlink(mine);
}

static void
case_setuid_drops(void)
{
	CHECK_OK("setresuid nobody", setresuid(NOBODY, NOBODY, NOBODY));
	struct sets s = get_sets();
	CHECK("nothing left", s.eff == 0 && s.perm == 0 && s.inh == 0);
	CHECK_EQ("CapPrm", status_mask("CapPrm"), 0);
	CHECK("bounding set kept", status_mask("CapBnd") != 0);
}

/* What the exec'd image reports: bit 0 effective is permitted, 1 permitted
   is the bounding set, 2 CAP_CHOWN ambient, 3 effective not empty, 4
   PR_GET_KEEPCAPS, 5 permitted is CAP_CHOWN alone. */
static int
report(void)
{
	struct sets s = get_sets();
	unsigned long long bnd = status_mask("CapBnd");
	return (s.eff == s.perm) | (s.perm == bnd) << 1 |
	       (status_mask("CapAmb") == BIT(CAP_CHOWN)) << 2 |
	       (s.eff != 0) << 3 | (prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 1) << 4 |
	       (s.perm == BIT(CAP_CHOWN)) << 5;
}

static void
exec_report(void)
{
	char *args[] = { SELF, "report", NULL };
	execv(SELF, args);
	_exit(127);
}

static int
exec_case(void (*prepare)(void))
{
	pid_t pid = abi_fork();
	if (pid == 0) {
		prepare();
		exec_report();
	}
	int st = abi_wait(pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
exec_root_dropped(void)
{
	prctl(PR_CAPBSET_DROP, CAP_NET_RAW, 0, 0, 0);
	set_sets(0, BIT(CAP_KILL), 0);
	prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
}

static void
exec_noroot(void)
{
	prctl(PR_SET_SECUREBITS, SECBIT_NOROOT, 0, 0, 0);
}

static void
exec_ambient(void)
{
	struct sets s = get_sets();
	set_sets(s.eff, s.perm, BIT(CAP_CHOWN));
	prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
	setresuid(NOBODY, NOBODY, NOBODY);
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_CHOWN, 0, 0);
}

static void
exec_nobody(void)
{
	setresuid(NOBODY, NOBODY, NOBODY);
}

/* The process clone(CLONE_PARENT) makes: its exit status says whether it
   has its maker's ids and sets (nobody's, none), not its parent's. */
static int
sibling_report(void *arg)
{
	(void)arg;
	struct sets s = get_sets();
	_exit(getuid() == NOBODY && geteuid() == NOBODY && s.perm == 0 &&
	    s.eff == 0 ? 0 : 1);
}

static void
test_clone_parent(void)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	pid_t middle = abi_fork();
	if (middle == 0) {
		setresuid(NOBODY, NOBODY, NOBODY);
		int pid = clone(sibling_report, stack + sizeof(stack),
		    CLONE_PARENT | SIGCHLD, NULL);
		_exit(pid > 0 ? 0 : 1);
	}
	CHECK_STR("CLONE_PARENT caller", status_str(abi_wait(middle)),
	    "exited 0");
	int status = 0;
	pid_t sibling = waitpid(-1, &status, 0);
	CHECK("CLONE_PARENT child is ours to reap", sibling > 0);
	CHECK_STR("it has its maker's ids and sets", status_str(status),
	    "exited 0");
}

static void
test_exec(void)
{
	CHECK_EQ("root execs: its bounding set, KEEPCAPS cleared",
	    exec_case(exec_root_dropped), 1 | 2 | 8);
	CHECK_EQ("SECBIT_NOROOT: nothing", exec_case(exec_noroot), 1);
	CHECK_EQ("nobody with CAP_CHOWN ambient", exec_case(exec_ambient),
	    1 | 4 | 8 | 32);
	CHECK_EQ("nobody without", exec_case(exec_nobody), 1);
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "report") == 0)
		return report();
	abi_init();
	if (geteuid() != 0 || (get_sets().eff & NEEDED) != NEEDED) {
		printf("not root with the usual capabilities: left out\n");
		return abi_done("caps");
	}
	abi_tmpname(scratch, sizeof(scratch), "caps");
	run_case("root's sets", case_root_sets);
	run_case("capset's rules", case_capset_rules);
	run_case("each capability dropped", case_dropped_each);
	run_case("CAP_KILL", case_kill);
	run_case("CAP_SYS_RESOURCE and pipes", case_pipe_size);
	run_case("prctl: bounding and ambient sets", case_prctl);
	run_case("prctl: securebits", case_securebits);
	/* Its file ends up root's in sticky /tmp, where nobody cannot
	   remove it: root does, before (a run with our pid may have left
	   one) and after. */
	remove_uid_file();
	run_case("setuid keeps or drops", case_setuid);
	remove_uid_file();
	run_case("setuid to nobody drops all", case_setuid_drops);
	test_exec();
	test_clone_parent();
	return abi_done("caps");
}
