"""Which TCP sockets listen, and which sockets a process holds, read from
/proc (Linux): the tests use it to see who listens where without trusting
the process under test."""

from __future__ import annotations

import os
from typing import NamedTuple

__all__ = ["ListeningSocket", "listening_ports", "listening_sockets", "socket_inodes"]


class ListeningSocket(NamedTuple):
    inode: str
    address: str     # as /proc writes it: hex, e.g. "0100007F" for 127.0.0.1
    port: int


def listening_sockets() -> list[ListeningSocket]:
    """Every TCP socket in state LISTEN (0A), IPv4 and IPv6."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                rows = [row.split() for row in f]
        except OSError:
            continue
        for cols in rows:
            if cols[3] == "0A":
                address, port = cols[1].rsplit(":", 1)
                found.append(ListeningSocket(cols[9], address, int(port, 16)))
    return found


def socket_inodes(pid: int) -> set[str] | None:
    """The inodes of the sockets `pid` holds open; None without /proc."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return None
    inodes = set()
    for fd in fds:
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    return inodes


def listening_ports(pid: int) -> set[int]:
    """The TCP ports `pid` listens on (empty without /proc): how a test finds
    a peer or program it asked for port 0."""
    own = socket_inodes(pid) or set()
    return {s.port for s in listening_sockets() if s.inode in own}
