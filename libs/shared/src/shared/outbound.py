"""Calling a URL a user gave us (webhook targets, learned APIs) without opening the network to them.

The one guard for server-side requests to user URLs (SSRF):

- only `http` and `https`, no credentials in the URL;
- the host is resolved once, and every address it resolves to must be public: loopback,
  private, link-local (cloud metadata at 169.254.169.254 included), multicast, reserved and
  unspecified addresses are refused, however they are written (`2130706433`, `0177.0.0.1`,
  `0x7f.1`, `[::ffff:127.0.0.1]`), unless `allowed_networks` admits them;
- the connection goes to the address that was checked (the Host header and TLS SNI keep the
  name), so a DNS answer that changes between check and connect cannot redirect it;
- redirects are followed by hand, each target checked the same way, a few at most;
- the whole exchange is bounded in time and the answer in size.
"""

import asyncio
import ipaddress
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from shared.errors import InvalidRequest

__all__ = ["GuardedTransport", "OutboundPolicy", "UnsafeURL", "checked_address", "guarded_request"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class UnsafeURL(InvalidRequest):
    message = "La URL no está permitida."


@dataclass(frozen=True)
class OutboundPolicy:
    # Networks that are reachable although not public (a test receiver on loopback, an
    # internal service an operator chose to allow): "127.0.0.1/32", "10.1.0.0/16".
    allowed_networks: Sequence[str] = ()
    timeout_seconds: float = 10.0
    max_response_bytes: int = 1024 * 1024
    max_redirects: int = 3
    _networks: tuple[Network, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        networks = tuple(ipaddress.ip_network(n, strict=False) for n in self.allowed_networks)
        object.__setattr__(self, "_networks", networks)

    def allows(self, address: IPAddress) -> bool:
        return any(address in network for network in self._networks)


def literal_address(host: str) -> IPAddress | None:
    """The address a host names literally, in any of the forms a resolver accepts; None for a name."""
    bare = host.strip("[]")
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    try:  # inet_aton reads the legacy forms: decimal, octal, hex, fewer than four parts
        return ipaddress.IPv4Address(socket.inet_aton(bare))
    except OSError:
        return None


def refusal(address: IPAddress, policy: OutboundPolicy) -> str | None:
    """Why `address` may not be called, or None."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if policy.allows(address):
        return None
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local (metadatos de la nube incluidos)"
    if address.is_private:
        return "red privada"
    if address.is_multicast or address.is_reserved or address.is_unspecified:
        return "dirección reservada"
    return None


async def checked_address(url: str, policy: OutboundPolicy) -> tuple[str, int, IPAddress]:
    """(host, port, address) to connect to, or UnsafeURL saying why not."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeURL("La URL debe ser http o https, con un nombre de host.", fields={"url": ["URL no admitida."]})
    if parts.username or parts.password:
        raise UnsafeURL("La URL no puede llevar credenciales.", fields={"url": ["Sin usuario ni contraseña."]})
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeURL("Puerto inválido.", fields={"url": ["Puerto inválido."]}) from exc
    host = parts.hostname
    literal = literal_address(host)
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise UnsafeURL(f"No se pudo resolver '{host}'.", fields={"url": ["Host desconocido."]}) from exc
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    for address in addresses:
        reason = refusal(address, policy)
        if reason is not None:
            raise UnsafeURL(f"La URL apunta a una dirección no permitida ({reason}).", fields={"url": [reason]})
    return host, port, addresses[0]


async def guarded_request(
    transport: httpx.AsyncBaseTransport,
    method: str,
    url: str,
    policy: OutboundPolicy,
    *,
    headers: Mapping[str, str] | None = None,
    content: bytes | None = None,
) -> tuple[httpx.Response, bytes]:
    """The response (after checked redirects) and at most `max_response_bytes` of its body.

    A transport, not a client: no cookie jar (a user's target cannot plant a cookie that a
    later request, maybe another workspace's, would carry), no redirect or auth handling of
    its own, and none of the client's per-request work. Raises UnsafeURL for a refused target
    or redirect, and httpx's errors for a failed or slow exchange.
    """
    async with asyncio.timeout(policy.timeout_seconds):
        for _ in range(policy.max_redirects + 1):
            host, port, address = await checked_address(url, policy)
            parts = urlsplit(url)
            pinned_host = f"[{address}]" if address.version == 6 else str(address)
            pinned = urlunsplit((parts.scheme, f"{pinned_host}:{port}", parts.path or "/", parts.query, ""))
            request_headers = {**(headers or {}), "Host": parts.netloc.rsplit("@", 1)[-1]}
            extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
            request = httpx.Request(method, pinned, headers=request_headers, content=content, extensions=extensions)
            response = await transport.handle_async_request(request)
            response.request = request
            try:
                if response.is_redirect and "location" in response.headers:
                    url = urljoin(url, response.headers["location"])
                    if response.status_code in (301, 302, 303):
                        method, content = "GET", None
                    continue
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > policy.max_response_bytes:
                        break
                return response, bytes(body[: policy.max_response_bytes])
            finally:
                await response.aclose()
        raise UnsafeURL("Demasiadas redirecciones.", fields={"url": ["Demasiadas redirecciones."]})


class GuardedTransport:
    """The same guard under a client we do not drive ourselves (the provider SDKs' own): every
    request, each redirect hop included, is checked and sent to the address checked.

    It wraps an httpx-style transport, httpx's or httpx2's (which the `openai` and `anthropic`
    packages use), so it is typed loosely. A refused URL raises UnsafeURL out of the client.
    """

    def __init__(self, inner: Any, policy: OutboundPolicy) -> None:
        self.inner = inner
        self.policy = policy

    async def handle_async_request(self, request: Any) -> Any:
        host, _, address = await checked_address(str(request.url), self.policy)
        netloc = request.url.netloc  # the name the caller wrote, kept for Host (bytes in httpx)
        request.headers["Host"] = netloc.decode("ascii") if isinstance(netloc, bytes) else str(netloc)
        request.url = request.url.copy_with(host=str(address))
        if request.url.scheme == "https":
            request.extensions = {**request.extensions, "sni_hostname": host}
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()

    async def __aenter__(self) -> "GuardedTransport":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()
