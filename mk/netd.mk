# netd: the network server. Its own files (event loop, virtio-net netif,
# the kernel's socket protocol) plus the virtio library, linked with the
# socket core and lwIP from mk/lwip.mk (included before this fragment);
# the source lists are in mk/sources.mk.

NETD_OWN_OBJS := $(NETD_OWN:%.c=$(BUILD)/netd/own/%.o)

$(BUILD)/netd/own/%.o: %.c $(NETD_OWN_HDRS) $(NSOCK_HDRS) $(PETREL_CALLS_H) \
		| $(LWIP_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(MUSL_CC) $(NETD_CFLAGS) $(NATIVE_CFLAGS) -c $< -o $@

# lwIP's ICMPv6 input reaches nd6_input through servers/netd/dad.c.
$(NETD_BIN): $(NETD_OWN_OBJS) $(NSOCK_LIB) $(LWIP_LIB) mk/netd.mk
	$(MUSL_CC) $(USER_CFLAGS) -Wl,--wrap=nd6_input -o $@ \
		$(NETD_OWN_OBJS) $(NSOCK_LIB) $(LWIP_LIB)

# The driver's receive path on the host, the virtqueue faked by the test.
host-tests: $(HOST_TEST_DIR)/test_netd_vnet
$(HOST_TEST_DIR)/test_netd_vnet: tests/netd/test_vnet.c servers/netd/vnet.c \
		$(NETD_OWN_HDRS) $(PETREL_CALLS_H) $(LWIP_HOST_LIB) \
		tests/host/check.h mk/netd.mk | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -D_GNU_SOURCE $(LWIP_HOST_DEFS) $(LWIP_INCLUDES) \
		$(NATIVE_CFLAGS) -Iservers/netd -Itests/host -o $@ \
		tests/netd/test_vnet.c servers/netd/vnet.c $(LWIP_HOST_LIB)

# netd's cache in front of malloc for lwIP's heap, counted on the host.
host-tests: $(HOST_TEST_DIR)/test_netd_mem_cache
$(HOST_TEST_DIR)/test_netd_mem_cache: tests/netd/test_mem_cache.c \
		$(LWIP_PORT)/mem_cache.c $(LWIP_PORT)/lwipopts.h \
		tests/host/check.h mk/netd.mk | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Wl,--wrap=malloc -Wl,--wrap=free \
		-I$(LWIP_PORT) -Itests/host -o $@ \
		tests/netd/test_mem_cache.c $(LWIP_PORT)/mem_cache.c
