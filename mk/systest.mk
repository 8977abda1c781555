# System-test guest programs (tests/system/progs/*.c): static musl binaries
# placed at /test/bin/NAME in the test initramfs, which the test-image
# fragment builds from everything listed in TESTROOT_FILES.
SYSTEST_PROGS := $(basename $(notdir $(wildcard tests/system/progs/*.c)))
SYSTEST_BINS := $(SYSTEST_PROGS:%=$(BUILD)/testroot/test/bin/%)
TESTROOT_FILES += $(SYSTEST_BINS)

$(BUILD)/testroot/test/bin/%: tests/system/progs/%.c $(PETREL_CALLS_H) \
		$(wildcard include/petrel/*.h) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(USER_CFLAGS) $(NATIVE_CFLAGS) -o $@ $<
