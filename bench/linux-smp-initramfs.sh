#!/bin/sh
# Builds the Linux guest's initramfs for the vCPU scaling benchmark
# (bench/smpbench.py, docs/performance.md "vCPU scaling"): Debian's static
# BusyBox (the one Petrel's image has), the tree Petrel's image gets its
# httpd from (build/imageroot: /sbin/httpd, /srv/www), smpops, the kernel
# modules virtio-net needs on microvm (from the unpacked .deb of
# tools/fetch-linux-guest.sh), and an /init that mounts a tmpfs on /tmp,
# brings eth0 up when there is one, runs the command the kernel command
# line gives after `--` (smpops, or httpd -w N), then powers off.
#
# usage: bench/linux-smp-initramfs.sh OUT LINUX_DIR IMAGE_ROOT SMPOPS
#   LINUX_DIR   what tools/fetch-linux-guest.sh unpacked
#   IMAGE_ROOT  build/imageroot (Petrel's image tree)
#   SMPOPS      the static smpops binary
# environment: BUSYBOX (default /bin/busybox)
set -eu

[ $# -eq 4 ] ||
	{ echo "usage: $0 OUT LINUX_DIR IMAGE_ROOT SMPOPS" >&2; exit 2; }
OUT=$1 LINUX_DIR=$2 IMAGE_ROOT=$3 SMPOPS=$4
BUSYBOX=${BUSYBOX:-/bin/busybox}
VERSION=$(cat "$LINUX_DIR/version")
MODDIR=$LINUX_DIR/lib/modules/$VERSION
MODULES="virtio_mmio virtio_net"

. "$(dirname "$0")/linux-guest-lib.sh"

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/petrel-linux-smp.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
umask 022
stage_busybox "$STAGE" "$BUSYBOX"
cp -R --remove-destination "$IMAGE_ROOT/." "$STAGE/"
cp "$SMPOPS" "$STAGE/bench/smpops"
# shellcheck disable=SC2086
stage_modules "$STAGE" "$MODDIR" $MODULES

cat >"$STAGE/init" <<'EOF2'
#!/bin/sh
# The Linux guest of bench/smpbench.py: the command after `--` on the
# kernel command line, with the network up if there is a NIC.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
while read -r m; do
	insmod "/lib/modules/$m" 2>/dev/null
done </lib/modules/load-order
i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 20 ] &&
	grep -q virtio /proc/interrupts 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
ip link set lo up
if [ -e /sys/class/net/eth0 ]; then
	ip link set eth0 up
	ip addr add 10.0.2.15/24 dev eth0
	ip route add default via 10.0.2.2
fi
echo "bench-init: $(nproc) CPUs: $*"
"$@"
echo "bench-init: exit $?"
poweroff -f
EOF2
chmod 0755 "$STAGE/init"

write_cpio "$STAGE" "$OUT"
