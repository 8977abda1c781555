# bench/tapnet.py: a private network namespace with one tap device, for
# the benchmarks that must not go through QEMU's user network (slirp):
# bench/connbench.py's 10,000 idle connections. The bench process itself
# moves into the namespace (unshare) for as long as the `with` lasts, so
# QEMU, wrk and the script's own sockets are all inside it; on leaving it
# goes back to the namespace it came from, and the namespace, its tap and
# every connection in it go away with the last process (QEMU) in it.
#
# The tap's host side is 10.0.2.2/24, the address QEMU's user network
# gives the host, and the guests take 10.0.2.15 (Petrel from its command
# line, netd.address=; the Linux guest's /init sets that address), so both
# images serve unchanged. Nothing is routed out of the namespace: it has
# no other device than lo and the tap.

import ctypes
import os
import subprocess

CLONE_NEWNET = 0x40000000
TAP = "pconn0"
HOST = "10.0.2.2"
GUEST = "10.0.2.15"
PREFIX = 24
# Petrel's netd takes this address instead of asking DHCP (nobody answers
# on the tap); the Linux guest's /init sets the same one.
PETREL_APPEND = f"netd.address={GUEST}/{PREFIX},{HOST}"
# Packets the tap holds for QEMU to read (the tun default is 500): wrk's
# 4,000 SYNs come at once, and those beyond the queue were dropped and
# sent again a second later (7,943 drops in one 10 s run, 2026-12-05).
# PETREL_TAP_QUEUE=500 measures as before.
TAP_QUEUE = int(os.environ.get("PETREL_TAP_QUEUE", "10000"))
# The namespace's own settings (each network namespace has its own):
# ports enough for 10,000 idle connections, wrk's 4,000 and the TIME-WAIT
# ones an earlier case left.
SYSCTLS = {
    "net/ipv4/ip_local_port_range": "1024 65000",
    "net/ipv4/tcp_tw_reuse": "1",
    "net/core/somaxconn": "4096",
}


def unavailable():
    """Why a tap namespace cannot be made here, or None."""
    if os.geteuid() != 0:
        return "not root (a tap device needs CAP_NET_ADMIN)"
    if not os.path.exists("/dev/net/tun"):
        return "no /dev/net/tun"
    for d in os.environ.get("PATH", "").split(":") + ["/usr/sbin", "/sbin"]:
        if os.access(os.path.join(d, "ip"), os.X_OK):
            return None
    return "no ip(8) (iproute2)"


def _ip(*args):
    r = subprocess.run(["ip"] + list(args), capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {r.stderr.strip()}")


class TapNamespace:
    """`with TapNamespace():` runs the body in a new network namespace
    holding lo and the tap TAP, its host side HOST/PREFIX, up."""

    def __init__(self):
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.home = None

    def __enter__(self):
        self.home = os.open("/proc/self/ns/net", os.O_RDONLY)
        if self.libc.unshare(CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            os.close(self.home)
            raise OSError(err, "unshare(CLONE_NEWNET)")
        try:
            _ip("link", "set", "lo", "up")
            _ip("tuntap", "add", "dev", TAP, "mode", "tap")
            _ip("addr", "add", f"{HOST}/{PREFIX}", "dev", TAP)
            _ip("link", "set", TAP, "txqueuelen", str(TAP_QUEUE))
            _ip("link", "set", TAP, "up")
            for key, value in SYSCTLS.items():
                with open("/proc/sys/" + key, "w") as f:
                    f.write(value)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        if self.home is not None:
            if self.libc.setns(self.home, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns back home")
            os.close(self.home)
            self.home = None
        return False
