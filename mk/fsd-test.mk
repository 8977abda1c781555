# Host tests of fsd's ext2 code (tests/fsd/test_ext2_*.c), under ASan and
# UBSan like mk/host-tests.mk's: each links with the ext2 sources,
# blkfile.c and tests/fsd/fsdtest.c into $(HOST_TEST_DIR), where tests/run
# finds it. They join host-tests only once the ext2 implementation
# (servers/fsd/ext2_*.c) is in the tree; before that, `make fsd-test-objs`
# compiles the tests alone.

FSD_TEST_OBJ_DIR := $(BUILD)/fsd-test
FSD_TEST_SRCS := $(wildcard tests/fsd/test_ext2_*.c)
FSD_TEST_NAMES := $(patsubst tests/fsd/%.c,%,$(FSD_TEST_SRCS))
FSD_TEST_BINS := $(FSD_TEST_NAMES:%=$(HOST_TEST_DIR)/%)
FSD_TEST_HDRS := $(wildcard tests/fsd/*.h) tests/host/check.h $(EXT2_HDRS)
FSD_TEST_LIB := $(patsubst %.c,$(FSD_TEST_OBJ_DIR)/%.o,\
	tests/fsd/fsdtest.c $(EXT2_HOST_SRCS))

# The ext2 sources build as mk/fsd.mk builds them (-D_GNU_SOURCE); the
# tests and blkfile.c define it themselves.
$(FSD_TEST_OBJ_DIR)/%.o: %.c $(FSD_TEST_HDRS) mk/fsd-test.mk | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(if $(filter $<,$(EXT2_SRCS)),-D_GNU_SOURCE) \
		-Iservers/fsd -Itests/host -c $< -o $@

.PHONY: fsd-test-objs
fsd-test-objs: $(patsubst %.c,$(FSD_TEST_OBJ_DIR)/%.o,$(FSD_TEST_SRCS)) \
	$(FSD_TEST_LIB)

$(FSD_TEST_BINS): $(HOST_TEST_DIR)/%: $(FSD_TEST_OBJ_DIR)/tests/fsd/%.o \
		$(FSD_TEST_LIB)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ $^

ifneq ($(filter servers/fsd/ext2_%,$(EXT2_SRCS)),)
host-tests: $(FSD_TEST_BINS)
endif

# The long run of the guest disk fuzzer (docs/fsd.md "Fuzzing"): 1000
# corrupted images booted as /data; FSD_FUZZ_SEEDS and FSD_FUZZ_FIRST
# choose others. `make test` runs its first few seeds.
FSD_FUZZ_SEEDS ?= 1000
.PHONY: fuzz-disk
fuzz-disk: all $(BUILD)/initramfs-test.cpio
	FSD_FUZZ_SEEDS=$(FSD_FUZZ_SEEDS) tests/system/fsd-fuzz.py
