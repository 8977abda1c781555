# System-test guest programs (tests/system/progs/*.c): static musl binaries
# placed at /test/bin/NAME in the test initramfs, which the test-image
# fragment builds from everything listed in TESTROOT_FILES.
SYSTEST_PROGS := $(basename $(notdir $(wildcard tests/system/progs/*.c)))
SYSTEST_BINS := $(SYSTEST_PROGS:%=$(BUILD)/testroot/test/bin/%)
TESTROOT_FILES += $(SYSTEST_BINS)

$(BUILD)/testroot/test/bin/%: tests/system/progs/%.c $(PETREL_CALLS_H) \
		$(wildcard include/petrel/*.h tests/system/progs/*.h) \
		| $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(USER_CFLAGS) $(NATIVE_CFLAGS) -o $@ $<

# Dynamic guest programs (tests/system/dynprogs/*.c) for system/dynamic:
# each builds for glibc and for musl, and the test image gets both
# interpreters and glibc's libc (from the host's Debian packages, copied at
# build time) at the paths the programs name. noint and badint name an
# interpreter that is missing and one that is no ELF file.
DYN_PROGS := $(basename $(notdir $(wildcard tests/system/dynprogs/*.c)))
DYN_BIN := $(BUILD)/testroot/test/bin
GLIBC_LD := /lib64/ld-linux-x86-64.so.2
GLIBC_LIBC := /lib/x86_64-linux-gnu/libc.so.6
MUSL_LD := /lib/ld-musl-x86_64.so.1
DYN_FILES := $(DYN_PROGS:%=$(DYN_BIN)/%-glibc) $(DYN_PROGS:%=$(DYN_BIN)/%-musl) \
	$(DYN_BIN)/noint $(DYN_BIN)/badint $(DYN_BIN)/notelf \
	$(BUILD)/testroot$(GLIBC_LD) $(BUILD)/testroot$(GLIBC_LIBC) \
	$(BUILD)/testroot$(MUSL_LD)
TESTROOT_FILES += $(DYN_FILES)

$(DYN_BIN)/%-glibc: tests/system/dynprogs/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 $(WARN) -pthread -o $@ $<

$(DYN_BIN)/%-musl: tests/system/dynprogs/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(MUSL_CC) -std=gnu11 -O2 $(WARN) -pthread -o $@ $<

$(DYN_BIN)/noint: tests/system/dynprogs/dynprobe.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 $(WARN) -pthread \
		-Wl,--dynamic-linker=/lib64/no-such-ld.so -o $@ $<

$(DYN_BIN)/badint: tests/system/dynprogs/dynprobe.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) -std=gnu11 -O2 $(WARN) -pthread \
		-Wl,--dynamic-linker=/test/bin/notelf -o $@ $<

$(DYN_BIN)/notelf:
	@mkdir -p $(@D)
	printf 'not an ELF file\n' >$@
	chmod 755 $@

$(BUILD)/testroot/%.so.2 $(BUILD)/testroot/%.so.6 $(BUILD)/testroot/%.so.1: \
		| $(DEPS_STAMP)
	@mkdir -p $(@D)
	cp -L $(patsubst $(BUILD)/testroot%,%,$@) $@
