"""Free TCP ports for the processes of one local stack, so stacks can run side by side."""

from __future__ import annotations

import os
import random
import socket

PRIVATE_PORTS = range(20000, 23000)
"""Where :func:`free_port` takes ports: above Ray's worker ports (10002-19999 by default), below
`make up`'s Ray client port (23001) and, above all, outside the kernel's ephemeral range
(32768+). A port picked from that range could be taken by any process's outgoing connection or
port-0 listener (a Ray head's own) between the pick and the moment its server binds it: a
launcher test once lost HAProxy's metrics port that way."""
DIRECT_INGRESS_PORTS = range(24000, 30000)
"""Where private stacks (tests, benchmarks) take their replicas' direct-ingress ports: above
:data:`PRIVATE_PORTS` and `make up`'s Ray client port, below Serve's default direct-ingress range
(30000-31000, which `make up` uses) and the kernel's ephemeral range."""


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A port of :data:`PRIVATE_PORTS` free on every interface now, and never one this process
    was given before (two processes of one stack on one port fail to start). Picked at random,
    so stacks started side by side by other processes rarely try the same one."""
    candidates = [p for p in PRIVATE_PORTS if p not in _HANDED_OUT]
    random.shuffle(candidates)
    for port in candidates:
        if bindable(port):
            _HANDED_OUT.add(port)
            return port
    raise RuntimeError(f"no free port left in {PRIVATE_PORTS}")


def bindable(port: int) -> bool:
    """Whether ``port`` is free on every interface (a replica may bind 127.0.0.1 or all)."""
    with socket.socket() as sock:
        try:
            sock.bind(("", port))
        except OSError:
            return False
        return True


def free_port_range(size: int, *, within: range = DIRECT_INGRESS_PORTS) -> range:
    """``size`` consecutive ports of ``within`` that are all free now, for one stack's
    direct-ingress servers. The first block tried depends on the PID, so concurrent stacks
    pick different blocks."""
    blocks = len(within) // size
    first = os.getpid() % blocks
    for i in range(blocks):
        start = within.start + (first + i) % blocks * size
        candidate = range(start, start + size)
        if all(bindable(port) for port in candidate):
            return candidate
    raise RuntimeError(f"no {size} consecutive free ports in {within}")
