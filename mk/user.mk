# Petrel's own user programs (static musl) and the initramfs images.
# Needs BUILD, DEPS_STAMP, MUSL_CC and USER_CFLAGS, and TESTROOT_FILES from
# the fragments included before this one (the files they put under
# $(BUILD)/testroot/, which goes into the test image).

INIT_SRCS := $(wildcard user/init/*.c)
INIT_HDRS := $(wildcard user/init/*.h)

$(BUILD)/init: $(INIT_SRCS) $(INIT_HDRS) $(PETREL_CALLS_H) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(MUSL_CC) $(USER_CFLAGS) $(NATIVE_CFLAGS) -o $@ $(INIT_SRCS)

# netd: the network server (servers/netd/) and the virtio library.
NETD_SRCS := $(wildcard servers/netd/*.c) user/lib/virtio/virtio.c
NETD_HDRS := $(wildcard servers/netd/*.h) user/lib/virtio/virtio.h

$(BUILD)/netd: $(NETD_SRCS) $(NETD_HDRS) $(PETREL_CALLS_H) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(MUSL_CC) $(USER_CFLAGS) $(NATIVE_CFLAGS) -o $@ $(NETD_SRCS)

INITRAMFS_INPUTS := tools/mkinitramfs.sh $(BUILD)/init $(BUILD)/netd

# The default image: BusyBox, init and a minimal /etc.
$(BUILD)/initramfs.cpio: $(INITRAMFS_INPUTS) | $(DEPS_STAMP)
	INIT=$(BUILD)/init NETD=$(BUILD)/netd tools/mkinitramfs.sh $@

# The test image: the default one plus $(BUILD)/testroot/ at /.
$(BUILD)/initramfs-test.cpio: $(INITRAMFS_INPUTS) $(TESTROOT_FILES) \
		| $(DEPS_STAMP)
	@mkdir -p $(BUILD)/testroot
	INIT=$(BUILD)/init NETD=$(BUILD)/netd tools/mkinitramfs.sh $@ \
		$(BUILD)/testroot:/

# A quick host check of init's one-shot mode (docs/init.md, "Testing").
.PHONY: init-smoke
init-smoke: $(BUILD)/init
	@rm -rf $(BUILD)/init-smoke && mkdir -p $(BUILD)/init-smoke
	@PETREL_INIT_ROOT=$(BUILD)/init-smoke $(BUILD)/init run \
		'echo%20smoke;%20exit%203' >$(BUILD)/init-smoke/out; \
	status=$$?; printf 'smoke\n\033_petrel-exit=3\033\\' | \
		cmp -s - $(BUILD)/init-smoke/out && [ $$status = 3 ] || \
		{ echo "init-smoke: FAILED (status $$status)"; exit 1; }
	@echo "init-smoke: ok"
