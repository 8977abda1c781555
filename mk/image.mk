# The initramfs images, from everything the other fragments build (so this
# fragment is included last). The default image: BusyBox, init, netd, fsd,
# httpd with its certificate and a page, and a minimal /etc. The test image
# adds $(BUILD)/testroot/ (TESTROOT_FILES, from the test fragments).

IMAGE_ROOT := $(BUILD)/imageroot
IMAGE_FILES := $(IMAGE_ROOT)/sbin/httpd $(IMAGE_ROOT)/etc/httpd/cert.pem \
	$(IMAGE_ROOT)/etc/httpd/key.pem $(IMAGE_ROOT)/srv/www/index.html

# Stripped, as mkinitramfs.sh puts init, netd and fsd in: build/ keeps
# the whole programs for the debugger.
$(IMAGE_ROOT)/sbin/httpd: $(HTTPD_BIN)
	@mkdir -p $(@D)
	strip -o $@ $<
$(IMAGE_ROOT)/etc/httpd/cert.pem: $(HTTPD_CERT)
	@mkdir -p $(@D)
	cp $< $@
$(IMAGE_ROOT)/etc/httpd/key.pem: $(HTTPD_KEY)
	@mkdir -p $(@D)
	cp $< $@
	chmod 600 $@
$(IMAGE_ROOT)/srv/www/index.html: user/httpd/index.html
	@mkdir -p $(@D)
	cp $< $@

INITRAMFS_INPUTS := tools/mkinitramfs.sh tools/cpio-align.py tools/pagepack.py $(BUILD)/init $(NETD_BIN) $(FSD_BIN) \
	$(IMAGE_FILES)

$(BUILD)/initramfs.cpio: $(INITRAMFS_INPUTS) | $(DEPS_STAMP)
	INIT=$(BUILD)/init NETD=$(NETD_BIN) FSD=$(FSD_BIN) \
		tools/mkinitramfs.sh $@ $(IMAGE_ROOT):/

$(BUILD)/initramfs-test.cpio: $(INITRAMFS_INPUTS) $(TESTROOT_FILES) \
		| $(DEPS_STAMP)
	@mkdir -p $(BUILD)/testroot
	INIT=$(BUILD)/init NETD=$(NETD_BIN) FSD=$(FSD_BIN) \
		tools/mkinitramfs.sh $@ $(IMAGE_ROOT):/ $(BUILD)/testroot:/
