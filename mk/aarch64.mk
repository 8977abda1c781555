# The AArch64 kernel (docs/aarch64.md): arch/aarch64/ and the portable files
# it runs so far, cross-compiled with Debian's gcc-aarch64-linux-gnu into
# build/aarch64/kernel, an arm64 Linux Image (64-byte header, then the
# code), which QEMU -kernel, Cloud Hypervisor and Firecracker boot.
A64_BUILD := $(BUILD)/aarch64
A64_CROSS := aarch64-linux-gnu-
# No FP/SIMD registers in the kernel (as -mno-sse on x86_64); frame
# pointers for the panic's backtrace; no loops turned into memset calls
# (arch/aarch64/string.c defines memset with one).
A64_CFLAGS := -std=gnu11 -O2 -g $(WARN) $(DECL_WARN) -ffreestanding \
	-fno-builtin -fno-stack-protector -fno-pic -fno-pie \
	-mgeneral-regs-only -fno-omit-frame-pointer \
	-mno-omit-leaf-frame-pointer -fno-asynchronous-unwind-tables \
	-fno-tree-loop-distribute-patterns \
	-Ikernel/include -Iarch/aarch64/include -Iinclude -MMD -MP
# The portable files the AArch64 kernel links today; the rest of kernel/
# joins as its arch hooks are written (docs/aarch64.md, "Next").
A64_PORTABLE := kernel/core/printk.c kernel/core/printf.c kernel/core/string.c
A64_SRCS := $(shell find arch/aarch64 -name '*.c' -o -name '*.S' | sort) \
	$(A64_PORTABLE)
A64_OBJS := $(patsubst %,$(A64_BUILD)/obj/%.o,$(A64_SRCS))

$(A64_BUILD)/obj/%.c.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC [a64] $<"
	@$(A64_CROSS)gcc $(A64_CFLAGS) -c $< -o $@

$(A64_BUILD)/obj/%.S.o: %.S | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  AS [a64] $<"
	@$(A64_CROSS)gcc $(A64_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

$(A64_BUILD)/kernel.elf: $(A64_OBJS) arch/aarch64/kernel.ld
	$(A64_CROSS)gcc -nostdlib -static -no-pie \
		-Wl,-T,arch/aarch64/kernel.ld -Wl,--build-id=none \
		-Wl,-z,max-page-size=4096 -o $@ $(A64_OBJS) -lgcc

# The Image: the ELF's bytes from its first (the header) to the end of its
# data, as they lie in memory; the header's image_size adds the BSS.
$(A64_BUILD)/kernel: $(A64_BUILD)/kernel.elf
	$(A64_CROSS)objcopy -O binary $< $@

-include $(A64_OBJS:.o=.d)
