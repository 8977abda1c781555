# The GRUB (Multiboot2) ISO: the same kernel ELF and initramfs as -kernel boots.
$(BUILD)/kernel.iso: $(BUILD)/kernel.elf $(BUILD)/initramfs.cpio tools/grub.cfg | $(DEPS_STAMP)
	rm -rf $(BUILD)/iso && mkdir -p $(BUILD)/iso/boot/grub
	cp $(BUILD)/kernel.elf $(BUILD)/initramfs.cpio $(BUILD)/iso/boot/
	cp tools/grub.cfg $(BUILD)/iso/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(BUILD)/iso 2>$(BUILD)/grub-mkrescue.log || \
		{ cat $(BUILD)/grub-mkrescue.log; exit 1; }
