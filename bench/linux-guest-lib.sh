# bench/linux-guest-lib.sh: what the Linux guests' initramfs scripts
# (bench/linux-net-initramfs.sh, bench/linux-fs-initramfs.sh) share,
# sourced by them: a staging tree with Debian's static BusyBox (the one
# Petrel's image has), kernel modules from the unpacked .deb of
# tools/fetch-linux-guest.sh in load order, and the cpio archive.

# stage_busybox STAGE BUSYBOX: the usual directories, BusyBox and a link
# for each of its applets.
stage_busybox() {
	mkdir -p "$1/bin" "$1/sbin" "$1/usr/bin" "$1/usr/sbin" "$1/proc" \
		"$1/sys" "$1/dev" "$1/tmp" "$1/etc" "$1/bench" "$1/lib/modules"
	cp "$2" "$1/bin/busybox"
	"$2" --list-full | while read -r applet; do
		case "$applet" in
		bin/busybox) continue ;;
		esac
		mkdir -p "$1/$(dirname "$applet")"
		ln -s /bin/busybox "$1/$applet"
	done
}

# stage_modules STAGE MODDIR MODULE...: each module after its
# dependencies, in modules.dep's order (a module's line lists what it
# needs, the last one first to load), uncompressed into STAGE/lib/modules,
# their names in load order in STAGE/lib/modules/load-order.
stage_modules() {
	_stage=$1 _moddir=$2
	shift 2
	_order=""
	for _m in "$@"; do
		_line=$(grep "/$_m\.ko[^:]*:" "$_moddir/modules.dep") ||
			{ echo "$0: $_m: not in modules.dep" >&2; exit 1; }
		_deps=$(echo "${_line#*:}" | tr ' ' '\n' | sed '/^$/d' | tac)
		for _f in $_deps ${_line%%:*}; do
			case " $_order " in
			*" $_f "*) ;;
			*) _order="$_order $_f" ;;
			esac
		done
	done
	: >"$_stage/lib/modules/load-order"
	for _f in $_order; do
		_name=$(basename "$_f")
		case "$_name" in
		*.ko.xz) xz -dc "$_moddir/$_f" >"$_stage/lib/modules/${_name%.xz}" ;;
		*) cp "$_moddir/$_f" "$_stage/lib/modules/$_name" ;;
		esac
		echo "${_name%.xz}" >>"$_stage/lib/modules/load-order"
	done
}

# write_cpio STAGE OUT: the tree as a newc archive, sorted, owned by root.
write_cpio() {
	mkdir -p "$(dirname "$2")"
	(cd "$1" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
		cpio --quiet -o -H newc --owner=0:0 --reproducible) >"$2.tmp"
	mv "$2.tmp" "$2"
}
