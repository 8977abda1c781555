# Linux-ABI conformance programs: each tests/abi/NAME.c builds static with
# musl to build/abi/NAME (run natively by tests/abi/check) and is copied to
# build/testroot/test/abi/NAME (run inside Petrel from the test initramfs).

ABI_SRCS := $(wildcard tests/abi/*.c)
ABI_NAMES := $(basename $(notdir $(ABI_SRCS)))
ABI_BINS := $(addprefix $(BUILD)/abi/,$(ABI_NAMES))
ABI_TESTROOT := $(addprefix $(BUILD)/testroot/test/abi/,$(ABI_NAMES))
TESTROOT_FILES += $(ABI_TESTROOT)

.PHONY: abi-tests
abi-tests: $(ABI_BINS) $(ABI_TESTROOT)

# Threads need -pthread for gcc's sake; musl keeps them in libc anyway.
$(BUILD)/abi/%: tests/abi/%.c tests/abi/abi.h tests/abi/inet.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(MUSL_CC) $(USER_CFLAGS) -pthread -o $@ $<

# The AF_UNIX programs share tests/abi/unix.h.
$(BUILD)/abi/unix $(BUILD)/abi/unix_names: tests/abi/unix.h
# mmap_smp4 is mmap_smp on 4 vCPUs.
$(BUILD)/abi/mmap_smp4: tests/abi/mmap_smp.c

$(BUILD)/testroot/test/abi/%: $(BUILD)/abi/% | $(DEPS_STAMP)
	@mkdir -p $(@D)
	cp $< $@
