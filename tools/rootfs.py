# rootfs.py: the reading and writing behind `./petrel run --rootfs TREE`
# (docs/rootfs.md). TREE -- a directory, a tarball, an OCI image layout or a
# `docker save` archive -- is read into a tree in memory, without ever
# writing a name it holds on the host; Petrel's init and the files it needs
# are laid over it from the base initramfs; the whole is written as one
# cpio newc archive. The launcher (./petrel) keeps the cache.

import bz2
import gzip
import hashlib
import json
import lzma
import os
import posixpath
import shutil
import stat
import subprocess
import tarfile
import zlib

# What init needs from the base image (docs/init.md): itself, the servers
# its services file starts and their files. Everything else is the tree's.
OVERLAY = ("sbin/init", "sbin/netd", "sbin/fsd", "sbin/httpd", "etc/petrel",
	   "etc/httpd", "srv/www")
# Directories the guest mounts or needs, made when the tree lacks them.
NEEDED_DIRS = (("proc", 0o555), ("sys", 0o555), ("dev", 0o755),
	       ("tmp", 0o1777), ("root", 0o700))
LINK_DEPTH = 40		# as Linux's limit on nested symlinks
SYMLINK_MAX = 255	# the kernel's unpacker takes shorter targets only
NEWC_MAX = 0xFFFFFFFF
OPAQUE = ".wh..wh..opq"
WHITEOUT = ".wh."
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
CHUNK = 1 << 20


class RootfsError(Exception):
	pass


class Node:
	"""One file of the tree. kind is "dir", "file" or "link"; a file's
	bytes are data: (host path, offset, size); a link's text is target."""

	__slots__ = ("kind", "mode", "uid", "gid", "mtime", "data", "target",
		     "children")

	def __init__(self, kind, mode, uid=0, gid=0, mtime=0, data=None,
		     target=None):
		self.kind, self.mode, self.uid, self.gid = kind, mode, uid, gid
		self.mtime, self.data, self.target = int(mtime), data, target
		self.children = {} if kind == "dir" else None


class Tree:
	"""A root file system in memory. Names inside it are resolved as the
	guest will resolve them: a symlink met on the way (absolute or with
	"..") is followed inside the tree, never on the host, and ".." at the
	root stays there, as in a chroot."""

	def __init__(self):
		self.root = Node("dir", stat.S_IFDIR | 0o755)
		self.skipped = []	# (name, why) of what was left out

	def walk(self, parts, create, depth=0):
		"""(node, path) of the directory at parts, symlinks followed;
		path is its place as components of real directories. Missing
		directories are made (0755, root's) if create, else the result
		is (None, None)."""
		node, trail = self.root, []
		for i, part in enumerate(parts):
			if part == "..":
				trail = trail[:-1]
				node = self.node_at(trail)
				continue
			child = node.children.get(part)
			if child is None:
				if not create:
					return None, None
				child = Node("dir", stat.S_IFDIR | 0o755)
				node.children[part] = child
			if child.kind == "link":
				if depth >= LINK_DEPTH:
					raise RootfsError("/%s: too many levels of "
							  "symlinks" % "/".join(parts))
				base = [] if child.target.startswith("/") else trail
				rest = split_link(child.target) + list(parts[i + 1:])
				return self.walk(base + rest, create, depth + 1)
			if child.kind != "dir":
				if not create:
					return None, None
				raise RootfsError("/%s: not a directory"
						  % "/".join(trail + [part]))
			node, trail = child, trail + [part]
		return node, trail

	def node_at(self, trail):
		"""The directory at trail, a path of real directories."""
		node = self.root
		for part in trail:
			node = node.children[part]
		return node

	def put(self, parts, node):
		"""Sets the file at parts to node; a directory over a directory
		keeps the entries (as tar does). The directories on the way
		are resolved in the tree: /sbin/x lands in /usr/sbin/x when
		/sbin is a symlink to usr/sbin."""
		parent, _ = self.walk(parts[:-1], create=True)
		old = parent.children.get(parts[-1])
		if old is not None and old.kind == "dir" and node.kind == "dir":
			node.children = old.children
		parent.children[parts[-1]] = node

	def get(self, parts):
		"""The node at parts (the last one not followed), or None."""
		parent, _ = self.walk(parts[:-1], create=False)
		return parent.children.get(parts[-1]) if parent else None

	def remove(self, parts):
		parent, _ = self.walk(parts[:-1], create=False)
		if parent is not None:
			parent.children.pop(parts[-1], None)

	def make_opaque(self, parts):
		"""Empties the directory at parts, if there is one."""
		node = self.get(parts) if parts else self.root
		if node is not None and node.kind == "dir":
			node.children = {}


def split_link(target):
	return [p for p in target.split("/") if p not in ("", ".")]


def member_parts(name, what):
	"""The components of an archive member's name; a name with ".." is
	refused, as GNU tar does, since it may aim outside the tree."""
	parts = [p for p in name.split("/") if p not in ("", ".")]
	if ".." in parts:
		raise RootfsError("%s: member %r has a '..' component; refusing "
				  "the archive" % (what, name))
	return parts


# ---- Reading a directory ------------------------------------------------------

def read_directory(tree, top):
	"""Adds the directory top and everything under it. Symlinks are read,
	never followed; unreadable files are left out with a note."""
	try:
		st = os.lstat(top)
	except OSError as e:
		raise RootfsError("%s: %s" % (top, e.strerror))
	set_attrs(tree.root, st)
	add_entries(tree, top, [], Inodes())


class Inodes:
	"""The nodes made for host files with more than one link, so that
	each of their names gets the same node."""

	def __init__(self):
		self.seen = {}	# (st_dev, st_ino) -> Node

	def node(self, st, make):
		if st.st_nlink < 2 or stat.S_ISDIR(st.st_mode):
			return make()
		key = (st.st_dev, st.st_ino)
		if key not in self.seen:
			self.seen[key] = make()
		return self.seen[key]


def set_attrs(node, st):
	node.mode, node.uid, node.gid = st.st_mode, st.st_uid, st.st_gid
	node.mtime = int(st.st_mtime)


def add_entries(tree, host, parts, inodes):
	try:
		names = sorted(os.listdir(host))
	except OSError as e:
		tree.skipped.append(("/" + "/".join(parts), e.strerror))
		return
	for name in names:
		path = os.path.join(host, name)
		st = os.lstat(path)
		node = inodes.node(st, lambda: node_from_stat(
			tree, path, st, parts + [name]))
		if node is None:
			continue
		tree.put(parts + [name], node)
		if node.kind == "dir":
			add_entries(tree, path, parts + [name], inodes)


def node_from_stat(tree, path, st, parts):
	"""The Node for the host file at path, or None if it is left out."""
	name = "/" + "/".join(parts)
	mode = st.st_mode
	if stat.S_ISDIR(mode):
		kind, target, data = "dir", None, None
	elif stat.S_ISLNK(mode):
		kind, target, data = "link", os.readlink(path), None
	elif stat.S_ISREG(mode):
		if not os.access(path, os.R_OK):
			tree.skipped.append((name, "not readable"))
			return None
		kind, target, data = "file", None, (path, 0, st.st_size)
	else:
		tree.skipped.append((name, file_kind(mode)))
		return None
	node = Node(kind, mode, data=data, target=target)
	set_attrs(node, st)
	return node


def file_kind(mode):
	if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
		return "a device node"
	return "a FIFO" if stat.S_ISFIFO(mode) else "a socket"


# ---- Reading tar archives -------------------------------------------------------

def plain_tar(path, offset, size, work, what):
	"""(path, offset) of an uncompressed tar holding the bytes at
	path[offset:offset+size]: the same place when they are a plain tar,
	else a file in work they are decompressed into."""
	with open(path, "rb") as f:
		f.seek(offset)
		unpack = decompressor(f.read(6), what)
		if unpack is None:
			return path, offset
		out = os.path.join(work, "layer%d.tar" % len(os.listdir(work)))
		with open(out, "wb") as dest:
			try:
				unpack(Window(f, offset, size), dest)
			except (EOFError, lzma.LZMAError, zlib.error,
				gzip.BadGzipFile) as e:
				raise RootfsError("%s: cannot decompress it (%s)"
						  % (what, e))
	return out, 0


def decompressor(magic, what):
	"""A function copying decompressed bytes from a file to a file, or
	None for data that is not compressed."""
	def by(module):
		return lambda src, dest: shutil.copyfileobj(
			module.open(src), dest, CHUNK)
	if magic[:2] == b"\x1f\x8b":
		return by(gzip)
	if magic[:3] == b"BZh":
		return by(bz2)
	if magic[:6] == b"\xfd7zXZ\0":
		return by(lzma)
	if magic[:4] == b"\x28\xb5\x2f\xfd":
		if not shutil.which("zstd"):
			raise RootfsError("%s: zstd-compressed; install zstd"
					  % what)
		return unzstd
	return None


def unzstd(src, dest):
	proc = subprocess.Popen(["zstd", "-dcq"], stdin=subprocess.PIPE,
				stdout=dest)
	shutil.copyfileobj(src, proc.stdin, CHUNK)
	proc.stdin.close()
	if proc.wait() != 0:
		raise RootfsError("zstd could not decompress a layer")


class Window:
	"""The size bytes of file f from offset on, as a file to read."""

	def __init__(self, f, offset, size):
		self.f, self.left = f, size
		f.seek(offset)

	def read(self, n=-1):
		n = self.left if n < 0 else min(n, self.left)
		data = self.f.read(n)
		self.left -= len(data)
		return data


def tar_members(path, offset, what):
	"""The members of the plain tar at path from offset on (their
	offset_data are offsets in path)."""
	with open(path, "rb") as f:
		f.seek(offset)
		try:
			with tarfile.open(fileobj=f, mode="r:") as tar:
				return tar.getmembers()
		except tarfile.TarError as e:
			raise RootfsError("%s: not a tar archive, or a broken "
					  "one (%s)" % (what, e))


def apply_layer(tree, path, members, what, layer):
	"""Adds members, those of the plain tar at path. layer: an image
	layer, whose whiteouts delete what lower layers made, before any of
	its own members are added (the OCI image spec's order)."""
	if layer:
		for m in members:
			apply_whiteout(tree, m, what)
	for m in members:
		parts = member_parts(m.name, what)
		if layer and parts and parts[-1].startswith(WHITEOUT):
			continue
		if parts:
			add_member(tree, m, parts, path, what)
		elif m.isdir():
			set_member_attrs(tree.root, m)


def apply_whiteout(tree, m, what):
	parts = member_parts(m.name, what)
	if not parts or not parts[-1].startswith(WHITEOUT):
		return
	if parts[-1] == OPAQUE:
		tree.make_opaque(parts[:-1])
	else:
		tree.remove(parts[:-1] + [parts[-1][len(WHITEOUT):]])


def set_member_attrs(node, m):
	node.mode = stat.S_IFMT(node.mode) | (m.mode & 0o7777)
	node.uid, node.gid, node.mtime = m.uid, m.gid, int(m.mtime)


def add_member(tree, m, parts, path, what):
	name = "/" + "/".join(parts)
	if m.isdir():
		node = Node("dir", stat.S_IFDIR)
	elif m.issym():
		node = Node("link", stat.S_IFLNK | 0o777, target=m.linkname)
	elif m.islnk():
		node = hard_link(tree, m, what)
	elif m.isreg() and not m.issparse():
		node = Node("file", stat.S_IFREG, data=(path, m.offset_data,
							 m.size))
	else:
		why = "a sparse file" if m.issparse() else \
			"a device node" if m.ischr() or m.isblk() else "a FIFO"
		tree.skipped.append((name, why))
		return
	if not m.islnk():	# a link's header repeats its file's
		set_member_attrs(node, m)
	if m.issym():
		node.mode = stat.S_IFLNK | 0o777
	tree.put(parts, node)


def hard_link(tree, m, what):
	"""The node of the file m links to: both names share it."""
	target = tree.get(member_parts(m.linkname, what))
	if target is None or target.kind != "file":
		raise RootfsError("%s: hard link %s to %s, which is no earlier "
				  "regular file" % (what, m.name, m.linkname))
	return target


# ---- Images: OCI layouts and docker save archives ---------------------------------

class Blobs:
	"""Where an image's files are: a directory (an OCI layout) or the
	members of a plain tar (an archive of one). file(name) returns
	(host path, offset, size) or raises RootfsError."""

	def __init__(self, what, directory=None, members=None, tar=None):
		self.what, self.directory = what, directory
		self.members, self.tar = members, tar

	def file(self, name):
		parts = member_parts(name, self.what)
		if self.directory is not None:
			path = os.path.join(self.directory, *parts)
			if not os.path.isfile(path):
				raise RootfsError("%s: %s is missing" % (self.what, name))
			return path, 0, os.path.getsize(path)
		return self.member("/".join(parts), 0)

	def member(self, name, depth):
		m = self.members.get(name)
		if m is not None and m.issym() and depth < LINK_DEPTH:
			# docker save: "ID2/layer.tar -> ../ID1/layer.tar"
			target = posixpath.normpath(posixpath.join(
				posixpath.dirname(name), m.linkname))
			if target == ".." or target.startswith(("../", "/")):
				raise RootfsError("%s: %s points out of the archive"
						  % (self.what, name))
			return self.member(target, depth + 1)
		if m is None or not m.isreg():
			raise RootfsError("%s: %s is missing" % (self.what, name))
		return self.tar, m.offset_data, m.size

	def json(self, name):
		path, offset, size = self.file(name)
		with open(path, "rb") as f:
			f.seek(offset)
			data = f.read(size)
		try:
			return json.loads(data)
		except ValueError as e:
			raise RootfsError("%s: %s is not JSON (%s)"
					  % (self.what, name, e))

	def has(self, name):
		if self.directory is not None:
			return os.path.isfile(os.path.join(self.directory, name))
		return name in self.members


def blob_name(digest, what):
	"""blobs/ALG/HEX for a digest, refusing one that is not ALG:HEX."""
	alg, _, hexpart = str(digest).partition(":")
	if (alg not in ("sha256", "sha512") or not hexpart or
	    any(c not in "0123456789abcdef" for c in hexpart)):
		raise RootfsError("%s: bad digest %r" % (what, digest))
	return "blobs/%s/%s" % (alg, hexpart)


def check_digest(blobs, digest):
	"""Refuses a blob whose bytes do not have the digest it is named by."""
	path, offset, size = blobs.file(blob_name(digest, blobs.what))
	alg, _, want = digest.partition(":")
	h = hashlib.new(alg)
	with open(path, "rb") as f:
		src = Window(f, offset, size)
		while chunk := src.read(CHUNK):
			h.update(chunk)
	if h.hexdigest() != want:
		raise RootfsError("%s: blob %s does not match its digest"
				  % (blobs.what, digest))


def oci_layers(blobs):
	"""The layer blobs of the image in an OCI layout, bottom first:
	index.json, then (through nested indexes) the manifest for
	linux/amd64 or the only one."""
	index = blobs.json("index.json")
	for depth in range(8):
		manifests = index.get("manifests") if isinstance(index, dict) else None
		if not manifests or not isinstance(manifests, list):
			raise RootfsError("%s: an index lists no manifests"
					  % blobs.what)
		chosen = pick_manifest(manifests, blobs.what)
		check_digest(blobs, chosen["digest"])
		doc = blobs.json(blob_name(chosen["digest"], blobs.what))
		if chosen.get("mediaType") in (OCI_INDEX, DOCKER_LIST) or \
		   "manifests" in doc:
			index = doc
			continue
		layers = doc.get("layers") if isinstance(doc, dict) else None
		if not isinstance(layers, list):
			raise RootfsError("%s: manifest %s lists no layers"
					  % (blobs.what, chosen["digest"]))
		return [layer_blob(blobs, l) for l in layers]
	raise RootfsError("%s: indexes nested too deep" % blobs.what)


def pick_manifest(manifests, what):
	def platform(m):
		p = m.get("platform") or {}
		return (p.get("os"), p.get("architecture"))
	if any(not isinstance(m, dict) or "digest" not in m for m in manifests):
		raise RootfsError("%s: a manifest entry has no digest" % what)
	if len(manifests) == 1:
		return manifests[0]
	for m in manifests:
		if platform(m) == ("linux", "amd64"):
			return m
	raise RootfsError("%s: %d manifests and none for linux/amd64"
			  % (what, len(manifests)))


def layer_blob(blobs, layer):
	if not isinstance(layer, dict) or "digest" not in layer:
		raise RootfsError("%s: a layer has no digest" % blobs.what)
	check_digest(blobs, layer["digest"])
	return blobs.file(blob_name(layer["digest"], blobs.what))


def docker_layers(blobs):
	"""The layers a docker save archive's manifest.json lists."""
	manifest = blobs.json("manifest.json")
	if not isinstance(manifest, list) or len(manifest) != 1 or \
	   not isinstance(manifest[0], dict) or \
	   not isinstance(manifest[0].get("Layers"), list):
		raise RootfsError("%s: manifest.json does not describe one image "
				  "with Layers" % blobs.what)
	return [blobs.file(str(name)) for name in manifest[0]["Layers"]]


def image_layers(blobs):
	if blobs.has("index.json"):
		return oci_layers(blobs)
	return docker_layers(blobs)


def apply_image(tree, blobs, work):
	layers = image_layers(blobs)
	for i, (path, offset, size) in enumerate(layers):
		what = "%s: layer %d" % (blobs.what, i + 1)
		plain, start = plain_tar(path, offset, size, work, what)
		members = tar_members(plain, start, what)
		apply_layer(tree, plain, members, what, layer=True)
	return len(layers)


# ---- The input, whatever it is ----------------------------------------------------

def read_tree(source, work):
	"""The Tree for --rootfs source. work: an empty directory for
	decompressed archives, which must outlive the image's writing.
	Returns (tree, a word for what source was)."""
	tree = Tree()
	if os.path.isdir(source):
		if os.path.isfile(os.path.join(source, "index.json")):
			blobs = Blobs(source, directory=source)
			n = apply_image(tree, blobs, work)
			return tree, "an OCI image layout of %d layers" % n
		read_directory(tree, source)
		return tree, "a directory"
	if not os.path.isfile(source):
		raise RootfsError("%s: no such file or directory" % source)
	size = os.path.getsize(source)
	plain, start = plain_tar(source, 0, size, work, source)
	members = tar_members(plain, start, source)
	named = {"/".join(member_parts(m.name, source)): m for m in members}
	if "manifest.json" in named or "index.json" in named:
		blobs = Blobs(source, members=named, tar=plain)
		n = apply_image(tree, blobs, work)
		return tree, "an image archive of %d layers" % n
	apply_layer(tree, plain, members, source, layer=False)
	return tree, "a tarball"


def files_read(source):
	"""The host files read for source, for the launcher's cache: every
	file under a plain directory; the tarball; an OCI layout's
	index.json (its blobs are named by their digests)."""
	if not os.path.isdir(source):
		return [source]
	if os.path.isfile(os.path.join(source, "index.json")):
		return [os.path.join(source, "index.json")]
	paths = []
	for top, dirs, files in os.walk(source):
		dirs.sort()
		paths.append(top)
		links = [d for d in dirs if os.path.islink(os.path.join(top, d))]
		paths += [os.path.join(top, f) for f in sorted(files + links)]
	return paths


# ---- Petrel's files over the tree ------------------------------------------------

def read_cpio(path):
	"""(name, mode, mtime, data or link text, data's offset) of each
	member of the newc archive at path."""
	out = []
	with open(path, "rb") as f:
		blob = f.read()
	pos = 0
	while pos + 110 <= len(blob) and blob[pos:pos + 6] in (b"070701",
							       b"070702"):
		field = [int(blob[pos + 6 + 8 * i:pos + 14 + 8 * i], 16)
			 for i in range(13)]
		mode, mtime, size, namesize = field[1], field[5], field[6], field[11]
		name = blob[pos + 110:pos + 110 + namesize - 1].decode()
		start = (pos + 110 + namesize + 3) & ~3
		if name == "TRAILER!!!":
			break
		out.append((name, mode, mtime, blob[start:start + size], start))
		pos = (start + size + 3) & ~3
	return out


def overlay_base(tree, base):
	"""Lays the OVERLAY files of the base image over the tree, each at its
	path as the guest resolves it (/sbin/init lands in /usr/sbin/init when
	the tree's /sbin is a symlink to usr/sbin), and makes NEEDED_DIRS."""
	found = False
	for name, mode, mtime, data, offset in read_cpio(base):
		parts = member_parts(name, base)
		if not parts or not any(name == p or name.startswith(p + "/")
					for p in OVERLAY):
			continue
		found = found or name == "sbin/init"
		if stat.S_ISDIR(mode):
			node = Node("dir", mode, mtime=mtime)
		elif stat.S_ISLNK(mode):
			node = Node("link", mode, mtime=mtime, target=data.decode())
		else:
			node = Node("file", mode, mtime=mtime,
				    data=(base, offset, len(data)))
		tree.put(parts, node)
	if not found:
		raise RootfsError("%s: no sbin/init in it" % base)
	for name, mode in NEEDED_DIRS:
		if tree.get([name]) is None:
			tree.put([name], Node("dir", stat.S_IFDIR | mode))


# ---- Writing the image ---------------------------------------------------------------

class Writer:
	"""Writes a Tree as a cpio newc archive with its owners and modes
	(cpio(5)). A file with several names (a hard link) has one inode
	number and its nlink in each name's header and its data with the
	first; the kernel's unpacker links the others to it."""

	def __init__(self, out):
		self.out, self.ino = out, 0
		self.source = None	# (host path, open file) read last
		self.names = {}		# id(file node) -> its names in the tree
		self.written = {}	# id(file node) -> its inode number

	def count_names(self, node):
		for child in node.children.values():
			if child.kind == "dir":
				self.count_names(child)
			elif child.kind == "file":
				key = id(child)
				self.names[key] = self.names.get(key, 0) + 1

	def write_tree(self, tree):
		self.count_names(tree.root)
		try:
			self.write_dir(tree, tree.root, "")
			self.header("TRAILER!!!", 0, 0, 0, 0, 0)
		finally:
			if self.source:
				self.source[1].close()

	def write_dir(self, tree, node, prefix):
		for name in sorted(node.children):
			child = node.children[name]
			path = prefix + name
			if child.kind == "link":
				self.write_link(tree, path, child)
			elif child.kind == "dir":
				self.header(path, child.mode, child.uid, child.gid,
					    child.mtime, 0)
				self.write_dir(tree, child, path + "/")
			else:
				self.write_file(path, child)

	def write_link(self, tree, path, node):
		text = os.fsencode(node.target)
		if len(text) > SYMLINK_MAX:
			tree.skipped.append(("/" + path, "a symlink target "
					     "over %d bytes" % SYMLINK_MAX))
			return
		self.header(path, stat.S_IFLNK | 0o777, node.uid, node.gid,
			    node.mtime, len(text))
		self.out.write(text)
		self.pad()

	def write_file(self, path, node):
		host, offset, size = node.data
		if size > NEWC_MAX:
			raise RootfsError("/%s: too big for cpio" % path)
		nlink = self.names[id(node)]
		if id(node) in self.written:	# another name: no data
			self.header(path, node.mode, node.uid, node.gid,
				    node.mtime, 0, nlink, self.written[id(node)])
			return
		self.header(path, node.mode, node.uid, node.gid, node.mtime, size,
			    nlink)
		self.written[id(node)] = self.ino
		f = self.open(host)
		f.seek(offset)
		left = size
		while left:
			chunk = f.read(min(left, CHUNK))
			if not chunk:
				raise RootfsError("/%s: changed while reading" % path)
			self.out.write(chunk)
			left -= len(chunk)
		self.pad()

	def open(self, host):
		"""host opened to read; an archive stays open for its next
		member."""
		if self.source and self.source[0] == host:
			return self.source[1]
		if self.source:
			self.source[1].close()
		self.source = (host, open(host, "rb"))
		return self.source[1]

	def header(self, name, mode, uid, gid, mtime, size, nlink=None,
		   ino=None):
		raw = os.fsencode(name) + b"\0"
		if ino is None:
			self.ino += 1
			ino = self.ino
		if nlink is None:
			nlink = 2 if stat.S_ISDIR(mode) else 1
		fields = (ino, mode, uid, gid, nlink,
			  max(0, min(mtime, NEWC_MAX)), size, 0, 0, 0, 0,
			  len(raw), 0)
		self.out.write(b"070701" + b"".join(b"%08X" % (v & NEWC_MAX)
						    for v in fields))
		self.out.write(raw)
		self.pad()

	def pad(self):
		self.out.write(b"\0" * (-self.out.tell() % 4))


def write_image(source, base, image, work):
	"""Reads source, lays base's init files over it and writes the
	archive to image. Returns (a word for the input, what was left out)."""
	tree, kind = read_tree(source, work)
	overlay_base(tree, base)
	tmp = "%s.%d" % (image, os.getpid())
	try:
		with open(tmp, "wb") as out:
			Writer(out).write_tree(tree)
		os.replace(tmp, image)
	except BaseException:
		if os.path.exists(tmp):
			os.unlink(tmp)
		raise
	return kind, tree.skipped
