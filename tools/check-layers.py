#!/usr/bin/env python3
"""Checks that the kernel's calls point down (docs/kernel.md, "Layers").

usage: tools/check-layers.py OBJECT...

Reads the symbols of the kernel's objects (build/obj/kernel/DIR/... and
build/obj/arch/...) with nm and fails, naming each offending reference,
when a portable directory uses a symbol defined in one it must not reach:

  sched/  nothing of linux/, fs/ or ipc/
  mm/     nothing of linux/ or ipc/ (fs/'s inodes back file mappings)
  ipc/    nothing of linux/; of fs/ only inodes (inode_*), which memory
          objects are; sockets watch their channels (kobj_observe)
  kernel/ no variable of arch/ but those its headers declare for inline
          code (ARCH_DATA); counters come through arch_* hooks

and when a portable .c file declares anything `extern` itself: such a
declaration belongs in a header, where -Wredundant-decls sees it.
Run by the kernel's link rule (mk/kernel.mk).
"""
import os
import re
import subprocess
import sys

FORBIDDEN = {
    'sched': {'linux', 'fs', 'ipc'},
    'mm': {'linux', 'ipc'},
    'ipc': {'linux', 'fs'},
}
ALLOWED = {('ipc', 'fs'): re.compile(r'inode_\w+$')}
# arch/ variables that kernel headers declare for their inline functions
# (x86_64's clock; aarch64's clock and KERNEL_IMAGE_PHYS).
ARCH_DATA = {'boot_info', 'cpus', 'cpu_count', 'tsc_clock',
             'timer_base', 'timer_ns_mult', 'kernel_phys_base'}


def where(obj):
    """("arch", None) or ("kernel", DIR) from an object's path."""
    parts = obj.split(os.sep)
    if 'arch' in parts:
        return 'arch', None
    i = parts.index('kernel')
    return 'kernel', parts[i + 1]


def symbols(objs):
    defined = {}            # name: (object, is_data)
    used = {}               # object: {name}
    out = subprocess.run(['nm', '-A'] + objs, capture_output=True,
                         text=True, check=True).stdout
    for line in out.splitlines():
        path, _, rest = line.partition('.o:')
        path += '.o'
        f = rest.split()
        if len(f) == 3 and f[1] in 'TtDdBbRr' and f[1].isupper():
            defined[f[2]] = (path, f[1] in 'DBR')
        elif len(f) == 2 and f[0] == 'U':
            used.setdefault(path, set()).add(f[1])
    return defined, used


def pasted_externs(root):
    bad = []
    for top, _, files in os.walk(os.path.join(root, 'kernel')):
        for name in sorted(files):
            if not name.endswith('.c'):
                continue
            path = os.path.join(top, name)
            with open(path) as f:
                for n, line in enumerate(f, 1):
                    if line.startswith('extern '):
                        bad.append(f'{os.path.relpath(path, root)}:{n}: '
                                   f'extern in a .c file: {line.strip()}')
    return bad


def main():
    objs = [o for o in sys.argv[1:] if o.endswith('.o')]
    defined, used = symbols(objs)
    bad = []
    for obj, names in sorted(used.items()):
        kind, layer = where(obj)
        if kind != 'kernel':
            continue
        for name in sorted(names):
            if name not in defined:
                continue
            dobj, is_data = defined[name]
            dkind, dlayer = where(dobj)
            if dkind == 'arch':
                if is_data and name not in ARCH_DATA:
                    bad.append(f'{obj}: reads {name}, a variable of {dobj}')
                continue
            if dlayer in FORBIDDEN.get(layer, ()):
                allowed = ALLOWED.get((layer, dlayer))
                if not (allowed and allowed.match(name)):
                    bad.append(f'{obj}: {layer}/ calls up into {dlayer}/: '
                               f'{name} ({dobj})')
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    bad += pasted_externs(root)
    for b in bad:
        print(f'check-layers: {b}', file=sys.stderr)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
