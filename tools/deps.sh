#!/bin/sh
# Installs the Debian packages Petrel's build, run and tests need, if missing.
# Called by make before anything that needs them; safe to run again.
# Arguments name more packages a target needs beyond these (make fuzz:
# trinity and stress-ng, packed into the guest with --pack; the server
# tests, tests/system/server-*.py: dropbear-bin, openssh-client,
# openssh-sftp-server, nginx-light, redis-server, redis-tools, sqlite3).
# The AArch64 port (make ARCH=aarch64, docs/aarch64.md) needs the cross
# compiler and binutils, glibc for static aarch64 test programs, and
# qemu-system-aarch64 (in qemu-system-arm).
#
#   tools/deps.sh --busybox-arm64 DIR
# unpacks Debian's busybox-static for arm64 into DIR (DIR/bin/busybox) for
# the aarch64 image: downloaded with apt-get after `dpkg --add-architecture
# arm64`, never installed.
set -e

if [ "$(id -u)" != 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive

busybox_arm64() {
	dir=$1
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		echo "deps: adding the arm64 architecture to dpkg" >&2
		$SUDO dpkg --add-architecture arm64
		$SUDO apt-get update -q >&2
	fi
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	# apt's sandbox user must be able to write where it downloads.
	chmod 0777 "$tmp"
	if ! (cd "$tmp" && apt-get download -q busybox-static:arm64 >&2); then
		$SUDO apt-get update -q >&2
		(cd "$tmp" && apt-get download -q busybox-static:arm64 >&2)
	fi
	rm -rf "$dir"
	mkdir -p "$dir"
	dpkg-deb -x "$tmp"/busybox-static_*_arm64.deb "$dir"
	[ -x "$dir/bin/busybox" ] || { echo "deps: no bin/busybox in busybox-static:arm64" >&2; exit 1; }
}

if [ "${1:-}" = --busybox-arm64 ]; then
	[ -n "${2:-}" ] || { echo "usage: $0 --busybox-arm64 DIR" >&2; exit 2; }
	busybox_arm64 "$2"
	exit 0
fi

PKGS="$* qemu-system-x86 gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm grub-pc-bin grub-common xorriso mtools musl-tools busybox-static cpio gcc make python3 dpkg-dev openssl curl iproute2 dnsmasq-base wrk kmod e2fsprogs gdb autoconf automake m4 libc6-dev"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing" >&2
$SUDO apt-get update -q >&2
$SUDO apt-get install -y -q --no-install-recommends $missing >&2
