/* The machine's names: uname(2)'s and the boot banner's (<kernel/version.h>),
 * and the ELF e_machine of the programs it runs (<kernel/elf.h>). */
#ifndef ARCH_VERSION_H
#define ARCH_VERSION_H

#define PETREL_ARCH "x86_64"
#define ELF_MACHINE 62	/* EM_X86_64 */

#endif
