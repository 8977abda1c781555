# httpd (user/httpd/, docs/httpd.md): the static musl binary for the image,
# a host build under ASan/UBSan for the host tests, BearSSL compiled from
# Debian's source package for each, and a self-signed certificate made at
# build time. Needs BUILD, DEPS_STAMP, CC, MUSL_CC, USER_CFLAGS and
# HOST_CFLAGS from the fragments included before this one.
#
#   $(HTTPD_BIN)         build/httpd/httpd        static musl, for the image
#   $(HTTPD_HOST_BIN)    build/httpd/httpd-host   host gcc, for the tests
#   $(HTTPD_CERT)        build/httpd/cert.pem     EC P-256, CN=petrel
#   $(HTTPD_KEY)         build/httpd/key.pem

HTTPD_DIR := $(BUILD)/httpd
HTTPD_BIN := $(HTTPD_DIR)/httpd
HTTPD_HOST_BIN := $(HTTPD_DIR)/httpd-host
HTTPD_CERT := $(HTTPD_DIR)/cert.pem
HTTPD_KEY := $(HTTPD_DIR)/key.pem
HTTPD_SRCS := $(wildcard user/httpd/*.c)
HTTPD_HDRS := $(wildcard user/httpd/*.h)

BEARSSL_SRC := $(BUILD)/src/bearssl
BEARSSL_MUSL := $(BUILD)/bearssl-musl/libbearssl.a
BEARSSL_HOST := $(BUILD)/bearssl-host/libbearssl.a
BEARSSL_CFLAGS := -W -Wall -O2

.PHONY: httpd
httpd: $(HTTPD_BIN) $(HTTPD_HOST_BIN) $(HTTPD_CERT) $(HTTPD_KEY)
all: httpd

# Unpacked once; fetch-source.sh leaves an existing tree alone.
$(BEARSSL_SRC)/.fetched: | $(DEPS_STAMP)
	tools/fetch-source.sh bearssl $(BEARSSL_SRC)

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

# A fresh self-signed certificate per build tree, never committed. Both
# files come from one openssl run (a grouped target) and appear together.
$(HTTPD_CERT) $(HTTPD_KEY) &: | $(DEPS_STAMP)
	@mkdir -p $(HTTPD_DIR)
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -days 3650 -subj /CN=petrel \
		-addext subjectAltName=DNS:petrel,DNS:localhost,IP:127.0.0.1 \
		-keyout $(HTTPD_KEY).tmp -out $(HTTPD_CERT).tmp 2>/dev/null
	mv $(HTTPD_KEY).tmp $(HTTPD_KEY)
	mv $(HTTPD_CERT).tmp $(HTTPD_CERT)

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

$(BUILD)/host-tests/httpd: tests/httpd/host-test.py $(HTTPD_BIN) \
		$(HTTPD_HOST_BIN) $(HTTPD_CERT) $(HTTPD_KEY) \
		$(HTTPD_DIR)/fallbacks.so
	@mkdir -p $(@D)
	cp $< $@
	chmod +x $@
