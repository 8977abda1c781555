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
set -e
PKGS="$* qemu-system-x86 gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm grub-pc-bin grub-common xorriso mtools musl-tools busybox-static cpio gcc make python3 dpkg-dev openssl curl iproute2 dnsmasq-base wrk kmod e2fsprogs autoconf automake m4 libc6-dev"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing" >&2
if [ "$(id -u)" != 0 ]; then
	SUDO=sudo
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >&2
$SUDO apt-get install -y -q --no-install-recommends $missing >&2
