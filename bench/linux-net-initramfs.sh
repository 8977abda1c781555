#!/bin/sh
# Builds the Linux guest's initramfs for the network benchmarks (bench/run):
# Debian's static BusyBox (the one Petrel's image has), the tree Petrel's
# image gets its httpd from (build/imageroot: /sbin/httpd, its certificate,
# /srv/www), tcpbench, the kernel modules virtio-net needs on microvm
# (virtio_mmio and virtio_net with their dependencies, from the unpacked
# .deb of tools/fetch-linux-guest.sh), and an /init that loads them, sets
# up eth0 for QEMU user networking and starts the same servers as Petrel.
#
# usage: bench/linux-net-initramfs.sh OUT LINUX_DIR IMAGE_ROOT TCPBENCH
#   LINUX_DIR   what tools/fetch-linux-guest.sh unpacked
#   IMAGE_ROOT  build/imageroot (Petrel's image tree)
#   TCPBENCH    the static tcpbench binary
# environment: BUSYBOX (default /bin/busybox)
set -eu

[ $# -eq 4 ] ||
	{ echo "usage: $0 OUT LINUX_DIR IMAGE_ROOT TCPBENCH" >&2; exit 2; }
OUT=$1 LINUX_DIR=$2 IMAGE_ROOT=$3 TCPBENCH=$4
BUSYBOX=${BUSYBOX:-/bin/busybox}
VERSION=$(cat "$LINUX_DIR/version")
MODDIR=$LINUX_DIR/lib/modules/$VERSION
MODULES="virtio_mmio virtio_net"

. "$(dirname "$0")/linux-guest-lib.sh"

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/petrel-linux-net.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
umask 022
stage_busybox "$STAGE" "$BUSYBOX"
cp -R --remove-destination "$IMAGE_ROOT/." "$STAGE/"
cp "$TCPBENCH" "$STAGE/bench/tcpbench"
# shellcheck disable=SC2086
stage_modules "$STAGE" "$MODDIR" $MODULES

# The servers are started with the arguments of Petrel's services file
# (tools/mkinitramfs.sh), plus tcpbench as Petrel's bench run starts it.
cat >"$STAGE/init" <<'EOF'
#!/bin/sh
# The Linux guest of bench/run: network up, then the same servers as Petrel.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
while read -r m; do
	insmod "/lib/modules/$m" || echo "bench-init: insmod $m failed"
done </lib/modules/load-order
i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2
/sbin/httpd -q -p 80 -r /srv/www -s 443 -c /etc/httpd/cert.pem \
	-k /etc/httpd/key.pem &
/bench/tcpbench server 5001 &
# bench.idle=SECONDS (the many-connection benchmark): a second httpd on
# port 8080 that keeps an idle connection that long, as Petrel's is started.
for w in $(cat /proc/cmdline); do
	case $w in
	bench.idle=*)
		/sbin/httpd -q -p 8080 -t "${w#bench.idle=}" -r /srv/www & ;;
	esac
done
echo "bench-init: ready: $(cat /sys/class/net/eth0/address)"
while :; do
	sleep 3600
done
EOF
chmod 0755 "$STAGE/init"

write_cpio "$STAGE" "$OUT"
