#!/bin/sh
# Fetches the Linux guest of the network benchmarks: the kernel package that
# Debian's linux-image-cloud-amd64 depends on, downloaded with apt-get and
# unpacked with dpkg-deb -x under DIR (nothing is installed, nothing is
# committed). Safe to run again: an unpacked tree is left alone.
#
# usage: tools/fetch-linux-guest.sh DIR
#   DIR/boot/vmlinuz-VERSION, DIR/lib/modules/VERSION/... (with a
#   modules.dep made by depmod), and DIR/version
#   (one line: VERSION) when done.
set -eu

[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
DIR=$1
[ -s "$DIR/version" ] && exit 0

# The real package behind the metapackage, e.g. linux-image-6.1.0-56-cloud-amd64.
PKG=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -n 1)
if [ -z "$PKG" ]; then
	echo "$0: apt-cache knows no linux-image-cloud-amd64 (apt-get update?)" >&2
	exit 1
fi

mkdir -p "$DIR"
DL=$(mktemp -d "${TMPDIR:-/tmp}/petrel-linux-guest.XXXXXX")
trap 'rm -rf "$DL"' EXIT
chmod 0755 "$DL"	# apt's _apt user writes the download there
# apt-get download writes into the current directory; it needs no root.
(cd "$DL" && apt-get download -q "$PKG" >&2)
DEB=$(ls "$DL"/*.deb)
dpkg-deb -x "$DEB" "$DIR"
VERSION=${PKG#linux-image-}
[ -f "$DIR/boot/vmlinuz-$VERSION" ] ||
	{ echo "$0: $DEB has no boot/vmlinuz-$VERSION" >&2; exit 1; }
# The package has no modules.dep (its postinst makes it): make it here.
/sbin/depmod -b "$DIR" "$VERSION"
echo "$VERSION" >"$DIR/version"
echo "linux guest: $PKG unpacked in $DIR" >&2
