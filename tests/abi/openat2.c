/*
 * openat2: struct open_how's size rules (EINVAL below the first version,
 * E2BIG for non-zero bytes past it, EFAULT), build_open_flags' checks
 * (unknown flags or resolve bits, a mode without O_CREAT, BENEATH with
 * IN_ROOT), and the RESOLVE_* rules: symlinks and magic links refused
 * (ELOOP), a mount crossed (EXDEV), paths kept beneath the directory
 * (EXDEV) or rooted in it (IN_ROOT: "/" and ".." stay inside).
 */
#include "abi.h"

#include <stdint.h>
#include <sys/syscall.h>

#define RESOLVE_NO_XDEV 0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS 0x04
#define RESOLVE_BENEATH 0x08
#define RESOLVE_IN_ROOT 0x10
#define RESOLVE_CACHED 0x20

struct how_big {
	uint64_t flags, mode, resolve, pad;
};

static int
openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode,
	uint64_t resolve)
{
	struct how_big h = { flags, mode, resolve, 0 };
	return (int)syscall(SYS_openat2, dirfd, path, &h, 24);
}

/* The answer as the errno's name, or "ok" (the descriptor closed). */
static const char *
try(int fd)
{
	if (fd < 0)
		return errno_name(errno);
	close(fd);
	return "ok";
}

static void
test_sizes(void)
{
	struct how_big h = { O_RDONLY, 0, 0, 0 };
	CHECK_STR("size 24", try(syscall(SYS_openat2, AT_FDCWD, "/", &h, 24)),
		  "ok");
	CHECK_STR("size 32, zero tail",
		  try(syscall(SYS_openat2, AT_FDCWD, "/", &h, 32)), "ok");
	h.pad = 1;
	CHECK_STR("size 32, tail not zero",
		  try(syscall(SYS_openat2, AT_FDCWD, "/", &h, 32)), "E2BIG");
	CHECK_STR("size 23", try(syscall(SYS_openat2, AT_FDCWD, "/", &h, 23)),
		  "EINVAL");
	CHECK_STR("size 0", try(syscall(SYS_openat2, AT_FDCWD, "/", &h, 0)),
		  "EINVAL");
	CHECK_STR("size past a page",
		  try(syscall(SYS_openat2, AT_FDCWD, "/", &h, 8192)), "E2BIG");
	CHECK_STR("bad address",
		  try(syscall(SYS_openat2, AT_FDCWD, "/", (void *)8, 24)),
		  "EFAULT");
}

static void
test_flags(const char *dir)
{
	CHECK_STR("mode without O_CREAT", try(openat2(AT_FDCWD, dir, O_RDONLY,
						      0600, 0)), "EINVAL");
	CHECK_STR("mode past 07777", try(openat2(AT_FDCWD, "/tmp/x", O_CREAT,
						 010000, 0)), "EINVAL");
	CHECK_STR("an unknown flag", try(openat2(AT_FDCWD, dir, 1ull << 40, 0,
						 0)), "EINVAL");
	CHECK_STR("an unknown resolve bit", try(openat2(AT_FDCWD, dir, 0, 0,
							0x40)), "EINVAL");
	CHECK_STR("BENEATH and IN_ROOT", try(openat2(AT_FDCWD, dir, 0, 0,
		  RESOLVE_BENEATH | RESOLVE_IN_ROOT)), "EINVAL");
	CHECK_STR("O_PATH with O_RDWR", try(openat2(AT_FDCWD, dir,
		  O_PATH | O_RDWR, 0, 0)), "EINVAL");
	CHECK_STR("bad dirfd", try(openat2(-1, "x", O_RDONLY, 0, 0)), "EBADF");
	CHECK_STR("NULL path", try(openat2(AT_FDCWD, NULL, O_RDONLY, 0, 0)),
		  "EFAULT");
}

static void
test_resolve(const char *dir)
{
	int d = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK_STR("create in the directory", try(openat2(d, "f",
		  O_RDWR | O_CREAT, 0600, RESOLVE_BENEATH)), "ok");
	symlinkat("f", d, "rel");
	symlinkat("/proc/version", d, "abs");
	symlinkat("../x", d, "up");
	mkdirat(d, "sub", 0755);
	CHECK_STR("a relative symlink beneath",
		  try(openat2(d, "rel", O_RDONLY, 0, RESOLVE_BENEATH)), "ok");
	CHECK_STR("sub/../f beneath",
		  try(openat2(d, "sub/../f", O_RDONLY, 0, RESOLVE_BENEATH)),
		  "ok");
	CHECK_STR("../ beneath", try(openat2(d, "../x", O_RDONLY, 0,
					     RESOLVE_BENEATH)), "EXDEV");
	CHECK_STR("a symlink out, beneath", try(openat2(d, "up", O_RDONLY, 0,
							RESOLVE_BENEATH)),
		  "EXDEV");
	CHECK_STR("an absolute path beneath", try(openat2(d, "/proc/version",
		  O_RDONLY, 0, RESOLVE_BENEATH)), "EXDEV");
	CHECK_STR("an absolute symlink beneath", try(openat2(d, "abs",
		  O_RDONLY, 0, RESOLVE_BENEATH)), "EXDEV");
	CHECK_STR("/f in the root", try(openat2(d, "/f", O_RDONLY, 0,
						RESOLVE_IN_ROOT)), "ok");
	CHECK_STR("../../f in the root", try(openat2(d, "../../f", O_RDONLY,
		  0, RESOLVE_IN_ROOT)), "ok");
	CHECK_STR("/proc/version in the root", try(openat2(d, "/proc/version",
		  O_RDONLY, 0, RESOLVE_IN_ROOT)), "ENOENT");
	CHECK_STR("a symlink, NO_SYMLINKS", try(openat2(d, "rel", O_RDONLY, 0,
		  RESOLVE_NO_SYMLINKS)), "ELOOP");
	CHECK_STR("a symlink, NO_MAGICLINKS", try(openat2(d, "rel", O_RDONLY,
		  0, RESOLVE_NO_MAGICLINKS)), "ok");
	CHECK_STR("a magic link", try(openat2(AT_FDCWD, "/proc/self/exe",
		  O_RDONLY, 0, 0)), "ok");
	CHECK_STR("a magic link, NO_MAGICLINKS", try(openat2(AT_FDCWD,
		  "/proc/self/exe", O_RDONLY, 0, RESOLVE_NO_MAGICLINKS)),
		  "ELOOP");
	CHECK_STR("into /proc, NO_XDEV", try(openat2(d, "abs", O_RDONLY, 0,
		  RESOLVE_NO_XDEV)), "EXDEV");
	CHECK_STR("the same file system, NO_XDEV", try(openat2(d, "sub/../f",
		  O_RDONLY, 0, RESOLVE_NO_XDEV)), "ok");
	CHECK_STR("O_CREAT with RESOLVE_CACHED", try(openat2(d, "g", O_CREAT,
		  0600, RESOLVE_CACHED)), "EAGAIN");
	unlinkat(d, "rel", 0);
	unlinkat(d, "abs", 0);
	unlinkat(d, "up", 0);
	unlinkat(d, "f", 0);
	unlinkat(d, "sub", AT_REMOVEDIR);
	close(d);
}

int
main(void)
{
	char dir[64];
	abi_init();
	abi_tmpname(dir, sizeof(dir), "openat2");
	mkdir(dir, 0755);
	test_sizes();
	test_flags(dir);
	test_resolve(dir);
	rmdir(dir);
	return abi_done("openat2");
}
