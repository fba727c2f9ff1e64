"""Free TCP ports for the processes of one local stack, so stacks can run side by side."""

from __future__ import annotations

import os
import socket

DIRECT_INGRESS_PORTS = range(24000, 30000)
"""Where private stacks (tests, benchmarks) take their replicas' direct-ingress ports: above Ray's
worker ports (10002-19999 by default) and `make up`'s Ray client port (23001), below Serve's
default direct-ingress range (30000-31000, which `make up` uses) and the kernel's ephemeral range
(32768+, where :func:`free_port` and outgoing connections take their ports)."""


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A port free on 127.0.0.1 now (the kernel picks it from the ephemeral range), and never
    one this process was given before: the kernel may hand a port it just gave out (and that was
    closed again) out once more, and two processes of one stack on one port fail to start."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


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
