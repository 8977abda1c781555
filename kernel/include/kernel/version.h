/* The kernel's name and version, as uname(2) and the boot banner show them. */
#ifndef KERNEL_VERSION_H
#define KERNEL_VERSION_H

#include <kernel/types.h>

#define PETREL_SYSNAME "Petrel"
/*
 * uname's sysname (and /proc/sys/kernel/ostype, /proc/version's first
 * word): Linux's, since scripts and programs branch on `uname -s` to pick
 * their Linux code (install scripts, configure, build systems) and Petrel
 * runs Linux programs. Petrel names itself in the version field.
 */
#define UNAME_SYSNAME "Linux"
#define PETREL_VERSION "0.1.0"
#include <arch/version.h>	/* PETREL_ARCH, the machine name */
/*
 * uname's release (and /proc/sys/kernel/osrelease): a Linux-shaped one,
 * since programs parse it for the kernel's features (glibc, systemd,
 * Go's runtime, Node). Petrel follows Linux 6.12: it has the calls that
 * release's programs and LTP's version-gated tests look for (statmount,
 * listmount, mseal, futex_waitv, the lsm_* calls, fchmodat2).
 * The version field carries Petrel's own.
 */
#define PETREL_RELEASE "6.12.0-petrel"

/* The node name (sethostname, uname; kernel/linux/sys_misc.c). */
const char *sys_hostname(void);
/* The NIS domain name (setdomainname, uname's last field). */
const char *sys_domainname(void);
/* Sets the node or domain name from a kernel string (/proc/sys/kernel's
 * files); 0 or -EINVAL past 64 bytes. */
int sys_set_uts_name(bool domain, const char *name, size_t len);

#endif
