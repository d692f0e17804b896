"""What every publisher needs to know of a remote server: whether it is this
machine (where plain, unencrypted connections are allowed), and how to quote
what it said on one terminal line."""

from __future__ import annotations

import ipaddress


def is_loopback(host: str) -> bool:
    """True for a host that is this machine: a loopback address, or the
    name `localhost`. Not `*.localhost`: RFC 6761 reserves those names too,
    but many resolvers (glibc's, this machine's) send them to DNS, where
    anyone's server may answer."""
    name = host.lower().rstrip(".")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def one_line(value: object, limit: int = 200) -> str:
    """A server's words made fit for one terminal line: printable characters,
    single spaces, at most `limit` characters."""
    text = " ".join("".join(c if c.isprintable() else " " for c in str(value)).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
