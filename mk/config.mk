# Compilers and flags shared by every fragment.
CC := gcc
MUSL_CC := musl-gcc
WARN := -Wall -Wextra -Werror
# Petrel's own user programs: static musl.
USER_CFLAGS := -std=gnu11 -O2 $(WARN) -static
HOST_CFLAGS := -std=gnu11 -O1 -g $(WARN) -fsanitize=address,undefined \
	-fno-omit-frame-pointer -fno-sanitize-recover=all
