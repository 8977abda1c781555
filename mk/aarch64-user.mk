# Petrel's user programs for aarch64 and its default image (docs/aarch64.md):
# init, netd (with lwIP), fsd and httpd (with BearSSL), static glibc from
# Debian's libc6-dev-arm64-cross, compiled from the lists in mk/sources.mk
# into build/aarch64/; BusyBox is Debian's busybox-static for arm64,
# unpacked under build/aarch64/busybox/ by tools/deps.sh.
#
# glibc, not musl: musl's signal handlers return through a restorer the
# kernel's vDSO would give (Petrel has none on aarch64 yet), and glibc's
# static libc is what Debian ships for cross builds.

A64_CC := $(A64_CROSS)gcc
A64_AR := $(A64_CROSS)ar
A64_USER_CFLAGS := -std=gnu11 -O2 $(WARN) -static
A64_NATIVE := -Iinclude -I$(A64_BUILD)/gen
A64_CALLS_H := $(A64_BUILD)/gen/petrel/calls.h
A64_INIT := $(A64_BUILD)/init
A64_NETD := $(A64_BUILD)/netd/netd
A64_FSD := $(A64_BUILD)/fsd/fsd
A64_HTTPD := $(A64_BUILD)/httpd/httpd
A64_BUSYBOX := $(A64_BUILD)/busybox/bin/busybox
A64_IMAGE := $(A64_BUILD)/initramfs.cpio

$(A64_INIT): $(INIT_SRCS) $(INIT_HDRS) $(A64_CALLS_H) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(A64_CC) $(A64_USER_CFLAGS) $(DECL_WARN) $(A64_NATIVE) -o $@ \
		$(INIT_SRCS)

# lwIP: third-party warnings shown, not fatal; the port layer keeps -Werror
# (as mk/lwip.mk).
A64_LWIP_OBJS := $(LWIP_FILES:%.c=$(A64_BUILD)/lwip/obj/%.o) \
	$(LWIP_PORT_C:%.c=$(A64_BUILD)/lwip/obj/port/%.o)
A64_LWIP_CFLAGS := -std=gnu11 -Wall -Wextra -O2 $(LWIP_INCLUDES)

$(A64_BUILD)/lwip/obj/%.o: $(LWIP_SRC)/src/%.c $(LWIP_PORT_HDRS) \
		| $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  CC [a64] $<"
	@$(A64_CC) $(A64_LWIP_CFLAGS) -c $< -o $@

$(A64_BUILD)/lwip/obj/port/%.o: $(LWIP_PORT)/%.c $(LWIP_PORT_HDRS) \
		| $(LWIP_STAMP)
	@mkdir -p $(@D)
	@echo "  CC [a64] $<"
	@$(A64_CC) $(A64_LWIP_CFLAGS) -Werror -c $< -o $@

$(A64_BUILD)/lwip/liblwip.a: $(A64_LWIP_OBJS)
	@rm -f $@
	$(A64_AR) rcs $@ $^

# netd: its own files and the socket core, as mk/netd.mk links them.
A64_NETD_OBJS := $(patsubst %.c,$(A64_BUILD)/netd/obj/%.o,$(NETD_OWN) \
	$(NSOCK_SRCS))

$(A64_BUILD)/netd/obj/%.o: %.c $(NETD_OWN_HDRS) $(NSOCK_HDRS) \
		$(LWIP_PORT_HDRS) $(A64_CALLS_H) | $(LWIP_STAMP)
	@mkdir -p $(@D)
	@echo "  CC [a64] $<"
	@$(A64_CC) $(A64_USER_CFLAGS) $(DECL_WARN) -D_GNU_SOURCE \
		$(LWIP_INCLUDES) $(A64_NATIVE) -c $< -o $@

$(A64_NETD): $(A64_NETD_OBJS) $(A64_BUILD)/lwip/liblwip.a
	$(A64_CC) $(A64_USER_CFLAGS) -Wl,--wrap=nd6_input -o $@ $^

# fsd.
A64_FSD_OBJS := $(patsubst %.c,$(A64_BUILD)/fsd/obj/%.o,$(EXT2_SRCS) \
	$(FSD_OWN))

$(A64_BUILD)/fsd/obj/%.o: %.c $(EXT2_HDRS) user/lib/virtio/virtio.h \
		$(wildcard include/petrel/*.h) $(A64_CALLS_H) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  CC [a64] $<"
	@$(A64_CC) $(A64_USER_CFLAGS) $(DECL_WARN) -D_GNU_SOURCE \
		$(A64_NATIVE) -Iservers/fsd -Iuser/lib/virtio -c $< -o $@

$(A64_FSD): $(A64_FSD_OBJS)
	$(A64_CC) $(A64_USER_CFLAGS) -o $@ $^

# httpd, with BearSSL's own makefile building its library for aarch64.
A64_BEARSSL := $(A64_BUILD)/bearssl/libbearssl.a

$(A64_BEARSSL): $(BEARSSL_SRC)/.fetched
	+$(MAKE) -s -C $(BEARSSL_SRC) BUILD=$(abspath $(@D)) \
		CC=$(A64_CC) AR=$(A64_AR) CFLAGS="$(BEARSSL_CFLAGS)" lib

$(A64_HTTPD): $(HTTPD_SRCS) $(HTTPD_HDRS) $(A64_BEARSSL) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(A64_CC) $(A64_USER_CFLAGS) $(DECL_WARN) -isystem $(BEARSSL_SRC)/inc \
		-o $@ $(HTTPD_SRCS) $(A64_BEARSSL)

# Debian's busybox-static for arm64: downloaded and unpacked, never
# installed (tools/deps.sh --busybox-arm64).
$(A64_BUSYBOX): tools/deps.sh | $(DEPS_STAMP)
	tools/deps.sh --busybox-arm64 $(A64_BUILD)/busybox
	@touch $@

# The default image, laid out as x86_64's (mk/image.mk). The applet links
# are listed by the host's busybox (the same Debian release; an arm64
# binary cannot run here).
A64_IMAGE_ROOT := $(A64_BUILD)/imageroot
A64_IMAGE_FILES := $(A64_IMAGE_ROOT)/sbin/httpd \
	$(A64_IMAGE_ROOT)/etc/httpd/cert.pem \
	$(A64_IMAGE_ROOT)/etc/httpd/key.pem \
	$(A64_IMAGE_ROOT)/srv/www/index.html

$(A64_IMAGE_ROOT)/sbin/httpd: $(A64_HTTPD)
	@mkdir -p $(@D)
	$(A64_CROSS)strip -o $@ $<
$(A64_IMAGE_ROOT)/etc/httpd/cert.pem: $(HTTPD_CERT)
	@mkdir -p $(@D)
	cp $< $@
$(A64_IMAGE_ROOT)/etc/httpd/key.pem: $(HTTPD_KEY)
	@mkdir -p $(@D)
	cp $< $@
	chmod 600 $@
$(A64_IMAGE_ROOT)/srv/www/index.html: user/httpd/index.html
	@mkdir -p $(@D)
	cp $< $@

$(A64_IMAGE): tools/mkinitramfs.sh tools/cpio-align.py tools/pagepack.py $(A64_INIT) $(A64_NETD) $(A64_FSD) \
		$(A64_BUSYBOX) $(A64_IMAGE_FILES) | $(DEPS_STAMP)
	INIT=$(A64_INIT) NETD=$(A64_NETD) FSD=$(A64_FSD) \
		BUSYBOX=$(A64_BUSYBOX) BUSYBOX_LIST=/bin/busybox \
		STRIP=$(A64_CROSS)strip tools/mkinitramfs.sh $@ $(A64_IMAGE_ROOT):/
