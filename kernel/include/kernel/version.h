/* The kernel's name and version, as uname(2) and the boot banner show them. */
#ifndef KERNEL_VERSION_H
#define KERNEL_VERSION_H

#define PETREL_SYSNAME "Petrel"
#define PETREL_VERSION "0.1.0"
#define PETREL_ARCH "x86_64"

#endif
