# lwIP for netd, compiled from Debian's lwip source package (fetched into
# $(BUILD)/src/lwip at build time, never committed) with Petrel's options
# and port layer from servers/netd/lwip/. Two builds: static musl for netd,
# and host gcc with ASan/UBSan for the socket core's host test. Also builds
# netd's socket core (servers/netd/sock*.c) and its host test.
#
# The file lists and the fetch are in mk/sources.mk, shared with aarch64.
# For netd's own rules: link $(LWIP_LIB) (and $(NSOCK_LIB) or the sources
# in $(NSOCK_SRCS)), compile with $(NETD_CFLAGS).

LWIP_LIB := $(BUILD)/lwip/liblwip.a
LWIP_HOST_LIB := $(BUILD)/lwip-host/liblwip.a

# Third-party code: its warnings are shown but do not fail the build, so
# a newer compiler cannot break netd over code Petrel does not own.
# The port layer is Petrel's own and keeps -Werror.
LWIP_OPT := -std=gnu11 -Wall -Wextra \
	$(LWIP_INCLUDES)
LWIP_CFLAGS := $(LWIP_OPT) -O2 -g
LWIP_HOST_DEFS := -DPETREL_LWIP_HOST=1
LWIP_HOST_CFLAGS := $(LWIP_OPT) $(LWIP_HOST_DEFS) -O1 -g \
	-fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all

LWIP_OBJS := $(LWIP_FILES:%.c=$(BUILD)/lwip/obj/%.o) \
	$(LWIP_PORT_C:%.c=$(BUILD)/lwip/obj/port/%.o)
LWIP_HOST_OBJS := $(LWIP_FILES:%.c=$(BUILD)/lwip-host/obj/%.o) \
	$(LWIP_PORT_C:%.c=$(BUILD)/lwip-host/obj/port/%.o)

# netd's socket core, and the flags netd's own sources build with.
NSOCK_LIB := $(BUILD)/netd/libnsock.a
NETD_CFLAGS := $(USER_CFLAGS) $(DECL_WARN) -D_GNU_SOURCE $(LWIP_INCLUDES)

all: $(LWIP_LIB) $(NSOCK_LIB)
host-tests: $(HOST_TEST_DIR)/test_netd_sock

$(BUILD)/lwip/obj/%.o: $(LWIP_SRC)/src/%.c $(LWIP_PORT_HDRS) mk/lwip.mk \
		| $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(MUSL_CC) $(LWIP_CFLAGS) -c $< -o $@

$(BUILD)/lwip-host/obj/%.o: $(LWIP_SRC)/src/%.c $(LWIP_PORT_HDRS) \
		mk/lwip.mk | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $<"
	@$(CC) $(LWIP_HOST_CFLAGS) -c $< -o $@

$(BUILD)/lwip/obj/port/%.o: $(LWIP_PORT)/%.c $(LWIP_PORT_HDRS) mk/lwip.mk \
		| $(LWIP_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(MUSL_CC) $(LWIP_CFLAGS) -Werror -c $< -o $@

$(BUILD)/lwip-host/obj/port/%.o: $(LWIP_PORT)/%.c $(LWIP_PORT_HDRS) \
		mk/lwip.mk | $(LWIP_STAMP)
	@mkdir -p $(@D)
	@echo "  HOSTCC  $<"
	@$(CC) $(LWIP_HOST_CFLAGS) -Werror -c $< -o $@

$(LWIP_LIB): $(LWIP_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(LWIP_HOST_LIB): $(LWIP_HOST_OBJS)
	@rm -f $@
	ar rcs $@ $^

# The socket core built as netd builds it, so `make` checks it compiles
# against musl; netd may link this archive or its sources.
NSOCK_OBJS := $(NSOCK_SRCS:servers/netd/%.c=$(BUILD)/netd/obj/%.o)

$(BUILD)/netd/obj/%.o: servers/netd/%.c $(NSOCK_HDRS) $(LWIP_PORT_HDRS) \
		mk/lwip.mk | $(LWIP_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(MUSL_CC) $(NETD_CFLAGS) -c $< -o $@

$(NSOCK_LIB): $(NSOCK_OBJS)
	@rm -f $@
	ar rcs $@ $^

# The socket core's host test: lwIP's loopback interface in-process.
NETD_SOCK_TESTS := tests/netd/test_sock.c tests/netd/test_sock_tcp.c \
	tests/netd/test_sock_udp.c tests/netd/test_listen.c \
	tests/netd/test_pcb_index.c
$(HOST_TEST_DIR)/test_netd_sock: $(NETD_SOCK_TESTS) tests/netd/harness.h \
		$(NSOCK_SRCS) $(NSOCK_HDRS) $(LWIP_HOST_LIB) tests/host/check.h \
		mk/lwip.mk | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -D_GNU_SOURCE $(LWIP_HOST_DEFS) \
		$(LWIP_INCLUDES) -Iservers/netd -Itests/host -o $@ \
		$(NETD_SOCK_TESTS) $(NSOCK_SRCS) $(LWIP_HOST_LIB)
