/*
 * ELF64 x86_64 executables (kernel/core/elf.c): the on-disk layouts from
 * the System V gABI and a checked summary of what the loader must map.
 */
#ifndef KERNEL_ELF_H
#define KERNEL_ELF_H

#include <kernel/types.h>

#define EI_NIDENT	16
#define EI_CLASS	4
#define EI_DATA		5
#define EI_VERSION	6
#define EI_OSABI	7
#define ELFCLASS64	2
#define ELFDATA2LSB	1
#define EV_CURRENT	1
#define ELFOSABI_SYSV	0
#define ELFOSABI_LINUX	3

#define ET_EXEC		2
#define ET_DYN		3
#define EM_X86_64	62

#define PT_NULL		0
#define PT_LOAD		1
#define PT_DYNAMIC	2
#define PT_INTERP	3
#define PT_NOTE		4
#define PT_PHDR		6
#define PT_TLS		7
#define PT_GNU_STACK	0x6474e551

#define PF_X		1
#define PF_W		2
#define PF_R		4

struct elf64_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "gABI: Elf64_Ehdr is 64 bytes");
_Static_assert(sizeof(struct elf64_phdr) == 56, "gABI: Elf64_Phdr is 56 bytes");

#define ELF_MAX_LOADS	16
#define ELF_PAGE_SIZE	4096
/* User addresses end here (x86_64, 4-level paging: the lower half). */
#define ELF_USER_TOP	0x0000800000000000ULL

/* A segment: bytes [offset, offset + filesz) of the file at vaddr, then
 * zeros up to vaddr + memsz. */
struct elf_segment {
	uint64_t vaddr;
	uint64_t memsz;
	uint64_t offset;
	uint64_t filesz;
	uint64_t align;
	uint32_t flags;		/* PF_R | PF_W | PF_X */
};

/*
 * What elf_parse found. For ET_DYN every address is relative to the load
 * bias the loader picks. phdr_vaddr is 0 when the program headers are in
 * no PT_LOAD (then AT_PHDR must come from elsewhere).
 */
struct elf_info {
	uint16_t type;			/* ET_EXEC or ET_DYN */
	uint64_t entry;
	uint64_t phoff;			/* file offset of the program headers */
	uint64_t phdr_vaddr;		/* their address, for AT_PHDR */
	uint16_t phnum;			/* for AT_PHNUM */
	uint16_t phent;			/* for AT_PHENT */
	unsigned nloads;
	struct elf_segment loads[ELF_MAX_LOADS];	/* ascending vaddr */
	uint64_t lowest_vaddr;		/* loads[0].vaddr */
	uint64_t highest_vaddr;		/* end of the last PT_LOAD's memsz */
	bool has_interp;
	uint64_t interp_offset;		/* file offset of interpreter path */
	uint64_t interp_len;		/* its length, including the NUL */
	bool has_gnu_stack;
	uint32_t stack_flags;		/* PT_GNU_STACK's p_flags, if present */
	bool has_tls;
	struct elf_segment tls;		/* the PT_TLS template, if present */
};

/*
 * Checks the ELF64 x86_64 executable whose first hdr_len bytes are at hdr
 * and whose whole file is file_size bytes long, and describes it in *out.
 * The program header table must lie within the hdr_len bytes (the first
 * page holds it in every ordinary executable). Returns 0, or -ENOEXEC if
 * the file is not a well-formed executable for this machine.
 */
int elf_parse(const void *hdr, size_t hdr_len, uint64_t file_size,
    struct elf_info *out);

#endif
