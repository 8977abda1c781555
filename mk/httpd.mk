# httpd (user/httpd/, docs/httpd.md): the static musl binary for the image,
# a host build under ASan/UBSan for the host tests, BearSSL compiled from
# Debian's source package for each, and a self-signed certificate made at
# build time. Needs BUILD, DEPS_STAMP, CC, MUSL_CC, USER_CFLAGS and
# HOST_CFLAGS from the fragments included before this one; the source
# lists, BearSSL's fetch and the certificate's rule are in mk/sources.mk.
#
#   $(HTTPD_BIN)         build/httpd/httpd        static musl, for the image
#   $(HTTPD_HOST_BIN)    build/httpd/httpd-host   host gcc, for the tests
#   $(HTTPD_CERT)        build/httpd/cert.pem     EC P-256, CN=petrel
#   $(HTTPD_KEY)         build/httpd/key.pem

HTTPD_BIN := $(HTTPD_DIR)/httpd
HTTPD_HOST_BIN := $(HTTPD_DIR)/httpd-host

BEARSSL_MUSL := $(BUILD)/bearssl-musl/libbearssl.a
BEARSSL_HOST := $(BUILD)/bearssl-host/libbearssl.a

.PHONY: httpd
httpd: $(HTTPD_BIN) $(HTTPD_HOST_BIN) $(HTTPD_CERT) $(HTTPD_KEY)
all: httpd

# BearSSL's own makefile, with its output moved out of the source tree.
# Only lib is built: no tools, no tests, no shared object.
$(BEARSSL_MUSL): $(BEARSSL_SRC)/.fetched
	+$(MAKE) -s -C $(BEARSSL_SRC) BUILD=$(abspath $(@D)) \
		CC=$(MUSL_CC) CFLAGS="$(BEARSSL_CFLAGS)" lib

$(BEARSSL_HOST): $(BEARSSL_SRC)/.fetched
	+$(MAKE) -s -C $(BEARSSL_SRC) BUILD=$(abspath $(@D)) \
		CC=$(CC) CFLAGS="$(BEARSSL_CFLAGS)" lib

# BearSSL's headers are included as system ones: its code is not ours to
# hold to -Werror.
$(HTTPD_BIN): $(HTTPD_SRCS) $(HTTPD_HDRS) $(BEARSSL_MUSL) mk/httpd.mk \
		| $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(MUSL_CC) $(USER_CFLAGS) $(DECL_WARN) -isystem $(BEARSSL_SRC)/inc -o $@ \
		$(HTTPD_SRCS) $(BEARSSL_MUSL)

$(HTTPD_HOST_BIN): $(HTTPD_SRCS) $(HTTPD_HDRS) $(BEARSSL_HOST) mk/httpd.mk \
		| $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -isystem $(BEARSSL_SRC)/inc -o $@ \
		$(HTTPD_SRCS) $(BEARSSL_HOST)

# Host tests: the parser under ASan/UBSan, and the server end to end.
HTTPD_TESTS := $(BUILD)/host-tests/httpd-parse $(BUILD)/host-tests/httpd
host-tests: $(HTTPD_TESTS)

$(BUILD)/host-tests/httpd-parse: tests/httpd/test_http.c user/httpd/http.c \
		$(HTTPD_HDRS) tests/host/check.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Iuser/httpd -Itests/host -o $@ \
		tests/httpd/test_http.c user/httpd/http.c

# A preload library that takes away what a young Petrel may lack, so the
# host test runs httpd's fallbacks too.
$(HTTPD_DIR)/fallbacks.so: tests/httpd/fallbacks.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(WARN) -shared -fPIC -o $@ $<

$(BUILD)/host-tests/httpd: tests/httpd/host-test.py tests/httpd/httpdlib.py \
		$(HTTPD_BIN) $(HTTPD_HOST_BIN) $(HTTPD_CERT) $(HTTPD_KEY) \
		$(HTTPD_DIR)/fallbacks.so
	@mkdir -p $(@D)
	cp tests/httpd/httpdlib.py $(@D)/httpdlib.py
	cp $< $@
	chmod +x $@
