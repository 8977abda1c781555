# Compilers and flags shared by every fragment.
CC := gcc
MUSL_CC := musl-gcc
WARN := -Wall -Wextra -Werror
# The kernel and the servers: every function used outside its file is
# declared once, in a header its definition includes (docs/kernel.md).
DECL_WARN := -Wmissing-prototypes -Wredundant-decls
# Petrel's own user programs: static musl.
USER_CFLAGS := -std=gnu11 -O2 $(WARN) -static
HOST_CFLAGS := -std=gnu11 -O1 -g $(WARN) -fsanitize=address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=all
# Programs that use Petrel's native calls: the public headers and the
# generated call numbers and stubs (<petrel/calls.h>, <petrel/stubs.h>,
# made together from mk/kernel.mk: depending on calls.h is enough).
PETREL_CALLS_H := $(BUILD)/gen/petrel/calls.h
PETREL_STUBS_H := $(BUILD)/gen/petrel/stubs.h
NATIVE_CFLAGS := -Iinclude -I$(BUILD)/gen
# netd's binary (mk/netd.mk), for the image rules in mk/user.mk.
NETD_BIN := $(BUILD)/netd/netd
