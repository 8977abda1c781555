# Petrel's build. `make` builds the kernel, the initramfs and the GRUB ISO;
# `make run` boots the default image; `make test` runs every test; `make
# ltp` measures Linux conformance with LTP (docs/compat.md).
# Each part of the tree adds its rules through a fragment in mk/.

BUILD := build
DEPS_STAMP := $(BUILD)/.deps-ok
# The architecture built: x86_64, or aarch64 (`make ARCH=aarch64`, which
# builds build/aarch64/ alone: docs/aarch64.md).
ARCH := x86_64

.PHONY: all run test bench clean deps rootfs-check aarch64-test-inputs
ifeq ($(ARCH),aarch64)
all: $(BUILD)/aarch64/kernel $(BUILD)/aarch64/initramfs.cpio
else
all: $(BUILD)/kernel.elf $(BUILD)/initramfs.cpio $(BUILD)/kernel.iso
endif

include mk/config.mk
include mk/sources.mk
# The AArch64 build (docs/aarch64.md) has fragments of its own: none of the
# x86_64 ones, which would build what it does not use.
ifeq ($(ARCH),aarch64)
include mk/aarch64.mk
include mk/aarch64-user.mk
include mk/aarch64-test.mk
else
include mk/abi.mk
include mk/systest.mk
include mk/kernel.mk
include mk/vdso.mk
include mk/user.mk
include mk/httpd.mk
include mk/iso.mk
include mk/host-tests.mk
include mk/lwip.mk
include mk/netd.mk
include mk/fsd.mk
-include mk/fsd-test.mk
include mk/fuzz.mk
include mk/image.mk
include mk/bench.mk
include mk/ltp.mk
endif


# Missing Debian packages are installed by the project's own script.
$(DEPS_STAMP): tools/deps.sh
	@mkdir -p $(BUILD)
	tools/deps.sh
	@touch $@
deps: $(DEPS_STAMP)

run: all
	./petrel run --fwd 8080:80 --fwd 8443:443

test: all $(BUILD)/initramfs-test.cpio host-tests abi-tests $(BUILD)/assert/kernel.elf \
		ltp-check-build aarch64-test-inputs
	python3 tests/run

# make test's aarch64 part (docs/aarch64.md, "Tests") boots build/aarch64/,
# made by a make of its own, after x86_64's (which fetches the sources both
# use and makes httpd's certificate); without the cross compiler and its
# glibc (tools/deps.sh installs them) there is nothing to build, and those
# tests skip.
aarch64-test-inputs: all | $(DEPS_STAMP)
	@if command -v aarch64-linux-gnu-gcc >/dev/null && \
	    [ -e /usr/aarch64-linux-gnu/lib/libc.a ]; then \
		$(MAKE) ARCH=aarch64 all $(BUILD)/aarch64/initramfs-test.cpio; \
	else \
		echo "no aarch64 cross compiler: the aarch64 tests skip"; \
	fi

bench: all $(BUILD)/initramfs-test.cpio bench-inputs
	bench/run

# A Debian minbase root from mmdebstrap booted with --rootfs (docs/rootfs.md);
# it needs Debian's archive, so make test leaves it out.
rootfs-check: all
	tools/rootfs-check

clean:
	rm -rf $(BUILD)
