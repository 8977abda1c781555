/*
 * Validation of ELF64 x86_64 executables before loading: every offset,
 * size and address is checked here so the loader can trust struct elf_info.
 */
#include <kernel/types.h>
#include <kernel/string.h>
#include <kernel/errno.h>
#include <kernel/elf.h>
#include <arch/version.h>	/* ELF_MACHINE: the programs this arch runs */

#define INTERP_MAX	4096	/* PATH_MAX, counting the NUL */

static bool
is_pow2(uint64_t x)
{
	return x != 0 && (x & (x - 1)) == 0;
}

static int
check_ehdr(const struct elf64_ehdr *eh)
{
	const uint8_t *id = eh->e_ident;

	if (id[0] != 0x7f || id[1] != 'E' || id[2] != 'L' || id[3] != 'F')
		return -ENOEXEC;
	if (id[EI_CLASS] != ELFCLASS64 || id[EI_DATA] != ELFDATA2LSB ||
	    id[EI_VERSION] != EV_CURRENT)
		return -ENOEXEC;
	if (id[EI_OSABI] != ELFOSABI_SYSV && id[EI_OSABI] != ELFOSABI_LINUX)
		return -ENOEXEC;
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return -ENOEXEC;
	if (eh->e_machine != ELF_MACHINE)	/* <arch/version.h> */
		return -ENOEXEC;
	if (eh->e_phentsize != sizeof(struct elf64_phdr) || eh->e_phnum == 0)
		return -ENOEXEC;
	return 0;
}

/* Returns whether [offset, offset + size) lies within a file of file_size. */
static bool
in_file(uint64_t offset, uint64_t size, uint64_t file_size)
{
	return offset <= file_size && size <= file_size - offset;
}

/* Checks what every segment with contents must satisfy. */
static int
check_segment(const struct elf64_phdr *ph, uint64_t file_size)
{
	if (ph->p_filesz > ph->p_memsz)
		return -ENOEXEC;
	if (!in_file(ph->p_offset, ph->p_filesz, file_size))
		return -ENOEXEC;
	if (ph->p_vaddr >= ELF_USER_TOP ||
	    ph->p_memsz > ELF_USER_TOP - ph->p_vaddr)
		return -ENOEXEC;
	/* gABI: 0 and 1 mean no alignment; others are powers of two. */
	if (ph->p_align > 1 && !is_pow2(ph->p_align))
		return -ENOEXEC;
	return 0;
}

static void
to_segment(const struct elf64_phdr *ph, struct elf_segment *seg)
{
	seg->vaddr = ph->p_vaddr;
	seg->memsz = ph->p_memsz;
	seg->offset = ph->p_offset;
	seg->filesz = ph->p_filesz;
	seg->align = ph->p_align;
	seg->flags = ph->p_flags;
}

static int
add_load(const struct elf64_phdr *ph, uint64_t file_size,
    struct elf_info *out)
{
	const struct elf_segment *prev;

	if (check_segment(ph, file_size) < 0)
		return -ENOEXEC;
	/* Mapped by pages, so file offset and address agree within one. */
	if (ph->p_offset % ELF_PAGE_SIZE != ph->p_vaddr % ELF_PAGE_SIZE)
		return -ENOEXEC;
	if (ph->p_align > 1 &&
	    ph->p_offset % ph->p_align != ph->p_vaddr % ph->p_align)
		return -ENOEXEC;
	if (out->nloads == ELF_MAX_LOADS)
		return -ENOEXEC;
	/* gABI: PT_LOADs are sorted by p_vaddr; they must not overlap. */
	if (out->nloads > 0) {
		prev = &out->loads[out->nloads - 1];
		if (ph->p_vaddr < prev->vaddr + prev->memsz)
			return -ENOEXEC;
	}
	to_segment(ph, &out->loads[out->nloads++]);
	return 0;
}

static int
set_interp(const struct elf64_phdr *ph, const uint8_t *hdr, size_t hdr_len,
    uint64_t file_size, struct elf_info *out)
{
	if (out->has_interp)
		return -ENOEXEC;
	if (ph->p_filesz < 2 || ph->p_filesz > INTERP_MAX ||
	    !in_file(ph->p_offset, ph->p_filesz, file_size))
		return -ENOEXEC;
	/* The path must be one NUL-terminated string: checked if in hdr. */
	if (in_file(ph->p_offset, ph->p_filesz, hdr_len) &&
	    strnlen((const char *)hdr + ph->p_offset, ph->p_filesz) !=
	    ph->p_filesz - 1)
		return -ENOEXEC;
	out->has_interp = true;
	out->interp_offset = ph->p_offset;
	out->interp_len = ph->p_filesz;
	return 0;
}

static int
add_phdr(const struct elf64_phdr *ph, const uint8_t *hdr, size_t hdr_len,
    uint64_t file_size, struct elf_info *out)
{
	switch (ph->p_type) {
	case PT_LOAD:
		return add_load(ph, file_size, out);
	case PT_INTERP:
		return set_interp(ph, hdr, hdr_len, file_size, out);
	case PT_PHDR:
		if (ph->p_vaddr >= ELF_USER_TOP)
			return -ENOEXEC;
		out->phdr_vaddr = ph->p_vaddr;
		return 0;
	case PT_TLS:
		if (out->has_tls || check_segment(ph, file_size) < 0)
			return -ENOEXEC;
		out->has_tls = true;
		to_segment(ph, &out->tls);
		return 0;
	case PT_GNU_STACK:
		out->has_gnu_stack = true;
		out->stack_flags = ph->p_flags;
		return 0;
	default:
		return 0;
	}
}

/* Returns the PT_LOAD whose memory holds [vaddr, vaddr + size), or NULL. */
static const struct elf_segment *
find_load(const struct elf_info *info, uint64_t vaddr, uint64_t size)
{
	const struct elf_segment *seg;
	unsigned i;

	for (i = 0; i < info->nloads; i++) {
		seg = &info->loads[i];
		if (vaddr >= seg->vaddr && vaddr - seg->vaddr < seg->memsz &&
		    size <= seg->memsz - (vaddr - seg->vaddr))
			return seg;
	}
	return NULL;
}

/* Without PT_PHDR, the table's address is where a PT_LOAD maps e_phoff. */
static uint64_t
phdr_from_loads(const struct elf_info *info, uint64_t table_size)
{
	const struct elf_segment *seg;
	unsigned i;

	for (i = 0; i < info->nloads; i++) {
		seg = &info->loads[i];
		if (info->phoff >= seg->offset &&
		    in_file(info->phoff - seg->offset, table_size, seg->filesz))
			return seg->vaddr + (info->phoff - seg->offset);
	}
	return 0;
}

/* Returns 0 and fills *out, or -ENOEXEC; see elf.h. */
int
elf_parse(const void *hdr, size_t hdr_len, uint64_t file_size,
    struct elf_info *out)
{
	struct elf64_ehdr eh;
	struct elf64_phdr ph;
	uint64_t table_size;
	unsigned i;

	if (hdr_len > file_size)
		hdr_len = file_size;
	if (hdr_len < sizeof(eh))
		return -ENOEXEC;
	/* Copies, because hdr need not be aligned for these structs. */
	memcpy(&eh, hdr, sizeof(eh));
	if (check_ehdr(&eh) < 0)
		return -ENOEXEC;
	table_size = (uint64_t)eh.e_phnum * sizeof(ph);
	if (!in_file(eh.e_phoff, table_size, hdr_len))
		return -ENOEXEC;

	memset(out, 0, sizeof(*out));
	out->type = eh.e_type;
	out->entry = eh.e_entry;
	out->phoff = eh.e_phoff;
	out->phnum = eh.e_phnum;
	out->phent = eh.e_phentsize;
	for (i = 0; i < eh.e_phnum; i++) {
		memcpy(&ph, (const uint8_t *)hdr + eh.e_phoff + i * sizeof(ph),
		    sizeof(ph));
		if (add_phdr(&ph, hdr, hdr_len, file_size, out) < 0)
			return -ENOEXEC;
	}
	if (out->nloads == 0 || find_load(out, out->entry, 1) == NULL)
		return -ENOEXEC;
	if (out->phdr_vaddr == 0)
		out->phdr_vaddr = phdr_from_loads(out, table_size);
	out->lowest_vaddr = out->loads[0].vaddr;
	out->highest_vaddr = out->loads[out->nloads - 1].vaddr +
	    out->loads[out->nloads - 1].memsz;
	return 0;
}
