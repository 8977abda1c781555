# The kernel ELF: portable kernel/ plus arch/$(ARCH)/, freestanding
# (ARCH is set in the Makefile; mk/aarch64.mk builds the AArch64 kernel).
# A prototype pasted into a .c file, or none, fails (DECL_WARN).
KERNEL_WARN := $(WARN) $(DECL_WARN)
KERNEL_CFLAGS := -std=gnu11 -O2 -g $(KERNEL_WARN) -ffreestanding -fno-builtin \
	-fno-stack-protector -fno-pic -fno-pie -mno-red-zone -mcmodel=kernel \
	-mno-sse -mno-mmx -mno-sse2 -mno-avx -fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables -Ikernel/include -Iarch/$(ARCH)/include \
	-Iinclude -I$(BUILD)/gen -MMD -MP
# The vDSO's sources are user code, built by mk/vdso.mk.
KERNEL_SRCS := $(shell find kernel arch/$(ARCH) -path arch/$(ARCH)/vdso -prune \
	-o \( -name '*.c' -o -name '*.S' \) -print | sort)
KERNEL_OBJS := $(patsubst %,$(BUILD)/obj/%.o,$(KERNEL_SRCS))
KERNEL_GEN := $(BUILD)/gen/syscall_table.h

$(KERNEL_GEN) $(PETREL_CALLS_H) $(PETREL_STUBS_H) &: \
		kernel/linux/syscalls.master tools/gensyscalls.py
	@mkdir -p $(BUILD)/gen/petrel
	python3 tools/gensyscalls.py --arch $(ARCH) $< $(KERNEL_GEN) \
		$(PETREL_CALLS_H) $(PETREL_STUBS_H)

# /proc/config.gz: the option list gzipped (without a name or a time, so
# the same text gives the same bytes) and included by procfs_config.S.
CONFIG_GZ := $(BUILD)/gen/config.gz
$(CONFIG_GZ): kernel/linux/linux.config
	@mkdir -p $(dir $@)
	gzip -9n < $< > $@
$(BUILD)/obj/kernel/fs/procfs_config.S.o \
$(BUILD)/assert/obj/kernel/fs/procfs_config.S.o: $(CONFIG_GZ)
$(BUILD)/obj/kernel/fs/procfs_config.S.o \
$(BUILD)/assert/obj/kernel/fs/procfs_config.S.o: \
	KERNEL_CFLAGS += -Wa,-I$(BUILD)/gen

# Cold code, compiled for size: calls and files no hot path and no boot
# step runs (the tracer, ptrace and cores, keys, Landlock, fanotify,
# System V IPC and message queues, the mount API, most of /proc, sysfs,
# netlink, locks and leases, inotify, namespaces). -Os takes about 37 KB
# (9 pages) off their first 173 KB of code, which --mem 4M needs
# (docs/performance.md §3); ipc_util, inotify, namespaces, the
# attribute calls and /proc's own about 7 KB more, which it needed after
# the scheduler lock split. The region tree (vm_tree.c) too: -O2 made it
# 2.9 KB, -Os 0.8 KB, and its lookup is a short loop either way. Session
# 17's merges (the region merge, the vectored nolock calls, bkl_pass,
# the time calls' and sysfs's loop/) grew the text by 4.9 KB and `true`
# no longer ran in 4092K: the time and scheduling calls (x86_64 reads
# the clocks through the vDSO) and vm_merge.c went -Os for it. The nolock
# tmpfs write (session 19, 2 KB) for the same reason: tmpfs's mount
# options and hole punching, memfd's seals, chattr's flags, AF_UNIX's
# socket options and /proc's namespace files (1.9 KB).
KERNEL_COLD := $(addprefix kernel/linux/,trace.c trace_fmt.c trace_sets.c \
	keys.c keys_proc.c keyctl.c landlock.c landlock_fs.c sys_fanotify.c \
	sys_fanotify_mark.c ptrace.c coredump.c mqueue.c ipc_msg.c ipc_sem.c \
	ipc_shm.c sys_statmount.c sys_fsmount.c sys_handle.c sys_userfaultfd.c \
	aio.c sys_prctl_mm.c seccomp.c sys_xattr.c sys_mount.c ipc_util.c \
	sys_inotify.c namespace.c sys_attr.c sys_time.c sys_adjtime.c \
	sys_ptimer.c sys_timerfd.c sys_sched.c) \
	$(addprefix kernel/fs/,procfs.c procfs_pid.c procfs_mm.c procfs_net.c \
	procfs_sys.c procfs_petrel.c procfs_mount.c sysfs.c netlink.c \
	rtnetlink.c xattr.c loop.c lease.c locks.c mount_bind.c mount_ns.c \
	mount_pivot.c procfs_ns.c tmpfs_options.c tmpfs_holes.c \
	unixsock_opt.c netif.c pty.c devpts.c tty_ldisc.c) \
	kernel/linux/sys_fileattr.c kernel/linux/sys_memfd.c \
	kernel/mm/userfaultfd.c kernel/mm/vm_tree.c kernel/mm/vm_merge.c
$(patsubst %,$(BUILD)/obj/%.o,$(KERNEL_COLD)) \
$(patsubst %,$(BUILD)/assert/obj/%.o,$(KERNEL_COLD)): KERNEL_CFLAGS += -Os

$(BUILD)/obj/%.c.o: %.c $(KERNEL_GEN) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/obj/%.S.o: %.S | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(CC) $(KERNEL_CFLAGS) -D__ASSEMBLY__ -c $< -o $@

# tools/check-layers.py fails the link on a call up the layers
# (docs/kernel.md, "Layers").
$(BUILD)/kernel.elf: $(KERNEL_OBJS) arch/$(ARCH)/kernel.ld tools/check-layers.py
	@echo "  CHECK   layers"
	@python3 tools/check-layers.py $(KERNEL_OBJS)
	$(CC) -nostdlib -static -no-pie -Wl,-T,arch/$(ARCH)/kernel.ld \
		-Wl,--build-id=none -Wl,-z,max-page-size=4096 -o $@ $(KERNEL_OBJS) -lgcc

# The assert-enabled kernel: the same sources with PETREL_ASSERTS, which
# compiles KASSERT (kernel/include/kernel/assert.h): lock ownership, list
# links, reference counts, copy ranges. Its objects live apart, so both
# kernels build side by side; `make test` runs tests against it as well
# (tests/run). `make asserts` builds it alone.
ASSERT_KERNEL := $(BUILD)/assert/kernel.elf
ASSERT_KERNEL_OBJS := $(patsubst %,$(BUILD)/assert/obj/%.o,$(KERNEL_SRCS))

.PHONY: asserts
asserts: $(ASSERT_KERNEL)

$(BUILD)/assert/obj/%.c.o: %.c $(KERNEL_GEN) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  CC [A]  $<"
	@$(CC) $(KERNEL_CFLAGS) -DPETREL_ASSERTS -c $< -o $@

$(BUILD)/assert/obj/%.S.o: %.S | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	@echo "  AS [A]  $<"
	@$(CC) $(KERNEL_CFLAGS) -DPETREL_ASSERTS -D__ASSEMBLY__ -c $< -o $@

$(ASSERT_KERNEL): $(ASSERT_KERNEL_OBJS) arch/$(ARCH)/kernel.ld
	$(CC) -nostdlib -static -no-pie -Wl,-T,arch/$(ARCH)/kernel.ld \
		-Wl,--build-id=none -Wl,-z,max-page-size=4096 -o $@ \
		$(ASSERT_KERNEL_OBJS) -lgcc

-include $(KERNEL_OBJS:.o=.d) $(ASSERT_KERNEL_OBJS:.o=.d)
