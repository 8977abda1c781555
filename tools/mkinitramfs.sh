#!/bin/sh
# Builds Petrel's initramfs, a cpio "newc" archive the kernel unpacks into
# its tmpfs root: BusyBox and its applet links, our init as /sbin/init, a
# minimal /etc, empty mount points, and extra trees copied in.
#
# usage: tools/mkinitramfs.sh OUT [SRC_DIR:DEST_DIR ...]
#   OUT        the archive to write
#   SRC:DEST   the contents of directory SRC go under DEST in the image
# environment: INIT (default build/init), BUSYBOX (default /bin/busybox,
#   Debian's busybox-static), NETD (default build/netd/netd), FSD (default
#   build/fsd/fsd), BUSYBOX_LIST (a busybox that runs here, to list the
#   applets: default BUSYBOX; another arch's BUSYBOX cannot run),
#   SOURCE_DATE_EPOCH (every file's mtime, default 0), STRIP (the strip
#   for the programs' arch, default strip), PACK (the files kept packed,
#   default BusyBox and the servers: "bin/busybox sbin/netd sbin/fsd
#   sbin/httpd"; "" for none), PAGEPACK_CACHE (where packs are kept by
#   their input's hash, default pagepack-cache beside OUT)
#
# Every file is owned by root, and the same inputs give the same bytes:
# names are sorted, times fixed, inode and device numbers made up by cpio.
# The data of every file of a page or more starts at a 4 KiB boundary of
# the archive (tools/cpio-align.py), so the kernel keeps those pages as the
# file's instead of copying them. The files in PACK go in packed, each page
# unpacked by the kernel at its first use (docs/kernel.md, Memory); init
# is not, so that the boot unpacks nothing.
set -eu

[ $# -ge 1 ] || { echo "usage: $0 OUT [SRC_DIR:DEST_DIR ...]" >&2; exit 2; }
OUT=$1
shift
INIT=${INIT:-build/init}
NETD=${NETD:-build/netd/netd}
FSD=${FSD:-build/fsd/fsd}
BUSYBOX=${BUSYBOX:-/bin/busybox}
BUSYBOX_LIST=${BUSYBOX_LIST:-$BUSYBOX}
STRIP=${STRIP:-strip}
PACK=${PACK-bin/busybox sbin/netd sbin/fsd sbin/httpd}
PAGEPACK_CACHE=${PAGEPACK_CACHE:-$(dirname "$OUT")/pagepack-cache}
export PAGEPACK_CACHE
EPOCH=${SOURCE_DATE_EPOCH:-0}

for f in "$INIT" "$NETD" "$FSD" "$BUSYBOX"; do
	[ -x "$f" ] || { echo "$0: $f: no such program" >&2; exit 1; }
done

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/petrel-initramfs.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
umask 022

# The directory skeleton; mount points stay empty.
mkdir -p "$STAGE/bin" "$STAGE/sbin" "$STAGE/usr/bin" "$STAGE/usr/sbin" \
	"$STAGE/etc/petrel" "$STAGE/root" "$STAGE/tmp" "$STAGE/proc" \
	"$STAGE/dev" "$STAGE/sys" "$STAGE/data"
chmod 0700 "$STAGE/root"
chmod 1777 "$STAGE/tmp"
chmod 0555 "$STAGE/proc" "$STAGE/sys"

# BusyBox: the binary once, every applet a symlink to it. Its own init and
# linuxrc are left out: /sbin/init is Petrel's.
cp "$BUSYBOX" "$STAGE/bin/busybox"
chmod 0755 "$STAGE/bin/busybox"
"$BUSYBOX_LIST" --list-full | while read -r applet; do
	case "$applet" in
	sbin/init | linuxrc | bin/busybox) continue ;;
	esac
	mkdir -p "$STAGE/$(dirname "$applet")"
	ln -s /bin/busybox "$STAGE/$applet"
done

# Petrel's own programs go in stripped (the memory they take is the
# smallest --mem's, docs/performance.md §3); build/ keeps them whole for
# the debugger.
"$STRIP" -o "$STAGE/sbin/init" "$INIT"
"$STRIP" -o "$STAGE/sbin/netd" "$NETD"
"$STRIP" -o "$STAGE/sbin/fsd" "$FSD"
chmod 0755 "$STAGE/sbin/init"

cat >"$STAGE/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$STAGE/etc/group" <<'EOF'
root:x:0:
tty:x:5:
nogroup:x:65534:
EOF
echo petrel >"$STAGE/etc/hostname"
# As Debian writes it: the host name on 127.0.1.1, so resolving it needs
# no network.
cat >"$STAGE/etc/hosts" <<'EOF'
127.0.0.1	localhost
127.0.1.1	petrel
::1		localhost ip6-localhost ip6-loopback
ff02::1		ip6-allnodes
ff02::2		ip6-allrouters
EOF
cat >"$STAGE/etc/petrel/services" <<'EOF'
# Services init starts at boot, in this order (see docs/init.md).
# One a line: NAME KIND PROGRAM [ARG...]
#   KIND: once     start it
#         wait     start it and let it finish before the next line starts
#         respawn  start it, restart it whenever it exits
#   OPTIONS (before PROGRAM): device=CLASS passes a device handle on,
#         serve=inet makes it the server of the kernel's sockets,
#         mount=PATH mounts the file server it is at PATH,
#         needs=NAME starts it only if the earlier entry NAME was started
#         (not when NAME's device is missing)
fsd    respawn device=virtio-blk mount=/data /sbin/fsd
netd   respawn device=virtio-net serve=inet /sbin/netd
httpd  respawn needs=netd /sbin/httpd -q -p 80 -r /srv/www -s 443 -c /etc/httpd/cert.pem -k /etc/httpd/key.pem
EOF
cat >"$STAGE/etc/profile" <<'EOF'
# Read by the console shell (a login shell) when it starts.
export PS1='\u@\h:\w\$ '
echo "Welcome to Petrel. 'poweroff' stops the machine."
EOF

# Extra trees, e.g. build/testroot:/ for the test image.
for pair in "$@"; do
	src=${pair%%:*}
	dest=${pair#*:}
	if [ "$src" = "$pair" ] || [ ! -d "$src" ]; then
		echo "$0: '$pair': want SRC_DIR:DEST_DIR" >&2
		exit 2
	fi
	mkdir -p "$STAGE/$dest"
	cp -R "$src/." "$STAGE/$dest/"
done

find "$STAGE" -exec touch -h -d "@$EPOCH" {} +
mkdir -p "$(dirname "$OUT")"
(cd "$STAGE" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
	cpio --quiet -o -H newc --owner=0:0 --reproducible) |
	"$(dirname "$0")/cpio-align.py" $(for f in $PACK; do
		echo --pack "$f"; done) >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
