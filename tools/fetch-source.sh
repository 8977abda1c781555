#!/bin/sh
# Unpacks a Debian source package into a build folder, once:
#   tools/fetch-source.sh PACKAGE DEST
# DEST ends up holding the unpacked source tree (Debian patches applied).
# Third-party code is never committed; it comes from Debian at build time.
# A deb-src entry is derived from the configured deb entries when none
# exists. Safe to run again: an existing DEST is left alone.
set -e
pkg=$1
dest=$2
[ -n "$pkg" ] && [ -n "$dest" ] || { echo "usage: $0 PACKAGE DEST" >&2; exit 2; }
[ -f "$dest/.fetched" ] && exit 0

if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
export DEBIAN_FRONTEND=noninteractive

# apt-cache showsrc fails until some deb-src entry exists.
if ! apt-cache showsrc "$pkg" >/dev/null 2>&1; then
	list=/etc/apt/sources.list.d/petrel-deb-src.sources
	if [ ! -f "$list" ]; then
		echo "fetch-source: adding deb-src entries ($list)" >&2
		tmp=$(mktemp)
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] && [ "$f" != "$list" ] || continue
			sed -n 's/^Types:.*\bdeb\b.*/Types: deb-src/; p' "$f"
			echo
		done >"$tmp"
		if [ -f /etc/apt/sources.list ]; then
			grep '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' \
				>/etc/apt/sources.list.d/petrel-deb-src.list.tmp || true
		fi
		$SUDO install -m 644 "$tmp" "$list"
		rm -f "$tmp"
		if [ -s /etc/apt/sources.list.d/petrel-deb-src.list.tmp ]; then
			$SUDO mv /etc/apt/sources.list.d/petrel-deb-src.list.tmp \
				/etc/apt/sources.list.d/petrel-deb-src.list
		else
			$SUDO rm -f /etc/apt/sources.list.d/petrel-deb-src.list.tmp
		fi
	fi
	$SUDO apt-get update -q >&2
fi

mkdir -p "$(dirname "$dest")"
work=$(mktemp -d "${dest%/}.tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"	# apt downloads as _apt when it can
(cd "$work" && apt-get source -q "$pkg" >&2)
tree=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -n 1)
[ -n "$tree" ] || { echo "fetch-source: no source tree for $pkg" >&2; exit 1; }
rm -rf "$dest"
mv "$tree" "$dest"
touch "$dest/.fetched"
