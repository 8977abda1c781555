#!/usr/bin/env python3
"""Generates the system-call dispatch table from kernel/linux/syscalls.master.

Each line of the master list is: X86_64-NUMBER AARCH64-NUMBER NAME
RETTYPE NAME(TYPE ARG, ...); "-" where an architecture has no such call
(arm64 uses Linux's generic table, without open, fork, poll...). The
handlers of every call are declared whatever the architecture, as the
portable code defines them all; "--arch ARCH" (default x86_64) chooses
the numbers of the tables.
The output header declares every sys_NAME handler, a thunk that unpacks six
raw argument registers into the handler's typed parameters, and two tables
indexed by number with the names used in logs and how the system-call
tracer (kernel/linux/trace.c) prints each argument: the Linux calls, and
Petrel's native calls (numbered from NATIVE_BASE). An argument, and the
return type, may end in ":KIND" (docs/tracing.md): "int fd:fd",
"uaddr_t buf:in(count)", "int flags:open" (a named set of flags),
"long:hex"; without one the C type chooses (DEFAULT_KINDS). A line that
ends in "nolock" marks a call that runs without the big lock (the entry's
`unlocked`, docs/kernel.md "Calls without the big lock"); "nolock(fd)" one
that does so when its first argument is an fd the table marks (a pipe),
"nolock(rfd)" the same with the table's read mark (a pipe or a tmpfs file).

With a third argument it also writes the user-space header of native call
numbers (<petrel/calls.h>), and with a fourth the inline call stubs of
<petrel/native.h>: a native line ends with " | " and its user-space
arguments (TYPE NAME, ...), and the "#:" lines above it are copied above
its stub.
"""
import re
import sys


# How the tracer prints a value when the master list does not say.
DEFAULT_KINDS = {'int': 'dec', 'long': 'dec', 'int64_t': 'dec',
                 'unsigned': 'udec', 'size_t': 'udec', 'uint32_t': 'udec',
                 'uint64_t': 'hex', 'unsigned long': 'hex', 'uaddr_t': 'ptr',
                 'void': 'dec'}
# Kinds that are not a set of flags; "in" and the "iov" kinds name the
# argument that holds their length, "openmode" the open flags that say
# whether the mode is there.
KINDS = {'dec', 'udec', 'hex', 'oct', 'ptr', 'fd', 'dirfd', 'sig', 'path',
         'str', 'in', 'out', 'outstr', 'argv', 'envp', 'iovin', 'iovout',
         'fdpair', 'wstatus', 'ts', 'openmode'}
LENGTH_KINDS = {'in', 'iovin', 'iovout', 'openmode'}


def split_args(text):
    return [a.strip() for a in text.split(',')
            if a.strip() and a.strip() != 'void']


ARCHES = ('x86_64', 'aarch64')   # the master list's number columns


def parse(path, arch='x86_64'):
    """The calls, as (number, name, return type, arguments, types); a
    call arch lacks has number None."""
    column = ARCHES.index(arch)
    calls = []
    doc = []
    for lineno, line in enumerate(open(path), 1):
        if line.startswith('#:'):
            doc.append(line[2:].strip())
            continue
        line = line.split('#', 1)[0].strip()
        if not line:
            continue
        line, _, user = line.partition(' | ')
        # Taken off first: "(fd)" would end the argument list.
        lock = re.search(r'\s+(nolock(?:\(r?fd\))?)$', line)
        if lock:
            line = line[:lock.start()]
        m = re.match(r'(\d+)\s+(\d+|-)\s+(\w+)\s+(.*?)\s*\((.*)\)\s*;?$',
                     line)
        if not m:
            sys.exit(f'{path}:{lineno}: cannot parse: {line}')
        nums, (name, ret, args) = m.groups()[:2], m.groups()[2:5]
        if lock:
            unlocked[name] = {'nolock': 'SYSCALL_NOLOCK',
                              'nolock(fd)': 'SYSCALL_NOLOCK_FD',
                              'nolock(rfd)': 'SYSCALL_NOLOCK_RFD'}[lock.group(1)]
        if int(nums[0]) >= NATIVE_BASE and nums[1] != nums[0]:
            sys.exit(f'{path}:{lineno}: a native call has one number on '
                     'every architecture')
        num = nums[column]
        # "long:hex mmap": the return type's kind comes out of the text.
        rk = re.match(r'(.*?):(\w+)(\s.*)$', ret.strip())
        ret, ret_kind = (rk.group(1) + rk.group(3), rk.group(2)) if rk \
            else (ret.strip(), '')
        arglist = split_args(args)
        if len(arglist) > 6:
            sys.exit(f'{path}:{lineno}: more than six arguments')
        types = []
        kinds = []
        for i, a in enumerate(arglist):
            a, _k, kind = a.partition(':')
            arglist[i] = a.strip()
            am = re.match(r'(.*?)(\w+)$', arglist[i])
            types.append(am.group(1).strip())
            kinds.append(kind.strip() or DEFAULT_KINDS.get(types[-1], 'hex'))
        try:
            trace[name] = trace_desc(ret_kind or 'dec', arglist, kinds)
        except ValueError as e:
            sys.exit(f'{path}:{lineno}: {e}')
        num = None if num == '-' else int(num)
        if num is not None and num >= NATIVE_BASE:
            if not _:
                sys.exit(f'{path}:{lineno}: a native call needs " | " and '
                         'its user-space arguments')
            if len(split_args(user)) != len(arglist):
                sys.exit(f'{path}:{lineno}: user-space arguments differ '
                         'in number')
        stubs[name] = (split_args(user), doc)
        doc = []
        calls.append((num, name, ret, arglist, types))
    return calls


stubs = {}   # native call name: (user-space arguments, "#:" lines)
trace = {}   # call name: its struct trace_desc initializer
unlocked = {}   # the calls marked nolock: their entry's `unlocked`


def trace_arg(kind, names):
    """One struct trace_arg initializer from a KIND such as "in(count)"."""
    m = re.fullmatch(r'(\w+)(?:\((\w+)\))?', kind)
    if not m:
        raise ValueError(f'bad kind "{kind}"')
    word, length = m.groups()
    if (length is not None) != (word in LENGTH_KINDS):
        raise ValueError(f'"{kind}": only {sorted(LENGTH_KINDS)} name '
                         'their length argument')
    if length is not None and length not in names:
        raise ValueError(f'"{kind}": no argument named {length}')
    if word in KINDS:
        fields = [f'TR_{word.upper()}', '0']
    else:
        fields = ['TR_FLAGS', f'TRS_{word.upper()}']
    fields.append(str(names.index(length)) if length else '0')
    return '{ ' + ', '.join(fields) + ' }'


def trace_desc(ret_kind, arglist, kinds):
    if ret_kind not in ('dec', 'hex', 'oct'):
        raise ValueError(f'return kind "{ret_kind}" is not dec, hex or oct')
    names = [arg_name(a) for a in arglist]
    args = ', '.join(trace_arg(k, names) for k in kinds)
    return (f'{{ {len(arglist)}, TR_{ret_kind.upper()}, '
            f'{{ {args or "{ 0 }"} }} }}')


NATIVE_BASE = 4096
GENERATED = ('/* Generated by tools/gensyscalls.py from '
             'kernel/linux/syscalls.master: do not edit. */')


def table(w, name, calls, base):
    nmax = max([c[0] - base for c in calls] + [-1]) + 1
    w.append(f'\nconst struct syscall_entry {name}[{max(nmax, 1)}] = {{')
    for num, cname, ret, args, types in calls:
        w.append(f'\t[{num - base}] = {{ thunk_{cname}, "{cname}",')
        w.append(f'\t\t{trace[cname]}'
                 f'{", " + unlocked[cname] if cname in unlocked else ""} }},')
    w.append('};')
    w.append(f'const unsigned {name}_size = {nmax};')


def user_header(path, calls):
    w = [GENERATED, '#ifndef PETREL_CALLS_H', '#define PETREL_CALLS_H', '']
    for num, name, ret, args, types in calls:
        w.append(f'#define PT_NR_{name[3:]} {num}')
    w.append('\n#endif')
    open(path, 'w').write('\n'.join(w) + '\n')


def arg_name(arg):
    """The name in a C declaration: "pt_handle_t ends[2]" -> "ends"."""
    return re.match(r'.*?(\w+)\s*(\[\w*\])?$', arg).group(1)


def comment(doc):
    if len(doc) == 1:
        return [f'/* {doc[0]} */']
    return ['/*'] + [f' * {d}'.rstrip() for d in doc] + [' */'] if doc else []


def stub(name, user, doc):
    """One stub, KNF: the return type on its own line."""
    raw = [arg_name(a) for a in user] + ['0'] * (6 - len(user))
    head = f'{name}('
    indent = ' ' * len(head)
    for i, a in enumerate(user or ['void']):
        a += ')' if i == len(user or ['void']) - 1 else ','
        line = head.rsplit('\n', 1)[-1]
        if len(line) + len(a) + 1 > 80 and i:
            head += '\n' + indent + a
        else:
            head += (' ' if i else '') + a
    body = f'\treturn PT_CALL(PT_NR_{name[3:]}, {", ".join(raw)});'
    return comment(doc) + ['static inline long', head, '{', body, '}', '']


def stubs_text(calls):
    w = [GENERATED,
         '/* The native call stubs: <petrel/native.h> includes them. */',
         '#ifndef PETREL_STUBS_H', '#define PETREL_STUBS_H', '']
    for num, name, ret, args, types in calls:
        user, doc = stubs[name]
        w += stub(name, user, doc)
    w.append('\n#endif')
    return '\n'.join(w) + '\n'


def main():
    argv = sys.argv[1:]
    arch = 'x86_64'
    if argv[:1] == ['--arch']:
        arch, argv = argv[1], argv[2:]
    if arch not in ARCHES:
        sys.exit(f'gensyscalls: no architecture {arch}: {ARCHES}')
    src, out = argv[0], argv[1]
    every = parse(src, arch)
    calls = [c for c in every if c[0] is not None]
    linux = [c for c in calls if c[0] < NATIVE_BASE]
    native = [c for c in calls if c[0] >= NATIVE_BASE]
    if any(not c[1].startswith('pt_') for c in native):
        sys.exit(f'{src}: native call names start with pt_')
    w = []
    w.append(GENERATED)
    w.append('#ifndef SYSCALL_TABLE_H\n#define SYSCALL_TABLE_H\n')
    w.append('#include <kernel/syscall.h>\n')
    for num, name, ret, args, types in every:
        w.append(f'long sys_{name}({", ".join(args) or "void"});')
    w.append('\n#ifdef SYSCALL_TABLE_DEFINE')
    for num, name, ret, args, types in calls:
        casts = ', '.join(f'({t})a[{i}]' for i, t in enumerate(types))
        w.append(f'static long thunk_{name}(const uint64_t *a) {{ (void)a; return sys_{name}({casts}); }}')
    table(w, 'syscall_table', linux, 0)
    table(w, 'native_table', native, NATIVE_BASE)
    w.append('#endif\n#endif')
    open(out, 'w').write('\n'.join(w) + '\n')
    if len(argv) > 2:
        user_header(argv[2], native)
    if len(argv) > 3:
        open(argv[3], 'w').write(stubs_text(native))


if __name__ == '__main__':
    main()
