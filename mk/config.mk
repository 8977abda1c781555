# Compilers and flags shared by every fragment.
CC := gcc
MUSL_CC := musl-gcc
WARN := -Wall -Wextra -Werror
# Petrel's own user programs: static musl.
USER_CFLAGS := -std=gnu11 -O2 $(WARN) -static
HOST_CFLAGS := -std=gnu11 -O1 -g $(WARN) -fsanitize=address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=all
# Programs that use Petrel's native calls: the public headers and the
# generated call numbers (<petrel/calls.h>, from mk/kernel.mk).
PETREL_CALLS_H := $(BUILD)/gen/petrel/calls.h
NATIVE_CFLAGS := -Iinclude -I$(BUILD)/gen
# netd's binary (mk/netd.mk), for the image rules in mk/user.mk.
NETD_BIN := $(BUILD)/netd/netd
