"""Ports for the processes the tests start.

A port found free by binding port 0 is free only for that moment: Rasa binds its port about 15 s
after it is chosen, and in that time another pytest-xdist worker choosing ports the same way, or
any outgoing connection (the kernel takes their local ports from the same range), could take it.
So each worker takes ports in order from a block of its own below the kernel's ephemeral range
(32768 and up by default), skipping any port something already listens on."""

from __future__ import annotations

import itertools
import os
import socket

FIRST_PORT = 20000
BLOCK = 1000  # ports for each worker


def _worker_index() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ... under xdist
    return int(worker.removeprefix("gw")) if worker.startswith("gw") else 0


_start = FIRST_PORT + _worker_index() * BLOCK
_candidates = itertools.count(_start)


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on, never given out before by this process."""
    for port in _candidates:
        if port >= _start + BLOCK:
            break
        with socket.socket() as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
        return port
    raise RuntimeError(f"no free port left in {_start}-{_start + BLOCK - 1}")
