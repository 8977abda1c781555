# fsd: the storage server. The portable ext2 code (servers/fsd/ext2*.c and
# bcache.c) builds twice: into fsd (static musl) and into host tests
# against an image file (blkfile.c). fsd adds its virtio-blk driver, its
# event loop and the kernel's file protocol, with the virtio library
# (the source lists are in mk/sources.mk).

FSD_BIN := $(BUILD)/fsd/fsd
FSD_OBJS := $(patsubst %.c,$(BUILD)/fsd/obj/%.o,$(EXT2_SRCS) $(FSD_OWN))

$(BUILD)/fsd/obj/%.o: %.c $(EXT2_HDRS) user/lib/virtio/virtio.h \
		$(wildcard include/petrel/*.h) $(PETREL_CALLS_H) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(MUSL_CC) $(USER_CFLAGS) $(DECL_WARN) -D_GNU_SOURCE $(NATIVE_CFLAGS) \
		-Iservers/fsd -Iuser/lib/virtio -c $< -o $@

$(FSD_BIN): $(FSD_OBJS)
	$(MUSL_CC) $(USER_CFLAGS) -o $@ $(FSD_OBJS)

# The ext2 code on the host, for tests/fsd (mk/fsd-test.mk).
EXT2_HOST_SRCS := $(EXT2_SRCS) servers/fsd/blkfile.c
