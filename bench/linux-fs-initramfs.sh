#!/bin/sh
# Builds the Linux guest's initramfs for the storage benchmark (bench/run,
# docs/performance.md "Storage"): Debian's static BusyBox (the one Petrel's
# image has), fsbench, the kernel modules virtio-blk needs on microvm
# (virtio_mmio and virtio_blk with their dependencies, from the unpacked
# .deb of tools/fetch-linux-guest.sh; the cloud kernel's ext4 driver,
# built in, mounts ext2: CONFIG_EXT4_USE_FOR_EXT2), and an /init that
# loads them, mounts /dev/vda on /data as ext2, runs fsbench there with
# the arguments the kernel command line gives after `--`, unmounts and
# powers off.
#
# usage: bench/linux-fs-initramfs.sh OUT LINUX_DIR FSBENCH
#   LINUX_DIR   what tools/fetch-linux-guest.sh unpacked
#   FSBENCH     the static fsbench binary
# environment: BUSYBOX (default /bin/busybox)
set -eu

[ $# -eq 3 ] || { echo "usage: $0 OUT LINUX_DIR FSBENCH" >&2; exit 2; }
OUT=$1 LINUX_DIR=$2 FSBENCH=$3
BUSYBOX=${BUSYBOX:-/bin/busybox}
VERSION=$(cat "$LINUX_DIR/version")
MODDIR=$LINUX_DIR/lib/modules/$VERSION
MODULES="virtio_mmio virtio_blk"

. "$(dirname "$0")/linux-guest-lib.sh"

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/petrel-linux-fs.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
umask 022
stage_busybox "$STAGE" "$BUSYBOX"
mkdir -p "$STAGE/data"
cp "$FSBENCH" "$STAGE/bench/fsbench"
# shellcheck disable=SC2086
stage_modules "$STAGE" "$MODDIR" $MODULES

cat >"$STAGE/init" <<'EOF2'
#!/bin/sh
# The Linux guest of bench/run's storage figures: /dev/vda on /data, then
# /bench/fsbench with this script's arguments (the words after `--` on the
# kernel command line), then power off.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
while read -r m; do
	insmod "/lib/modules/$m" || echo "bench-init: insmod $m failed"
done </lib/modules/load-order
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
if mount -t ext2 /dev/vda /data; then
	grep ' /data ' /proc/mounts
	/bench/fsbench "$@" /data
	echo "bench-init: fsbench exit $?"
	umount /data
else
	echo "bench-init: cannot mount /dev/vda"
fi
poweroff -f
EOF2
chmod 0755 "$STAGE/init"

write_cpio "$STAGE" "$OUT"
