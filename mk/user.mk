# Petrel's init (static musl). The images are built in mk/image.mk.

$(BUILD)/init: $(INIT_SRCS) $(INIT_HDRS) $(PETREL_CALLS_H) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(MUSL_CC) $(USER_CFLAGS) $(DECL_WARN) $(NATIVE_CFLAGS) -o $@ \
		$(INIT_SRCS)

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
