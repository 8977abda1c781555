/* The machine's names: uname(2)'s and the boot banner's (<kernel/version.h>),
 * and the ELF e_machine of the programs it runs (<kernel/elf.h>). */
#ifndef ARCH_VERSION_H
#define ARCH_VERSION_H

#define PETREL_ARCH "aarch64"
#define ELF_MACHINE 183	/* EM_AARCH64 */

#endif
