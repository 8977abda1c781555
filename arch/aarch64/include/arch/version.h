/* The machine name uname(2) and the boot banner show (<kernel/version.h>). */
#ifndef ARCH_VERSION_H
#define ARCH_VERSION_H

#define PETREL_ARCH "aarch64"

#endif
