"""Which address a request comes from: the TCP peer, or what trusted proxies say it was.

A proxy appends the address it saw to X-Forwarded-For, so the list reads client, proxy 1, proxy 2
and the peer is the last proxy. Walking it from the right, every hop a trusted proxy added can be
believed; the first hop that is not a trusted proxy is the client. Entries further left were written
by the client itself and prove nothing.
"""
from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Iterable, Sequence

from .config import IPNetwork


@lru_cache(maxsize=4096)  # a gateway sees the same few peers (its proxies) again and again
def parse_address(value: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not value:
        return None
    text = value.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped  # ::ffff:10.0.0.1 is 10.0.0.1 (dual-stack sockets)
    return address


def is_trusted(address, trusted: Sequence[IPNetwork]) -> bool:
    return any(address.version == network.version and address in network for network in trusted)


def client_address(peer: str | None, forwarded_for: Iterable[str],
                   trusted: Sequence[IPNetwork]) -> str | None:
    """The client's address as text, or None when not even the peer is an address.

    ``forwarded_for`` are the X-Forwarded-For header values in the order received."""
    current = parse_address(peer)
    if current is None or not is_trusted(current, trusted):
        return str(current) if current is not None else None
    hops = [hop for value in forwarded_for for hop in value.split(",")]
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            break  # a trusted proxy would not write this; keep the last address we can believe
        current = address
        if not is_trusted(address, trusted):
            break
    return str(current)
