"""Who is calling, as far as the limits and the sign-in lock need to know: the connection's
peer address, or, when the peer is one of the configured proxies (PCL_TRUSTED_PROXIES), the
last address in X-Forwarded-For that is not a proxy of ours. Anyone else's X-Forwarded-For is
ignored, so a caller cannot name themselves a new client at every request.

uvicorn's own proxy-header handling is off (api.__main__): it would believe any header sent
from 127.0.0.1.
"""

from __future__ import annotations

from starlette.requests import Request


def client_address(request: Request, trusted_proxies: frozenset[str]) -> str:
    peer = request.client.host if request.client else "unknown"
    if peer not in trusted_proxies:
        return peer
    hops = [
        hop.strip()
        for header in request.headers.getlist("x-forwarded-for")
        for hop in header.split(",")
        if hop.strip()
    ]
    for hop in reversed(hops):
        if hop not in trusted_proxies:
            return hop
    return peer
