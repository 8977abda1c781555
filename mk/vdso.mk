# The x86_64 vDSO (docs/linux-abi.md, "vDSO"): arch/x86_64/vdso/ built as a
# shared object linked at 0 with no relocations (nothing loads it: the
# kernel maps it as it is), then included in the kernel image by
# arch/x86_64/vdso_image.S. Its sources are not kernel sources
# (mk/kernel.mk leaves arch/x86_64/vdso/ out of KERNEL_SRCS).
VDSO_DIR := $(BUILD)/vdso
VDSO_SO := $(BUILD)/gen/vdso.so
VDSO_SRCS := $(wildcard arch/x86_64/vdso/*.c)
VDSO_OBJS := $(patsubst arch/x86_64/vdso/%.c,$(VDSO_DIR)/%.o,$(VDSO_SRCS))
VDSO_CFLAGS := -std=gnu11 -O2 -g $(WARN) -fPIC -ffreestanding -fno-builtin \
	-fno-stack-protector -fno-plt -fasynchronous-unwind-tables \
	-mno-sse -mno-mmx -mno-avx -Ikernel/include -Iarch/x86_64/include \
	-MMD -MP
VDSO_LDFLAGS := -nostdlib -shared -Wl,-T,arch/x86_64/vdso/vdso.lds \
	-Wl,--hash-style=both -Wl,-soname=linux-vdso.so.1 -Wl,--no-undefined \
	-Wl,-z,max-page-size=4096 -Wl,-z,noexecstack -Wl,--eh-frame-hdr \
	-Wl,--build-id=sha1 -Wl,-Bsymbolic

$(VDSO_DIR)/%.o: arch/x86_64/vdso/%.c | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC [vdso] $<"
	@$(CC) $(VDSO_CFLAGS) -c $< -o $@

# A relocation would need a loader, which the vDSO never has: refused.
# The image mapped is stripped (-S, as Linux's); vdso.dbg keeps the
# debugging information for gdb's add-symbol-file.
$(VDSO_DIR)/vdso.dbg: $(VDSO_OBJS) arch/x86_64/vdso/vdso.lds
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(VDSO_LDFLAGS) -o $@ $(VDSO_OBJS)
	@readelf -rW $@ | grep -q 'no relocations' || \
		{ echo "$@: has relocations"; rm -f $@; exit 1; }

$(VDSO_SO): $(VDSO_DIR)/vdso.dbg
	@mkdir -p $(dir $@)
	objcopy -S $< $@

$(BUILD)/obj/arch/x86_64/vdso_image.S.o \
$(BUILD)/assert/obj/arch/x86_64/vdso_image.S.o: $(VDSO_SO)
$(BUILD)/obj/arch/x86_64/vdso_image.S.o \
$(BUILD)/assert/obj/arch/x86_64/vdso_image.S.o: \
	KERNEL_CFLAGS += -Wa,-I$(BUILD)/gen

-include $(VDSO_OBJS:.o=.d)
