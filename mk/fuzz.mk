# The system-call fuzzer (docs/fuzzing.md): its call table, generated from
# the master list, and `make fuzz`, long runs of N boots in parallel.
# FUZZ_BOOTS, FUZZ_CALLS (per boot), FUZZ_SEED (the first boot's),
# FUZZ_WORKERS (per boot) and FUZZ_SMP choose the run; each boot's report
# and console go to build/fuzz/; trinity and stress-ng follow
# (tools/stress-run). The defaults make the release target: 10 million
# calls of Petrel's fuzzer, then about a million of trinity's.
FUZZ_CALLS_H := $(BUILD)/gen/petrel/fuzz-calls.h
FUZZ_BOOTS ?= 2
FUZZ_CALLS ?= 5000000
FUZZ_SEED ?= 1
FUZZ_SMP ?= 2
# Workers mostly wait (a blocked call ends at the 10 ms alarm): 12 make
# about 2,700 calls a second under TCG (docs/fuzzing.md).
FUZZ_WORKERS ?= 12
# Then Debian's trinity (seconds of it) and stress-ng (seconds per
# stressor), packed with --pack (tools/stress-run).
FUZZ_TRINITY_S ?= 2400
FUZZ_STRESS_S ?= 5

$(FUZZ_CALLS_H): kernel/linux/syscalls.master tools/genfuzzcalls.py \
		tools/gensyscalls.py
	@mkdir -p $(dir $@)
	python3 tools/genfuzzcalls.py $< $@

# The fuzzer is a folder (tests/system/fuzz/), not one file of progs/.
# This fragment comes before mk/image.mk, which lists TESTROOT_FILES.
FUZZ_SRCS := $(wildcard tests/system/fuzz/*.c)
FUZZ_BIN := $(BUILD)/testroot/test/bin/fuzz
TESTROOT_FILES += $(FUZZ_BIN)

$(FUZZ_BIN): $(FUZZ_SRCS) $(wildcard tests/system/fuzz/*.h) $(FUZZ_CALLS_H) \
		$(PETREL_CALLS_H) $(wildcard include/petrel/*.h) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(MUSL_CC) $(USER_CFLAGS) $(NATIVE_CFLAGS) -o $@ $(FUZZ_SRCS)

.PHONY: fuzz
fuzz: all $(BUILD)/initramfs-test.cpio
	tools/fuzz-run --boots $(FUZZ_BOOTS) --calls $(FUZZ_CALLS) \
		--workers $(FUZZ_WORKERS) --seed $(FUZZ_SEED) --smp $(FUZZ_SMP) \
		--out $(BUILD)/fuzz
	tools/stress-run trinity --seconds $(FUZZ_TRINITY_S) \
		--seed $(FUZZ_SEED) --smp $(FUZZ_SMP) --out $(BUILD)/fuzz
	tools/stress-run stress-ng --seconds $(FUZZ_STRESS_S) \
		--smp $(FUZZ_SMP) --out $(BUILD)/fuzz
