# The AArch64 kernel (docs/aarch64.md): arch/aarch64/ and the portable
# kernel, cross-compiled with Debian's gcc-aarch64-linux-gnu into
# build/aarch64/kernel, an arm64 Linux Image (64-byte header, then the
# code), which QEMU -kernel, Cloud Hypervisor and Firecracker boot.
A64_BUILD := $(BUILD)/aarch64
A64_CROSS := aarch64-linux-gnu-
# No FP/SIMD registers in the kernel (as -mno-sse on x86_64); frame
# pointers for the panic's backtrace; no loops turned into memset calls
# (arch/aarch64/string.c defines memset with one); atomics inline, not
# through libgcc's helpers, which ask the C library for the CPU's features.
A64_CFLAGS := -std=gnu11 -O2 -g $(WARN) $(DECL_WARN) -ffreestanding \
	-fno-builtin -fno-stack-protector -fno-pic -fno-pie \
	-mgeneral-regs-only -fno-omit-frame-pointer \
	-mno-omit-leaf-frame-pointer -fno-asynchronous-unwind-tables \
	-fno-tree-loop-distribute-patterns -mno-outline-atomics \
	-Ikernel/include -Iarch/aarch64/include -Iinclude \
	-I$(A64_BUILD)/gen -MMD -MP
# Everything: the portable kernel/ and arch/aarch64/.
A64_SRCS := $(shell find kernel arch/aarch64 -name '*.c' -o -name '*.S' | sort)
A64_OBJS := $(patsubst %,$(A64_BUILD)/obj/%.o,$(A64_SRCS))
# The arm64 system-call table (Linux's generic numbers) and the native
# calls' header, from syscalls.master.
A64_GEN := $(A64_BUILD)/gen/syscall_table.h

$(A64_GEN) $(A64_BUILD)/gen/petrel/calls.h $(A64_BUILD)/gen/petrel/stubs.h &: \
		kernel/linux/syscalls.master tools/gensyscalls.py
	@mkdir -p $(A64_BUILD)/gen/petrel
	python3 tools/gensyscalls.py --arch aarch64 $< $(A64_GEN) \
		$(A64_BUILD)/gen/petrel/calls.h $(A64_BUILD)/gen/petrel/stubs.h

$(A64_BUILD)/gen/config.gz: kernel/linux/linux.config
	@mkdir -p $(dir $@)
	gzip -9n < $< > $@
$(A64_BUILD)/obj/kernel/fs/procfs_config.S.o: $(A64_BUILD)/gen/config.gz
$(A64_BUILD)/obj/kernel/fs/procfs_config.S.o: \
	A64_CFLAGS += -Wa,-I$(A64_BUILD)/gen

$(A64_BUILD)/obj/%.c.o: %.c $(A64_GEN) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC [a64] $<"
	@$(A64_CROSS)gcc $(A64_CFLAGS) -c $< -o $@

$(A64_BUILD)/obj/%.S.o: %.S | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  AS [a64] $<"
	@$(A64_CROSS)gcc $(A64_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

$(A64_BUILD)/kernel.elf: $(A64_OBJS) arch/aarch64/kernel.ld tools/check-layers.py
	@echo "  CHECK   layers"
	@python3 tools/check-layers.py $(A64_OBJS)
	$(A64_CROSS)gcc -nostdlib -static -no-pie \
		-Wl,-T,arch/aarch64/kernel.ld -Wl,--build-id=none \
		-Wl,-z,max-page-size=4096 -o $@ $(A64_OBJS) -lgcc

# The Image: the ELF's bytes from its first (the header) to the end of its
# data, as they lie in memory; the header's image_size adds the BSS.
$(A64_BUILD)/kernel: $(A64_BUILD)/kernel.elf
	$(A64_CROSS)objcopy -O binary $< $@

-include $(A64_OBJS:.o=.d)
