/*
 * Unit test of kernel/core/elf.c: the host's busybox and ls, compared with
 * what the host's <elf.h> reads, then hand-broken and fuzzed headers.
 */
#include <kernel/types.h>
#include <kernel/errno.h>
#include <kernel/elf.h>

#include <elf.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"

#define PAGE 4096

/* A file's first page (exactly hdr_len bytes, for ASan) and its size. */
struct image {
	unsigned char *hdr;
	size_t hdr_len;
	uint64_t file_size;
};

static int
load(const char *path, struct image *img)
{
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0)
		return -1;
	img->file_size = st.st_size;
	img->hdr_len = MIN((size_t)st.st_size, (size_t)PAGE);
	img->hdr = malloc(img->hdr_len);
	n = pread(fd, img->hdr, img->hdr_len, 0);
	close(fd);
	return n == (ssize_t)img->hdr_len ? 0 : -1;
}

static struct image
copy_image(const struct image *img)
{
	struct image c = *img;

	c.hdr = malloc(img->hdr_len);
	memcpy(c.hdr, img->hdr, img->hdr_len);
	return c;
}

static Elf64_Ehdr *
ehdr(struct image *img)
{
	return (Elf64_Ehdr *)img->hdr;
}

static Elf64_Phdr *
phdr(struct image *img, int i)
{
	return (Elf64_Phdr *)(img->hdr + ehdr(img)->e_phoff) + i;
}

static int
find_phdr(struct image *img, uint32_t type, int nth)
{
	int i;

	for (i = 0; i < ehdr(img)->e_phnum; i++)
		if (phdr(img, i)->p_type == type && nth-- == 0)
			return i;
	return -1;
}

static int
parse(struct image *img, struct elf_info *info)
{
	return elf_parse(img->hdr, img->hdr_len, img->file_size, info);
}

/* Compares elf_parse's view with the one through the host's <elf.h>. */
static void
check_against_host(struct image *img, const struct elf_info *info)
{
	Elf64_Ehdr *eh = ehdr(img);
	Elf64_Phdr *ph;
	unsigned nloads = 0;
	int i;

	CHECK_EQ(info->type, eh->e_type);
	CHECK_EQ(info->entry, eh->e_entry);
	CHECK_EQ(info->phnum, eh->e_phnum);
	CHECK_EQ(info->phent, sizeof(Elf64_Phdr));
	CHECK_EQ(info->phoff, eh->e_phoff);
	for (i = 0; i < eh->e_phnum; i++) {
		ph = phdr(img, i);
		if (ph->p_type == PT_LOAD) {
			CHECK_EQ(info->loads[nloads].vaddr, ph->p_vaddr);
			CHECK_EQ(info->loads[nloads].memsz, ph->p_memsz);
			CHECK_EQ(info->loads[nloads].offset, ph->p_offset);
			CHECK_EQ(info->loads[nloads].filesz, ph->p_filesz);
			CHECK_EQ(info->loads[nloads].flags, ph->p_flags);
			nloads++;
		} else if (ph->p_type == PT_GNU_STACK) {
			CHECK(info->has_gnu_stack);
			CHECK_EQ(info->stack_flags, ph->p_flags);
		} else if (ph->p_type == PT_TLS) {
			CHECK(info->has_tls);
			CHECK_EQ(info->tls.memsz, ph->p_memsz);
		}
	}
	CHECK_EQ(info->nloads, nloads);
}

static void
test_busybox(struct image *img)
{
	struct elf_info info;

	CHECK_EQ(parse(img, &info), 0);
	check_against_host(img, &info);
	CHECK_EQ(info.type, ET_EXEC);
	CHECK(!info.has_interp);
	CHECK(info.has_tls);
	CHECK(info.has_gnu_stack);
	CHECK_EQ(info.stack_flags & PF_X, 0);
	CHECK(info.nloads >= 2);
	/* No PT_PHDR: found through the PT_LOAD that maps offset 64. */
	CHECK_EQ(find_phdr(img, PT_PHDR, 0), -1);
	CHECK_EQ(info.phdr_vaddr, info.loads[0].vaddr + ehdr(img)->e_phoff);
	CHECK_EQ(info.lowest_vaddr, info.loads[0].vaddr);
	CHECK_EQ(info.highest_vaddr, info.loads[info.nloads - 1].vaddr +
	    info.loads[info.nloads - 1].memsz);
	/* The first page alone is enough; a shorter header is not. */
	CHECK_EQ(elf_parse(img->hdr, 64 + ehdr(img)->e_phnum * 56,
	    img->file_size, &info), 0);
	CHECK_EQ(elf_parse(img->hdr, 64 + ehdr(img)->e_phnum * 56 - 1,
	    img->file_size, &info), -ENOEXEC);
	CHECK_EQ(elf_parse(img->hdr, 63, img->file_size, &info), -ENOEXEC);
	/* A file cut short of its segments. */
	CHECK_EQ(elf_parse(img->hdr, img->hdr_len, img->file_size / 2, &info),
	    -ENOEXEC);
}

static void
test_ls(struct image *img)
{
	struct elf_info info;
	Elf64_Phdr *ph;

	CHECK_EQ(parse(img, &info), 0);
	check_against_host(img, &info);
	CHECK_EQ(info.type, ET_DYN);
	CHECK(info.has_interp);
	ph = phdr(img, find_phdr(img, PT_INTERP, 0));
	CHECK_EQ(info.interp_offset, ph->p_offset);
	CHECK_EQ(info.interp_len, ph->p_filesz);
	CHECK_STR((char *)img->hdr + info.interp_offset,
	    "/lib64/ld-linux-x86-64.so.2");
	ph = phdr(img, find_phdr(img, PT_PHDR, 0));
	CHECK_EQ(info.phdr_vaddr, ph->p_vaddr);
	CHECK_EQ(info.lowest_vaddr, 0);
}

/* Applies one corruption to a copy of img; elf_parse must refuse it. */
#define BROKEN(img, what)                                                  \
	do {                                                               \
		struct image c_ = copy_image(img);                         \
		struct image *c = &c_;                                     \
		struct elf_info info_;                                     \
		what;                                                      \
		(void)c;                                                   \
		CHECK_EQ(parse(c, &info_), -ENOEXEC);                      \
		free(c_.hdr);                                              \
	} while (0)

static void
test_broken(struct image *bb, struct image *ls)
{
	int l0 = find_phdr(bb, PT_LOAD, 0), l1 = find_phdr(bb, PT_LOAD, 1);
	int interp = find_phdr(ls, PT_INTERP, 0);

	BROKEN(bb, c->hdr[0] = 0x7e);
	BROKEN(bb, c->hdr[3] = 'G');
	BROKEN(bb, c->hdr[EI_CLASS] = ELFCLASS32);
	BROKEN(bb, c->hdr[EI_DATA] = ELFDATA2MSB);
	BROKEN(bb, c->hdr[EI_VERSION] = 0);
	BROKEN(bb, c->hdr[EI_OSABI] = ELFOSABI_FREEBSD);
	BROKEN(bb, ehdr(c)->e_machine = EM_386);
	BROKEN(bb, ehdr(c)->e_machine = EM_AARCH64);
	BROKEN(bb, ehdr(c)->e_type = ET_REL);
	BROKEN(bb, ehdr(c)->e_type = ET_CORE);
	BROKEN(bb, ehdr(c)->e_phentsize = 32);
	BROKEN(bb, ehdr(c)->e_phnum = 0);
	BROKEN(bb, ehdr(c)->e_phnum = 0xffff);
	BROKEN(bb, ehdr(c)->e_phoff = PAGE - 56);
	BROKEN(bb, ehdr(c)->e_phoff = UINT64_MAX - 8);
	BROKEN(bb, ehdr(c)->e_entry = 0x100);
	BROKEN(bb, ehdr(c)->e_entry = UINT64_MAX);
	BROKEN(bb, c->file_size = 100);
	/* Segments past the file, growing backwards, or wrapping. */
	BROKEN(bb, phdr(c, l1)->p_filesz = c->file_size);
	BROKEN(bb, phdr(c, l1)->p_offset = UINT64_MAX - 0xfff);
	BROKEN(bb, phdr(c, l1)->p_memsz = phdr(c, l1)->p_filesz - 1);
	BROKEN(bb, phdr(c, l1)->p_memsz = UINT64_MAX);
	BROKEN(bb, phdr(c, l1)->p_vaddr = 0xfffffffffffff000);
	BROKEN(bb, phdr(c, l1)->p_vaddr = ELF_USER_TOP - 0x1000);
	/* Alignment: offset and address must agree modulo the page. */
	BROKEN(bb, phdr(c, l1)->p_vaddr += 8);
	BROKEN(bb, phdr(c, l1)->p_align = 0x1001);
	BROKEN(bb, phdr(c, l1)->p_align = 0x200000;
	    phdr(c, l1)->p_offset += 0x1000);	/* page-congruent, not 2M */
	/* Out of order or overlapping loads. */
	BROKEN(bb, phdr(c, l0)->p_vaddr = phdr(c, l1)->p_vaddr + 0x1000 *
	    ((phdr(c, l1)->p_memsz + 0xfff) / 0x1000));
	BROKEN(bb, phdr(c, l0)->p_memsz += 0x1000);
	/* Too many loads: turn every program header into a copy of one. */
	BROKEN(bb, {
		Elf64_Phdr p = *phdr(c, l0);
		int i;
		ehdr(c)->e_phnum = ELF_MAX_LOADS + 1;
		for (i = 0; i < ELF_MAX_LOADS + 1; i++) {
			*phdr(c, i) = p;
			phdr(c, i)->p_vaddr += (uint64_t)i * 0x1000;
		}
		ehdr(c)->e_entry = p.p_vaddr;
	});
	/* An interpreter path that is not one string, or is past the file. */
	BROKEN(ls, c->hdr[phdr(c, interp)->p_offset +
	    phdr(c, interp)->p_filesz - 1] = 'x');
	BROKEN(ls, c->hdr[phdr(c, interp)->p_offset + 3] = '\0');
	BROKEN(ls, phdr(c, interp)->p_filesz = 1);
	BROKEN(ls, phdr(c, interp)->p_offset = c->file_size);
	BROKEN(ls, phdr(c, find_phdr(c, PT_LOAD, 0))->p_type = PT_INTERP);
}

/* What an accepted header must satisfy, checked independently. */
static void
check_invariants(const struct image *img, const struct elf_info *info)
{
	const struct elf_segment *s;
	bool entry_ok = false;
	unsigned i;

	CHECK(info->nloads >= 1 && info->nloads <= ELF_MAX_LOADS);
	for (i = 0; i < info->nloads; i++) {
		s = &info->loads[i];
		CHECK(s->filesz <= s->memsz);
		CHECK(s->offset <= img->file_size &&
		    s->filesz <= img->file_size - s->offset);
		CHECK(s->vaddr < ELF_USER_TOP &&
		    s->memsz <= ELF_USER_TOP - s->vaddr);
		CHECK(s->offset % PAGE == s->vaddr % PAGE);
		if (i > 0)
			CHECK(s->vaddr >= s[-1].vaddr + s[-1].memsz);
		if (info->entry >= s->vaddr &&
		    info->entry - s->vaddr < s->memsz)
			entry_ok = true;
	}
	CHECK(entry_ok);
	CHECK(info->phoff + (uint64_t)info->phnum * 56 <= img->hdr_len);
	if (info->has_interp)
		CHECK(info->interp_offset + info->interp_len <= img->file_size);
}

/* Random bytes in the headers, random lengths: never a crash or overread. */
static void
test_fuzz(const struct image *img)
{
	struct image c = *img;
	struct elf_info info;
	uint64_t seed = 0xe1f;
	size_t span = 64 + ehdr((struct image *)img)->e_phnum * 56, pos;
	int i, flips, accepted = 0;
	unsigned char *buf;

	for (i = 0; i < 10000; i++) {
		c.hdr_len = img->hdr_len;
		if (check_rand(&seed) % 8 == 0)
			c.hdr_len = check_rand(&seed) % (img->hdr_len + 1);
		buf = malloc(c.hdr_len ? c.hdr_len : 1);
		memcpy(buf, img->hdr, c.hdr_len);
		c.hdr = buf;
		c.file_size = img->file_size;
		if (check_rand(&seed) % 8 == 0)
			c.file_size = check_rand(&seed) % (img->file_size * 2);
		for (flips = 1 + check_rand(&seed) % 4; flips > 0; flips--) {
			pos = check_rand(&seed) % span;
			if (pos >= c.hdr_len)
				continue;
			if (check_rand(&seed) & 1)
				buf[pos] ^= 1u << (check_rand(&seed) % 8);
			else
				buf[pos] = (unsigned char)check_rand(&seed);
		}
		if (elf_parse(buf, c.hdr_len, c.file_size, &info) == 0) {
			check_invariants(&c, &info);
			accepted++;
		}
		free(buf);
	}
	/* Many flips hit fields that do not matter, most hit ones that do. */
	CHECK(accepted > 100 && accepted < 9900);
}

int
main(void)
{
	struct image bb, ls;

	if (load("/bin/busybox", &bb) < 0 || load("/bin/ls", &ls) < 0) {
		fprintf(stderr, "test_elf: cannot read the test binaries\n");
		return 1;
	}
	test_busybox(&bb);
	test_ls(&ls);
	test_broken(&bb, &ls);
	test_fuzz(&bb);
	test_fuzz(&ls);
	free(bb.hdr);
	free(ls.hdr);
	return check_done("test_elf");
}
