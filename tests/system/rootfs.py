#!/usr/bin/env python3
# Boots: `./petrel run --rootfs TREE` (docs/rootfs.md) with trees this test
#        makes from host files: a merged-/usr directory of bash, coreutils'
#        cat, ls, stat and id with their ldd closure, its own /etc/passwd,
#        /bin/sh -> bash, a setuid file owned by 1234:5678, a hard link, a
#        FIFO; the same tree as a gzip tarball; an OCI image layout of two
#        layers whose second deletes a file of the first (.wh.NAME) and
#        empties a directory (.wh..wh..opq); then the default image with a
#        GNU cpio archive of two hard-linked names appended.
# Does:  runs a command from each; builds (--print-cmd) a docker save
#        archive of the same layers, and bad inputs: a tarball with a ../
#        name, a cut gzip tarball, an OCI layout with a broken index.json,
#        one with a missing blob, and a tarball with an absolute symlink
#        pointing out of the tree and a member under it.
# Expects: the tree's programs, /bin/sh and /etc/passwd are the ones used
#        (bash answers sh -c, uid 4242 is named "treeuser"), modes and
#        owners are kept, the hard link is a second name of one file
#        (nlink 2, test -ef), the FIFO is named on stderr as left out; in
#        the OCI boot the whited-out files are gone and the upper layer's
#        are there; the docker archive gives the same files; each bad input
#        fails with status 2 and a message naming the problem, and nothing
#        lands outside the cache; GNU cpio's two names (its data with the
#        last) are one file.
import gzip, hashlib, io, json, os, re, shutil, subprocess, sys, tarfile
import tempfile
sys.dont_write_bytecode = True	# no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)),
				"..", "..", "tools"))
from lib import PETREL, ROOT, boot, expect_lines, expect_status, fail, passed
import rootfs

# The owner of a setuid file in the tree: another user's, where this test
# may give files away (as root: CI), else ours.
OWNER = (1234, 5678) if os.geteuid() == 0 else (os.getuid(), os.getgid())
PROGRAMS = ("/usr/bin/bash", "/usr/bin/cat", "/usr/bin/ls", "/usr/bin/stat",
	    "/usr/bin/id")
# The guest command for every tree: the tree's sh must be its bash.
COMMAND = ("echo sh is bash $BASH_VERSINFO; id -un 4242; "
	   "stat -c '%a %u:%g' /usr/bin/special; cat /usr/bin/hard; "
	   "stat -c 'links %h' /usr/bin/hard; "
	   "[ /usr/bin/hard -ef /usr/bin/orig ] && echo one file; "
	   "ls /etc/gone /opq 2>&1; cat /etc/layer2 2>&1; ls -l /bin | "
	   "cat")


def needs(program):
	"""The interpreter and libraries program needs, as its ldd names."""
	out = subprocess.run(["ldd", program], capture_output=True, text=True,
			     check=True).stdout
	return re.findall(r"(/\S+) \(0x", out)


def in_usr(path):
	"""path in a merged-/usr tree: /lib64/x is /usr/lib64/x."""
	return path if path.startswith("/usr/") else "/usr" + path


def copy_in(tree, path):
	dest = tree + in_usr(path)
	os.makedirs(os.path.dirname(dest), exist_ok=True)
	shutil.copy2(path, dest)	# follows the host's symlinks


def make_tree(tree):
	"""The test's root: Debian programs with their libraries."""
	for name in ("bin", "lib", "lib64", "sbin"):
		os.symlink("usr/" + name, os.path.join(tree, name))
	for program in PROGRAMS:
		copy_in(tree, program)
		for lib in needs(program):
			copy_in(tree, lib)
	os.symlink("bash", tree + "/usr/bin/sh")
	os.makedirs(tree + "/etc")
	with open(tree + "/etc/passwd", "w") as f:
		f.write("root:x:0:0:root:/root:/bin/bash\n"
			"treeuser:x:4242:4242::/:/bin/bash\n")
	with open(tree + "/etc/gone", "w") as f:
		f.write("the upper layer deletes this\n")
	os.makedirs(tree + "/opq/old")
	with open(tree + "/usr/bin/special", "w") as f:
		f.write("setuid\n")
	if os.geteuid() == 0:
		os.chown(tree + "/usr/bin/special", *OWNER)
	os.chmod(tree + "/usr/bin/special", 0o4755)
	with open(tree + "/usr/bin/orig", "w") as f:
		f.write("hard-linked\n")
	os.link(tree + "/usr/bin/orig", tree + "/usr/bin/hard")
	os.makedirs(tree + "/run")
	os.mkfifo(tree + "/run/fifo")


def run_tree(source, expect_layers):
	result = boot(COMMAND, extra=["--rootfs", source])
	expect_status(result, 0)
	lines = ["sh is bash 5", "treeuser", "4755 %d:%d" % OWNER,
		 "hard-linked", "links 2", "one file"]
	if expect_layers:
		lines += ["ls: cannot access '/etc/gone': No such file or "
			  "directory", "/opq:", "new", "from layer 2"]
	else:
		lines += ["/etc/gone", "/opq:", "old"]
	expect_lines(result, lines)
	if not re.search(r"^l\S+ .* /bin -> usr/bin$", result.output, re.M):
		fail("the tree's /bin symlink is not in the guest")
	return result


def tar_bytes(add, compress=False):
	"""A tar archive made by add(tarfile), gzip-compressed if asked."""
	buf = io.BytesIO()
	with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
		add(t)
	data = buf.getvalue()
	return gzip.compress(data, mtime=0) if compress else data


def add_file(t, name, text, mode=0o644):
	info = tarfile.TarInfo(name)
	info.size, info.mode = len(text), mode
	t.addfile(info, io.BytesIO(text))


def upper_layer(t):
	"""Deletes /etc/gone, empties /opq of the lower layer, adds files."""
	add_file(t, "etc/.wh.gone", b"")
	add_file(t, "opq/.wh..wh..opq", b"")
	add_file(t, "opq/new", b"")
	add_file(t, "etc/layer2", b"from layer 2\n")


def write_blob(layout, data):
	digest = hashlib.sha256(data).hexdigest()
	with open(os.path.join(layout, "blobs", "sha256", digest), "wb") as f:
		f.write(data)
	return {"digest": "sha256:" + digest, "size": len(data)}


def make_oci(layout, tree):
	"""An OCI image layout: the tree as a plain layer, upper_layer gzip."""
	os.makedirs(os.path.join(layout, "blobs", "sha256"))
	lower = tar_bytes(lambda t: t.add(tree, arcname="."))
	layers = [dict(write_blob(layout, lower), mediaType=
		       "application/vnd.oci.image.layer.v1.tar"),
		  dict(write_blob(layout, tar_bytes(upper_layer, True)),
		       mediaType="application/vnd.oci.image.layer.v1.tar+gzip")]
	config = write_blob(layout, b"{}")
	manifest = json.dumps({"schemaVersion": 2, "layers": layers,
			       "config": config}).encode()
	index = {"schemaVersion": 2, "manifests": [dict(
		write_blob(layout, manifest),
		mediaType="application/vnd.oci.image.manifest.v1+json")]}
	with open(os.path.join(layout, "index.json"), "w") as f:
		json.dump(index, f)
	with open(os.path.join(layout, "oci-layout"), "w") as f:
		f.write('{"imageLayoutVersion": "1.0.0"}')
	return [l["digest"].split(":")[1] for l in layers]


def make_docker_save(path, layout, digests):
	"""A docker save archive: manifest.json naming the same layer blobs,
	the upper one through a symlink, as Docker before 25 links a layer
	it has already written ("2/layer.tar -> ../1/layer.tar")."""
	def add(t):
		for i, digest in enumerate(digests):
			t.add(os.path.join(layout, "blobs", "sha256", digest),
			      arcname="%d/layer.tar" % i)
		link = tarfile.TarInfo("2/layer.tar")
		link.type, link.linkname = tarfile.SYMTYPE, "../1/layer.tar"
		t.addfile(link)
		add_file(t, "manifest.json", json.dumps([{"Config": "c.json",
			"Layers": ["0/layer.tar", "2/layer.tar"]}]).encode())
	with open(path, "wb") as f:
		f.write(tar_bytes(add))


def image_of(source):
	"""(status, stderr, image path or None) of --print-cmd --rootfs."""
	proc = subprocess.run([PETREL, "run", "--accel", "tcg", "--print-cmd",
			       "--rootfs", source, "--", "true"], cwd=ROOT,
			      capture_output=True, text=True, timeout=120)
	match = re.search(r" -initrd (\S+)", proc.stdout)
	return proc.returncode, proc.stderr, match and match.group(1)


def names_in(image):
	return {m[0] for m in rootfs.read_cpio(image)}


def expect_refused(source, words):
	status, errors, _ = image_of(source)
	print("%s: status %d, %s" % (source, status, errors.strip()))
	if status != 2 or not re.search(words, errors):
		fail("--rootfs %s: status %d and %r, expected 2 and %r"
		     % (source, status, errors, words))


def check_gnu_links(tmp):
	"""GNU cpio's hard links (data with the last name) in a second
	archive after the default image: the unpacker links them too."""
	top = os.path.join(tmp, "gnu")
	os.makedirs(top + "/x")
	with open(top + "/x/a", "w") as f:
		f.write("gnu-data\n")
	os.link(top + "/x/a", top + "/x/b")
	archive = subprocess.run("find . | cpio --quiet -o -H newc", shell=True,
				 cwd=top, capture_output=True, check=True).stdout
	image = os.path.join(tmp, "gnu.cpio")
	with open(os.path.join(ROOT, "build", "initramfs.cpio"), "rb") as f:
		base = f.read()
	with open(image, "wb") as f:
		f.write(base + b"\0" * (-len(base) % 4) + archive)
	result = boot("cat /x/a /x/b; stat -c 'links %h' /x/b; "
		      "[ /x/a -ef /x/b ] && echo one file",
		      extra=["--initrd", image])
	expect_status(result, 0)
	expect_lines(result, ["gnu-data", "gnu-data", "links 2", "one file"])


def check_bad_inputs(tmp, layout):
	outside = os.path.join(tmp, "outside")
	os.makedirs(outside)
	bad = os.path.join(tmp, "dotdot.tar")
	with open(bad, "wb") as f:
		f.write(tar_bytes(lambda t: add_file(
			t, "etc/../../outside/evil", b"x")))
	expect_refused(bad, r"'\.\.' component")
	cut = os.path.join(tmp, "cut.tar.gz")
	with open(cut, "wb") as f:
		f.write(tar_bytes(lambda t: add_file(t, "x", os.urandom(9999)),
				  True)[:5000])
	expect_refused(cut, r"cannot decompress")
	broken = os.path.join(tmp, "broken")
	shutil.copytree(layout, broken)
	with open(os.path.join(broken, "index.json"), "w") as f:
		f.write("{not json")
	expect_refused(broken, r"index\.json is not JSON")
	with open(os.path.join(broken, "index.json"), "w") as f:
		json.dump({"manifests": [{"digest": "sha256:" + "0" * 64}]}, f)
	expect_refused(broken, r"blobs/sha256/0+ is missing")

	def escape(t):
		link = tarfile.TarInfo("evil")
		link.type, link.linkname = tarfile.SYMTYPE, outside
		t.addfile(link)
		add_file(t, "evil/file", b"inside\n")
	with open(bad, "wb") as f:
		f.write(tar_bytes(escape))
	status, errors, image = image_of(bad)
	if status != 0 or os.listdir(outside):
		fail("a symlink out of the tree: status %d, %s holds %s (%s)"
		     % (status, outside, os.listdir(outside), errors))
	if outside.lstrip("/") + "/file" not in names_in(image):
		fail("evil/file is not at %s/file inside the tree" % outside)


tmp = tempfile.mkdtemp(prefix="petrel-rootfs-")
try:
	tree = os.path.join(tmp, "tree")
	os.makedirs(tree)
	make_tree(tree)
	result = run_tree(tree, False)
	if "/run/fifo left out: a FIFO" not in result.errors:
		fail("no note on stderr that the FIFO was left out")
	first = image_of(tree)[2]
	if image_of(tree)[2] != first:
		fail("the second run did not reuse the image %s" % first)
	tarball = os.path.join(tmp, "tree.tar.gz")
	with tarfile.open(tarball, "w:gz") as t:
		t.add(tree, arcname=".")
	run_tree(tarball, False)
	layout = os.path.join(tmp, "oci")
	digests = make_oci(layout, tree)
	run_tree(layout, True)
	saved = os.path.join(tmp, "saved.tar")
	make_docker_save(saved, layout, digests)
	status, errors, image = image_of(saved)
	if status != 0:
		fail("--rootfs %s: status %d: %s" % (saved, status, errors))
	names = names_in(image)
	if "etc/layer2" not in names or "etc/gone" in names or \
	   "opq/old" in names or "usr/bin/bash" not in names:
		fail("the docker save archive gave other files: %s"
		     % sorted(n for n in names if n.startswith(("etc", "opq"))))
	check_bad_inputs(tmp, layout)
	check_gnu_links(tmp)
finally:
	shutil.rmtree(tmp)
passed()
