# netd: the network server. Its own files (event loop, virtio-net netif,
# the kernel's socket protocol) plus the virtio library, linked with the
# socket core and lwIP from mk/lwip.mk (included before this fragment).

NETD_OWN := servers/netd/main.c servers/netd/netif.c servers/netd/serve.c \
	servers/netd/vnet.c user/lib/virtio/virtio.c
NETD_OWN_HDRS := servers/netd/netd.h servers/netd/vnet.h \
	user/lib/virtio/virtio.h $(wildcard include/petrel/*.h)
NETD_OWN_OBJS := $(NETD_OWN:%.c=$(BUILD)/netd/own/%.o)

$(BUILD)/netd/own/%.o: %.c $(NETD_OWN_HDRS) $(NSOCK_HDRS) $(PETREL_CALLS_H) \
		| $(LWIP_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(MUSL_CC) $(NETD_CFLAGS) $(NATIVE_CFLAGS) -c $< -o $@

$(NETD_BIN): $(NETD_OWN_OBJS) $(NSOCK_LIB) $(LWIP_LIB)
	$(MUSL_CC) $(USER_CFLAGS) -o $@ $(NETD_OWN_OBJS) $(NSOCK_LIB) $(LWIP_LIB)
