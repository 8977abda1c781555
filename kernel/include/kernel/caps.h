/*
 * Linux capabilities (kernel/linux/caps.c): the five sets and the
 * securebits a process holds beside its uids, and capable(), the one
 * question every privilege check asks. Linux keeps credentials per
 * thread; Petrel keeps them per process, shared by its threads, as it
 * does the uids. Guarded by the big kernel lock.
 */
#ifndef KERNEL_CAPS_H
#define KERNEL_CAPS_H

#include <kernel/types.h>

#define CAP_CHOWN 0
#define CAP_DAC_OVERRIDE 1
#define CAP_DAC_READ_SEARCH 2
#define CAP_FOWNER 3
#define CAP_FSETID 4
#define CAP_KILL 5
#define CAP_SETGID 6
#define CAP_SETUID 7
#define CAP_SETPCAP 8
#define CAP_LINUX_IMMUTABLE 9
#define CAP_NET_BIND_SERVICE 10
#define CAP_NET_BROADCAST 11
#define CAP_NET_ADMIN 12
#define CAP_NET_RAW 13
#define CAP_IPC_LOCK 14
#define CAP_IPC_OWNER 15
#define CAP_SYS_MODULE 16
#define CAP_SYS_RAWIO 17
#define CAP_SYS_CHROOT 18
#define CAP_SYS_PTRACE 19
#define CAP_SYS_PACCT 20
#define CAP_SYS_ADMIN 21
#define CAP_SYS_BOOT 22
#define CAP_SYS_NICE 23
#define CAP_SYS_RESOURCE 24
#define CAP_SYS_TIME 25
#define CAP_SYS_TTY_CONFIG 26
#define CAP_MKNOD 27
#define CAP_LEASE 28
#define CAP_AUDIT_WRITE 29
#define CAP_AUDIT_CONTROL 30
#define CAP_SETFCAP 31
#define CAP_MAC_OVERRIDE 32
#define CAP_MAC_ADMIN 33
#define CAP_SYSLOG 34
#define CAP_WAKE_ALARM 35
#define CAP_BLOCK_SUSPEND 36
#define CAP_AUDIT_READ 37
#define CAP_PERFMON 38
#define CAP_BPF 39
#define CAP_CHECKPOINT_RESTORE 40
/* The last one Linux 6.1 knows (/proc/sys/kernel/cap_last_cap). */
#define CAP_LAST_CAP CAP_CHECKPOINT_RESTORE
#define CAP_FULL_SET ((1ull << (CAP_LAST_CAP + 1)) - 1)
#define CAP_BIT(cap) (1ull << (cap))

/* securebits (prctl PR_SET_SECUREBITS); each odd bit locks the one
 * below it. */
#define SECBIT_NOROOT 0x01
#define SECBIT_NO_SETUID_FIXUP 0x04
#define SECBIT_KEEP_CAPS 0x10
#define SECBIT_NO_CAP_AMBIENT_RAISE 0x40
#define SECBIT_ALL (SECBIT_NOROOT | SECBIT_NO_SETUID_FIXUP | \
		    SECBIT_KEEP_CAPS | SECBIT_NO_CAP_AMBIENT_RAISE)
#define SECBIT_ALL_LOCKS (SECBIT_ALL << 1)

struct caps {
	uint64_t effective, permitted, inheritable;
	uint64_t bounding;		/* what exec may ever grant */
	uint64_t ambient;		/* kept across exec by a non-root */
	unsigned securebits;
};

struct proc;

/* Init's: every capability, all but inheritable and ambient. */
void caps_init(struct caps *c);
/*
 * Whether the running process has cap effective; the kernel itself
 * (boot, no process) has all. Does not sleep.
 */
bool capable(int cap);
/* The same question about process p. */
bool proc_capable(const struct proc *p, int cap);
/*
 * Linux's cap_task_fix_setuid after p's uids moved from old_r, old_e,
 * old_s (setuid, setreuid, setresuid): leaving root drops the permitted
 * and effective sets (unless SECBIT_KEEP_CAPS) and the ambient one;
 * euid 0 -> other drops the effective set, other -> 0 restores it.
 */
void caps_setuid_fixup(struct proc *p, unsigned old_r, unsigned old_e,
		       unsigned old_s);
/* The same after setfsuid moved the fs uid from old_fs: the file-system
 * capabilities leave or rejoin the effective set. */
void caps_setfsuid_fixup(struct proc *p, unsigned old_fs);
/*
 * execve's new sets (Linux's cap_bprm_creds_from_file with no file
 * capabilities): root gets its bounding set (with its inheritable one)
 * permitted, and effective when its euid is 0, unless SECBIT_NOROOT;
 * others keep their ambient set. SECBIT_KEEP_CAPS is cleared.
 */
void caps_exec(struct proc *p);
/*
 * The capability options of prctl (PR_CAPBSET_*, PR_CAP_AMBIENT,
 * PR_*_SECUREBITS, PR_*_KEEPCAPS): the value or a negative errno, or
 * -ENOSYS where op is none of them.
 */
long caps_prctl(int op, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);

#endif
