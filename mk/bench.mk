# The network and storage benchmarks' inputs (bench/run, docs/performance.md): tcpbench,
# the Linux guest unpacked from Debian's kernel package, and the two
# initramfs images each benchmark boots. Uses IMAGE_ROOT, IMAGE_FILES and
# INITRAMFS_INPUTS from mk/image.mk, so it is included after it.
#
#   $(TCPBENCH_BIN)        build/bench/tcpbench         static musl
#   $(LINUX_GUEST_DIR)     build/linux-guest/           the unpacked .deb
#   $(BENCH_PETREL_NET)    build/bench/petrel-net.cpio  default image + tcpbench
#   $(BENCH_LINUX_NET)     build/bench/linux-net.cpio   the Linux guest's image
#   $(FSBENCH_BIN)         build/bench/fsbench          static musl
#   $(BENCH_PETREL_FS)     build/bench/petrel-fs.cpio   default image + fsbench,
#                                                       fsd its only service
#   $(BENCH_LINUX_FS)      build/bench/linux-fs.cpio    its Linux guest's image
#   $(BENCH_SRV_MODULES)   build/bench/srv-modules/     virtio-net modules the
#                                                       Linux guest of the server
#                                                       benchmark loads (packed)
#   $(SMPOPS_BIN)          build/bench/smpops           static musl
#   $(BENCH_PETREL_SMP)    build/bench/petrel-smp.cpio  default image + smpops
#   $(BENCH_LINUX_SMP)     build/bench/linux-smp.cpio   its Linux guest's image

BENCH_DIR := $(BUILD)/bench
TCPBENCH_BIN := $(BENCH_DIR)/tcpbench
LINUX_GUEST_DIR := $(BUILD)/linux-guest
BENCH_PETREL_NET := $(BENCH_DIR)/petrel-net.cpio
BENCH_LINUX_NET := $(BENCH_DIR)/linux-net.cpio
FSBENCH_BIN := $(BENCH_DIR)/fsbench
BENCH_PETREL_FS := $(BENCH_DIR)/petrel-fs.cpio
BENCH_LINUX_FS := $(BENCH_DIR)/linux-fs.cpio
BENCH_SRV_MODULES := $(BENCH_DIR)/srv-modules
SMPOPS_BIN := $(BENCH_DIR)/smpops
BENCH_PETREL_SMP := $(BENCH_DIR)/petrel-smp.cpio
BENCH_LINUX_SMP := $(BENCH_DIR)/linux-smp.cpio

.PHONY: bench-inputs
bench-inputs: $(TCPBENCH_BIN) $(LINUX_GUEST_DIR)/version $(BENCH_PETREL_NET) \
	$(BENCH_LINUX_NET) $(FSBENCH_BIN) $(BENCH_PETREL_FS) $(BENCH_LINUX_FS) \
	$(BENCH_SRV_MODULES)/lib/modules/load-order $(BENCH_PETREL_SMP) \
	$(BENCH_LINUX_SMP)

$(TCPBENCH_BIN): bench/tcpbench.c mk/bench.mk | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(MUSL_CC) $(USER_CFLAGS) -o $@ $<

# Downloaded once; the script leaves an unpacked tree alone.
$(LINUX_GUEST_DIR)/version: tools/fetch-linux-guest.sh | $(DEPS_STAMP)
	tools/fetch-linux-guest.sh $(LINUX_GUEST_DIR)
	@touch $@

# Petrel's default image with /bench/tcpbench added.
$(BENCH_PETREL_NET): $(INITRAMFS_INPUTS) $(TCPBENCH_BIN) | $(DEPS_STAMP)
	@mkdir -p $(BENCH_DIR)/netroot/bench
	cp $(TCPBENCH_BIN) $(BENCH_DIR)/netroot/bench/tcpbench
	INIT=$(BUILD)/init NETD=$(NETD_BIN) tools/mkinitramfs.sh $@ \
		$(IMAGE_ROOT):/ $(BENCH_DIR)/netroot:/

$(BENCH_LINUX_NET): bench/linux-net-initramfs.sh bench/linux-guest-lib.sh \
		$(LINUX_GUEST_DIR)/version \
		$(IMAGE_FILES) $(TCPBENCH_BIN) | $(DEPS_STAMP)
	bench/linux-net-initramfs.sh $@ $(LINUX_GUEST_DIR) $(IMAGE_ROOT) \
		$(TCPBENCH_BIN)

# The storage benchmark: fsbench in both guests' images.
$(FSBENCH_BIN): bench/fsbench.c mk/bench.mk | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(MUSL_CC) $(USER_CFLAGS) -o $@ $<

# Petrel's default image with /bench/fsbench added and fsd its only
# service (bench/petrel-fs-services).
$(BENCH_PETREL_FS): $(INITRAMFS_INPUTS) $(FSBENCH_BIN) bench/petrel-fs-services \
		| $(DEPS_STAMP)
	@mkdir -p $(BENCH_DIR)/fsroot/bench $(BENCH_DIR)/fsroot/etc/petrel
	cp $(FSBENCH_BIN) $(BENCH_DIR)/fsroot/bench/fsbench
	cp bench/petrel-fs-services $(BENCH_DIR)/fsroot/etc/petrel/services
	INIT=$(BUILD)/init NETD=$(NETD_BIN) FSD=$(FSD_BIN) \
		tools/mkinitramfs.sh $@ $(IMAGE_ROOT):/ $(BENCH_DIR)/fsroot:/

$(BENCH_LINUX_FS): bench/linux-fs-initramfs.sh bench/linux-guest-lib.sh \
		$(LINUX_GUEST_DIR)/version $(FSBENCH_BIN) | $(DEPS_STAMP)
	bench/linux-fs-initramfs.sh $@ $(LINUX_GUEST_DIR) $(FSBENCH_BIN)

# The server benchmark (bench/srvbench.py): both guests boot Petrel's image
# with nginx and redis packed; the Linux guest's NIC modules are packed too.
$(BENCH_SRV_MODULES)/lib/modules/load-order: bench/linux-srv-modules.sh \
		bench/linux-guest-lib.sh $(LINUX_GUEST_DIR)/version | $(DEPS_STAMP)
	bench/linux-srv-modules.sh $(BENCH_SRV_MODULES) $(LINUX_GUEST_DIR)

# The vCPU scaling benchmark (bench/smpbench.py): smpops in both guests'
# images, which also hold the same httpd.
$(SMPOPS_BIN): bench/smpops.c mk/bench.mk | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(MUSL_CC) $(USER_CFLAGS) -o $@ $<

$(BENCH_PETREL_SMP): $(INITRAMFS_INPUTS) $(SMPOPS_BIN) | $(DEPS_STAMP)
	@mkdir -p $(BENCH_DIR)/smproot/bench
	cp $(SMPOPS_BIN) $(BENCH_DIR)/smproot/bench/smpops
	INIT=$(BUILD)/init NETD=$(NETD_BIN) tools/mkinitramfs.sh $@ \
		$(IMAGE_ROOT):/ $(BENCH_DIR)/smproot:/

$(BENCH_LINUX_SMP): bench/linux-smp-initramfs.sh bench/linux-guest-lib.sh \
		$(LINUX_GUEST_DIR)/version \
		$(IMAGE_FILES) $(SMPOPS_BIN) | $(DEPS_STAMP)
	bench/linux-smp-initramfs.sh $@ $(LINUX_GUEST_DIR) $(IMAGE_ROOT) \
		$(SMPOPS_BIN)
