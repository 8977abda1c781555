# Host unit tests of portable kernel code, under ASan and UBSan. Each
# tests/host/test_X.c links with the portable sources it names below and
# becomes $(BUILD)/host-tests/test_X, which tests/run runs as host/test_X.

HOST_TEST_DIR := $(BUILD)/host-tests
HOST_TEST_NAMES := $(patsubst tests/host/test_%.c,%,\
	$(wildcard tests/host/test_*.c))
HOST_TEST_BINS := $(HOST_TEST_NAMES:%=$(HOST_TEST_DIR)/test_%)
HOST_TEST_COMMON := tests/host/shim.c
HOST_TEST_HEADERS := tests/host/check.h $(wildcard kernel/include/kernel/*.h)

# Portable sources per test. string.c is not listed: test_string.c
# includes it under renamed symbols, since the host's libc already
# defines memcpy and friends (and the rest of the code uses those).
HOST_TEST_SRCS_string :=
HOST_TEST_SRCS_printf := kernel/core/printf.c
HOST_TEST_SRCS_cmdline := kernel/core/cmdline.c
HOST_TEST_SRCS_cpio := kernel/core/cpio.c
HOST_TEST_SRCS_elf := kernel/core/elf.c
HOST_TEST_SRCS_tty_ldisc := kernel/fs/tty_ldisc.c
HOST_TEST_SRCS_bpf := kernel/linux/seccomp_bpf.c
HOST_TEST_SRCS_rtc :=	# kernel/include/kernel/rtc.h is all inline
HOST_TEST_SRCS_asserts :=	# list.h and refcount.h are all inline
HOST_TEST_SRCS_pagepack := kernel/core/pagepack.c

.PHONY: host-tests
host-tests: $(HOST_TEST_BINS)

# The host is x86_64: its arch headers (elf.c's ELF_MACHINE) come along.
define HOST_TEST_RULE
$(HOST_TEST_DIR)/test_$(1): tests/host/test_$(1).c $(HOST_TEST_COMMON) \
		$(HOST_TEST_SRCS_$(1)) $(HOST_TEST_HEADERS) mk/host-tests.mk \
		| $(DEPS_STAMP)
	@mkdir -p $$(@D)
	$$(CC) $$(HOST_CFLAGS) -Ikernel/include -Iarch/x86_64/include -o $$@ tests/host/test_$(1).c \
		$(HOST_TEST_COMMON) $(HOST_TEST_SRCS_$(1))
endef
$(foreach t,$(HOST_TEST_NAMES),$(eval $(call HOST_TEST_RULE,$(t))))

# test_pagepack unpacks what tools/pagepack.py packed, read from beside it.
$(HOST_TEST_DIR)/test_pagepack: $(HOST_TEST_DIR)/pagepack-vectors.bin \
		$(HOST_TEST_DIR)/pagepack-busybox.bin
# (/bin/busybox is Debian's busybox-static, which deps.sh installs.)
$(HOST_TEST_DIR)/pagepack-busybox.bin: tools/pagepack.py | $(DEPS_STAMP)
	@mkdir -p $(@D)
	python3 tools/pagepack.py vector /bin/busybox $@
$(HOST_TEST_DIR)/pagepack-vectors.bin: tools/pagepack.py
	@mkdir -p $(@D)
	python3 tools/pagepack.py vectors $@
