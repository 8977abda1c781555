# What both architectures build their user programs from: the source lists
# of init, netd, fsd and httpd, the third-party sources fetched from Debian
# (lwIP, BearSSL) and httpd's certificate. The rules that compile them are
# each arch's: mk/lwip.mk, netd.mk, fsd.mk, httpd.mk for x86_64 (musl),
# mk/aarch64-user.mk for aarch64 (glibc).

# lwIP, from Debian's lwip source package, with Petrel's options and port
# layer (servers/netd/lwip/).
LWIP_SRC := $(BUILD)/src/lwip
LWIP_STAMP := $(LWIP_SRC)/.fetched
LWIP_PORT := servers/netd/lwip
LWIP_INCLUDES := -I$(LWIP_PORT) -I$(LWIP_SRC)/src/include
LWIP_PORT_HDRS := $(wildcard $(LWIP_PORT)/*.h $(LWIP_PORT)/arch/*.h)

# The parts of lwIP netd runs: no sequential API, PPP, 6LoWPAN or apps.
LWIP_FILES := \
	core/init.c core/def.c core/dns.c core/inet_chksum.c core/ip.c \
	core/mem.c core/memp.c core/netif.c core/pbuf.c core/raw.c \
	core/stats.c core/sys.c core/tcp.c core/tcp_in.c core/tcp_out.c \
	core/timeouts.c core/udp.c \
	core/ipv4/dhcp.c core/ipv4/etharp.c core/ipv4/icmp.c \
	core/ipv4/igmp.c core/ipv4/ip4.c core/ipv4/ip4_addr.c \
	core/ipv4/ip4_frag.c \
	core/ipv6/ethip6.c core/ipv6/icmp6.c core/ipv6/inet6.c \
	core/ipv6/ip6.c core/ipv6/ip6_addr.c core/ipv6/ip6_frag.c \
	core/ipv6/mld6.c core/ipv6/nd6.c \
	netif/ethernet.c
LWIP_C := $(addprefix $(LWIP_SRC)/src/,$(LWIP_FILES))
LWIP_PORT_C := sys_arch.c tw_reuse.c syn_queue.c pcb_index.c mem_cache.c

# Fetching unpacks every source file at once; the sources themselves
# never change afterwards, so they only wait for the fetch.
$(LWIP_STAMP): | $(DEPS_STAMP)
	tools/fetch-source.sh lwip $(LWIP_SRC)
$(LWIP_C): | $(LWIP_STAMP) ;

# init.
INIT_SRCS := $(wildcard user/init/*.c)
INIT_HDRS := $(wildcard user/init/*.h)

# netd: its socket core, its own files and the virtio library.
NSOCK_SRCS := $(wildcard servers/netd/sock*.c)
NSOCK_HDRS := $(wildcard servers/netd/sock*.h)
NETD_OWN := servers/netd/main.c servers/netd/netif.c servers/netd/serve.c \
	servers/netd/vnet.c servers/netd/dad.c servers/netd/ifinfo.c \
	servers/netd/ticks.c \
	user/lib/virtio/virtio.c
NETD_OWN_HDRS := servers/netd/netd.h servers/netd/vnet.h \
	user/lib/virtio/virtio.h $(wildcard include/petrel/*.h)

# fsd: the portable ext2 code (also built into host tests), its
# virtio-blk driver and event loop.
EXT2_SRCS := $(wildcard servers/fsd/ext2*.c) $(wildcard servers/fsd/bcache.c)
EXT2_HDRS := $(wildcard servers/fsd/*.h)
FSD_OWN := $(wildcard servers/fsd/main.c servers/fsd/serve.c \
	servers/fsd/vblk.c servers/fsd/blkfile.c) user/lib/virtio/virtio.c

# httpd (docs/httpd.md) and BearSSL from Debian's source package.
HTTPD_DIR := $(BUILD)/httpd
HTTPD_CERT := $(HTTPD_DIR)/cert.pem
HTTPD_KEY := $(HTTPD_DIR)/key.pem
HTTPD_SRCS := $(wildcard user/httpd/*.c)
HTTPD_HDRS := $(wildcard user/httpd/*.h)
BEARSSL_SRC := $(BUILD)/src/bearssl
BEARSSL_CFLAGS := -W -Wall -O2

# Unpacked once; fetch-source.sh leaves an existing tree alone.
$(BEARSSL_SRC)/.fetched: | $(DEPS_STAMP)
	tools/fetch-source.sh bearssl $(BEARSSL_SRC)

# A fresh self-signed certificate per build tree, never committed, for
# every arch's image. Both files come from one openssl run (a grouped
# target) and appear together.
$(HTTPD_CERT) $(HTTPD_KEY) &: | $(DEPS_STAMP)
	@mkdir -p $(HTTPD_DIR)
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -days 3650 -subj /CN=petrel \
		-addext subjectAltName=DNS:petrel,DNS:localhost,IP:127.0.0.1 \
		-keyout $(HTTPD_KEY).tmp -out $(HTTPD_CERT).tmp 2>/dev/null
	mv $(HTTPD_KEY).tmp $(HTTPD_KEY)
	mv $(HTTPD_CERT).tmp $(HTTPD_CERT)
