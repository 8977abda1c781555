# The aarch64 test image (docs/aarch64.md, "Tests"): the default
# image plus, under /test, the ABI conformance programs that
# tests/abi/aarch64.list runs (/test/abi/NAME), the script that runs many
# of them in one boot (/test/bin/abi-batch) and the system tests' programs
# (/test/bin/NAME). All static glibc for arm64, stripped: the image is
# unpacked into the guest's memory.

A64_TESTROOT := $(A64_BUILD)/testroot
A64_ABI_NAMES := $(shell awk '$$1 == "run" { print $$2 }' tests/abi/aarch64.list)
A64_SYSTEST_PROGS := segv threads ipc timersleep
A64_TEST_FILES := $(A64_ABI_NAMES:%=$(A64_TESTROOT)/test/abi/%) \
	$(A64_SYSTEST_PROGS:%=$(A64_TESTROOT)/test/bin/%) \
	$(A64_TESTROOT)/test/bin/abi-batch
A64_TEST_IMAGE := $(A64_BUILD)/initramfs-test.cpio

# Warnings shown but not fatal: glibc's headers declare and check more than
# musl's (the programs are built with musl and -Werror for x86_64), and the
# programs misuse calls on purpose.
$(A64_TESTROOT)/test/abi/%: tests/abi/%.c tests/abi/abi.h tests/abi/inet.h \
		| $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  CC [a64] $<"
	@$(A64_CC) -std=gnu11 -O2 -Wall -Wextra -Wno-stringop-overflow \
		-Wno-stringop-overread -static -s -pthread -o $@ $<

# The AF_UNIX programs share tests/abi/unix.h.
$(A64_TESTROOT)/test/abi/unix $(A64_TESTROOT)/test/abi/unix_names: \
		tests/abi/unix.h

# (ipc uses the native calls: <petrel/native.h> and the generated stubs.)
$(A64_TESTROOT)/test/bin/%: tests/system/progs/%.c \
		$(wildcard tests/system/progs/*.h) \
		$(wildcard include/petrel/*.h) $(A64_CALLS_H) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(A64_CC) $(A64_USER_CFLAGS) $(A64_NATIVE) -s -pthread -o $@ $<

$(A64_TESTROOT)/test/bin/abi-batch: tests/abi/batch.sh
	@mkdir -p $(@D)
	cp $< $@

# Programs the list has left out since they were built are removed first.
$(A64_TEST_IMAGE): tools/mkinitramfs.sh tools/cpio-align.py tools/pagepack.py $(A64_INIT) $(A64_NETD) $(A64_FSD) \
		$(A64_BUSYBOX) $(A64_IMAGE_FILES) $(A64_TEST_FILES) \
		tests/abi/aarch64.list | $(DEPS_STAMP)
	@find $(A64_TESTROOT)/test/abi -type f $(A64_ABI_NAMES:%=! -name %) \
		-delete
	INIT=$(A64_INIT) NETD=$(A64_NETD) FSD=$(A64_FSD) \
		BUSYBOX=$(A64_BUSYBOX) BUSYBOX_LIST=/bin/busybox \
		STRIP=$(A64_CROSS)strip tools/mkinitramfs.sh $@ $(A64_IMAGE_ROOT):/ $(A64_TESTROOT):/
