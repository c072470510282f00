"""Fetching a file from a URL someone sent (a Zalo image's link): hostile input, so every
rule is checked before and while reading.

- Only `http` and `https`, no user name or password in the URL, at most `max_redirects`
  redirects, each checked like the first URL.
- Never a private, loopback, link-local, multicast or otherwise non-public address (the
  server-side request forgery that would let a chat message reach the server's own services
  or the cloud's metadata endpoint): a literal IP is checked before connecting, a host name
  after it is resolved — by the resolver the connection itself uses, so a name that resolves
  to a public address for the check and a private one for the connection (DNS rebinding)
  cannot slip through. `allow_private` lifts this for tests against a loopback server.
- A total time limit (`timeout`), a size limit (the Content-Length when given, and the bytes
  actually read: reading stops at the limit), and a content type from the allowed list whose
  first bytes match it (a PNG starts with the PNG signature, whatever the header says).

`fetch` returns a `Fetched` (bytes, content type, the final URL) or raises `FetchRefused`
with `kind` ("scheme", "address", "too_large", "type", "status", "timeout", "network",
"redirects") for the caller's message, and `detail` for the log.

Follows OWASP's "Server Side Request Forgery Prevention Cheat Sheet" (allow-list of schemes,
address checks after resolution, no blind redirects).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from yarl import URL

IMAGE_TYPES: tuple[str, ...] = ("image/jpeg", "image/png", "image/webp", "image/gif")
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class FetchPolicy:
    max_bytes: int
    content_types: tuple[str, ...] = IMAGE_TYPES
    timeout: float = 15.0  # seconds for the whole fetch, redirects included
    max_redirects: int = 3
    allow_private: bool = False  # tests only: a loopback server


@dataclass(frozen=True)
class Fetched:
    data: bytes
    content_type: str
    url: str


class FetchRefused(Exception):
    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail[:300]


def public_address(address: str) -> bool:
    """Whether an IP address is one anybody on the internet could reach (not private,
    loopback, link-local, multicast, reserved, shared or unspecified; an IPv4 address
    mapped into IPv6 is judged as the IPv4 address)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            ip = mapped
    return ip.is_global and not ip.is_multicast


class _GuardedResolver(AbstractResolver):
    """The default resolver, refusing any name that resolves to a non-public address."""

    def __init__(self) -> None:
        self._inner = DefaultResolver()

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        bad = [r["host"] for r in found if not public_address(r["host"])]
        if bad or not found:
            raise OSError(f"{host} resolves to a non-public address")
        return found

    async def close(self) -> None:
        await self._inner.close()


def check_url(url: str, allow_private: bool) -> URL:
    """The URL parsed, or FetchRefused for a scheme, credentials or literal address that is
    not allowed."""
    try:
        parsed = URL(url.strip())
    except (ValueError, TypeError) as exc:
        raise FetchRefused("scheme", f"not a URL: {exc}") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise FetchRefused("scheme", f"scheme {parsed.scheme!r} or host missing")
    if parsed.user or parsed.password:
        raise FetchRefused("scheme", "credentials in the URL")
    host = parsed.host.strip("[]")
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
        literal = True
    except ValueError:
        literal = False
    if literal and not allow_private and not public_address(host):
        raise FetchRefused("address", f"non-public address {host}")
    return parsed


async def fetch(url: str, policy: FetchPolicy) -> Fetched:
    """Read the file at `url` under `policy` (see the module's docstring)."""
    connector = aiohttp.TCPConnector(
        resolver=None if policy.allow_private else _GuardedResolver(), limit=2, force_close=True)
    timeout = aiohttp.ClientTimeout(total=policy.timeout)
    try:
        async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                         trust_env=False) as session:
            return await asyncio.wait_for(_follow(session, url, policy), policy.timeout)
    except FetchRefused:
        raise
    except (TimeoutError, asyncio.TimeoutError):
        raise FetchRefused("timeout", f"no complete answer within {policy.timeout:.0f} s") from None
    except aiohttp.ClientConnectorError as exc:
        kind = "address" if "non-public" in str(exc) else "network"
        raise FetchRefused(kind, str(exc)) from None
    except (aiohttp.ClientError, OSError, ValueError) as exc:
        raise FetchRefused("network", f"{type(exc).__name__}: {exc}") from None


async def _follow(session: aiohttp.ClientSession, url: str, policy: FetchPolicy) -> Fetched:
    current = check_url(url, policy.allow_private)
    for _ in range(policy.max_redirects + 1):
        async with session.get(current, allow_redirects=False,
                               headers={"Accept": ", ".join(policy.content_types)}) as response:
            if response.status in _REDIRECTS:
                location = response.headers.get("Location", "")
                current = check_url(str(current.join(URL(location))), policy.allow_private)
                continue
            if response.status != 200:
                raise FetchRefused("status", f"HTTP {response.status}")
            content_type = (response.content_type or "").lower()
            if content_type not in policy.content_types:
                raise FetchRefused("type", f"content type {content_type!r}")
            declared = response.content_length
            if declared is not None and declared > policy.max_bytes:
                raise FetchRefused("too_large", f"{declared} bytes declared")
            data = await _read(response, policy.max_bytes)
            if not _looks_like(content_type, data):
                raise FetchRefused("type", f"{content_type} whose bytes are not one")
            return Fetched(data, content_type, str(current))
    raise FetchRefused("redirects", f"more than {policy.max_redirects} redirects")


async def _read(response: Any, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise FetchRefused("too_large", f"more than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def sniff(data: bytes) -> str | None:
    """The image type the bytes are, by their signature; None when none of ours."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def _looks_like(content_type: str, data: bytes) -> bool:
    if not content_type.startswith("image/") and content_type != "application/pdf":
        return True  # no signature to check for other kinds
    return sniff(data) == content_type


__all__ = ["Fetched", "FetchPolicy", "FetchRefused", "IMAGE_TYPES", "check_url", "fetch",
           "public_address", "sniff"]
