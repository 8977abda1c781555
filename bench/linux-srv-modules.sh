#!/bin/sh
# Stages the kernel modules the Linux guest of the server benchmark
# (bench/srvbench.py) loads before it can use its NIC: virtio_mmio and
# virtio_net with their dependencies, from the unpacked .deb of
# tools/fetch-linux-guest.sh, uncompressed, into DIR/lib/modules with
# their names in load order in DIR/lib/modules/load-order. bench/run packs
# DIR into the image both guests boot (`./petrel run --pack`); Petrel never
# reads it.
#
# usage: bench/linux-srv-modules.sh DIR LINUX_DIR
set -eu

[ $# -eq 2 ] || { echo "usage: $0 DIR LINUX_DIR" >&2; exit 2; }
DIR=$1 LINUX_DIR=$2
VERSION=$(cat "$LINUX_DIR/version")

. "$(dirname "$0")/linux-guest-lib.sh"

rm -rf "$DIR"
mkdir -p "$DIR/lib/modules"
umask 022
stage_modules "$DIR" "$LINUX_DIR/lib/modules/$VERSION" virtio_mmio virtio_net
