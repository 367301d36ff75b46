"""Calling a URL a user gave us (webhook targets, learned APIs) without opening the network to them.

The one guard for server-side requests to user URLs (SSRF):

- only `http` and `https`, no credentials in the URL;
- only globally routable addresses are called: loopback, private, shared (RFC 6598's
  100.64.0.0/10, where 100.100.100.200 is a cloud metadata address), link-local (cloud metadata
  at 169.254.169.254 included), multicast, reserved and unspecified addresses are refused,
  however they are written (`2130706433`, `0177.0.0.1`, `0x7f.1`, `[::ffff:127.0.0.1]`), and so
  is an IPv6 address that embeds a refused IPv4 one (IPv4-mapped, 6to4 `2002::/16`, Teredo,
  NAT64 `64:ff9b::/96`), unless `allowed_networks` admits them;
- saving a URL (`checked_address`) checks its syntax and a literal address only: a name is
  resolved when it is called (`resolved_address`), so a host whose DNS is not set up yet can
  be saved, and every call, each redirect hop included, checks what the name resolves to then
  (an answer is reused for `DNS_CACHE_SECONDS`, and checked again at every call);
- the connection goes to the address that was checked (the Host header and TLS SNI keep the
  name), so a DNS answer that changes between check and connect cannot redirect it;
- redirects are followed by hand, each target checked the same way, a few at most;
- the whole exchange is bounded in time and the answer in size.
"""

import asyncio
import ipaddress
import re
import socket
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

import httpx

from shared.errors import InvalidRequest

__all__ = [
    "GuardedTransport",
    "OutboundPolicy",
    "UnsafeURL",
    "checked_address",
    "guarded_request",
    "refusal",
    "resolved_address",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")  # RFC 6598, carrier-grade NAT and cloud metadata
# Not global, although Python 3.11's `is_global` says so: RFC 8215's local-use NAT64 prefix,
# which translates to whatever IPv4 network the operator's NAT64 reaches, and the deprecated
# site-local fec0::/10 (RFC 3879), which some networks still route internally.
_NOT_GLOBAL = (ipaddress.IPv6Network("64:ff9b:1::/48"), ipaddress.IPv6Network("fec0::/10"))
# A host name as DNS spells it (after IDNA): letters, digits, hyphens, underscores, dots.
_HOST_NAME = re.compile(r"^[a-z0-9_-]{1,63}(\.[a-z0-9_-]{1,63})*\.?$", re.IGNORECASE)
_LOOPBACK = ipaddress.IPv4Address("127.0.0.1")

# How long a name's addresses are reused (aiohttp's default): glibc caches nothing, and a
# provider called for every streamed answer would pay a DNS query before each first token.
DNS_CACHE_SECONDS = 10.0
_MAX_CACHED_NAMES = 1024
_resolved: dict[tuple[str, int], tuple[float, list[IPAddress]]] = {}


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
    # The environment variable that sets `allowed_networks`, named in a refusal that it could lift.
    setting: str = "OUTBOUND_ALLOWED_NETWORKS"
    _networks: tuple[Network, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        networks = tuple(ipaddress.ip_network(n, strict=False) for n in self.allowed_networks)
        object.__setattr__(self, "_networks", networks)

    def allows(self, address: IPAddress) -> bool:
        return any(address in network for network in self._networks)


def _refused(field_message: str, message: str | None = None) -> UnsafeURL:
    return UnsafeURL(message or field_message, fields={"url": [field_message]})


def literal_address(host: str) -> IPAddress | None:
    """The address a host names literally, in any of the forms a resolver accepts; None for a name."""
    bare = host.strip("[]")
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    try:  # inet_aton reads the legacy forms: decimal, octal, hex, fewer than four parts
        return ipaddress.IPv4Address(socket.inet_aton(bare))
    except (OSError, ValueError):  # ValueError: an embedded NUL
        return None


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (IPv4-mapped, NAT64, 6to4, Teredo's client), if any."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def _public(address: IPAddress) -> bool:
    # `is_global` alone admits multicast (224.0.0.0/4, ff00::/8) and RFC 8215's prefix
    return (
        address.is_global
        and not (address.is_multicast or address.is_reserved)
        and not any(address in network for network in _NOT_GLOBAL)
    )


def _kind(address: IPAddress) -> tuple[str, bool]:
    """What a non-global address is, and whether an operator may sensibly allow its network."""
    if address.is_loopback:
        return "loopback", True
    if address.is_link_local:
        return "link-local (metadatos de la nube incluidos)", False
    if address.is_multicast or address.is_unspecified:
        return "dirección reservada", False
    if address.is_private:
        return "red privada", True
    if isinstance(address, ipaddress.IPv4Address) and address in _SHARED:
        return "espacio compartido (RFC 6598)", True
    if address.is_reserved:
        return "dirección reservada", False
    return "dirección no pública", True


def refusal(address: IPAddress, policy: OutboundPolicy) -> str | None:
    """Why `address` may not be called, or None: only globally routable addresses may, and an
    IPv6 address only if the IPv4 address it embeds is one too, unless the policy allows it."""
    # An IPv4-mapped address reaches its IPv4 address itself: allowing that allows it.
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    if policy.allows(address) or (mapped is not None and policy.allows(mapped)):
        return None
    embedded = embedded_ipv4(address)
    # An IPv4-mapped or NAT64 address is only a wrapper (its prefix is not global itself): its
    # IPv4 address decides. A 6to4 or Teredo address must be public in both of its forms.
    wrapper = mapped is not None or address in _NAT64
    for candidate in (embedded,) if wrapper else (embedded, address):
        if candidate is None:
            continue
        if not _public(candidate):
            kind, allowable = _kind(candidate)
            if candidate is embedded:
                kind = f"{kind}, dentro de {address}"
            return f"{kind}; {policy.setting} puede admitir su red" if allowable else kind
    return None


def _parts(url: str) -> tuple[SplitResult, str, int]:
    """The URL's parts, host and port, or UnsafeURL for a URL that is not one we call."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError as exc:  # an unbalanced IPv6 bracket, a bad bracketed host, a bad port
        raise _refused("URL mal formada.", "La URL está mal formada (host o puerto inválido).") from exc
    if parts.scheme not in ("http", "https") or not host:
        raise _refused("URL no admitida.", "La URL debe ser http o https, con un nombre de host.")
    if parts.username or parts.password:
        raise _refused("Sin usuario ni contraseña.", "La URL no puede llevar credenciales.")
    return parts, host, port or (443 if parts.scheme == "https" else 80)


def _name_address(host: str) -> IPAddress | None:
    """None for a well-formed name, loopback for a `localhost` name (RFC 6761: loopback by
    definition, checked as such before any resolver is asked); a malformed name is refused."""
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise _refused("Host inválido.", f"El nombre de host '{host}' no es válido.") from exc
    if not _HOST_NAME.match(ascii_host):
        raise _refused("Host inválido.", f"El nombre de host '{host}' no es válido.")
    if ascii_host.rstrip(".").lower().split(".")[-1] == "localhost":
        return _LOOPBACK
    return None


def _check(addresses: Sequence[IPAddress], policy: OutboundPolicy) -> None:
    for address in addresses:
        reason = refusal(address, policy)
        if reason is not None:
            raise _refused(reason, f"La URL apunta a una dirección no permitida ({reason}).")


async def checked_address(url: str, policy: OutboundPolicy) -> tuple[str, int, IPAddress | None]:
    """(host, port, literal address or None for a name), or UnsafeURL saying why not.

    What a URL can be checked for when it is saved: its syntax, scheme, credentials and a
    literal address. A name is not resolved here (its DNS may not be set up yet, or the
    machine may have none); `resolved_address` checks what it resolves to at each call.
    """
    _, host, port = _parts(url)
    literal = literal_address(host)
    checked = literal if literal is not None else _name_address(host)
    if checked is not None:
        _check([checked], policy)
    return host, port, literal


async def resolved_address(url: str, policy: OutboundPolicy) -> tuple[str, int, IPAddress]:
    """(host, port, address) to connect to now, every address the host resolves to checked."""
    host, port, literal = await checked_address(url, policy)
    if literal is not None:
        return host, port, literal
    addresses = await _addresses(host, port)
    _check(addresses, policy)
    return host, port, addresses[0]


async def _addresses(host: str, port: int) -> list[IPAddress]:
    """What `host` resolves to, reused for `DNS_CACHE_SECONDS` (a failure is not kept)."""
    now = time.monotonic()
    cached = _resolved.get((host, port))
    if cached is not None and cached[0] > now:
        return cached[1]
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise _refused("Host desconocido.", f"No se pudo resolver '{host}'.") from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if len(_resolved) >= _MAX_CACHED_NAMES:
        _resolved.clear()
    _resolved[(host, port)] = (now + DNS_CACHE_SECONDS, addresses)
    return addresses


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
            host, port, address = await resolved_address(url, policy)
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
                    try:
                        url = urljoin(url, response.headers["location"])
                    except ValueError as exc:  # a Location with an unbalanced IPv6 bracket
                        raise _refused(
                            "Redirección mal formada.", "La redirección apunta a una URL mal formada."
                        ) from exc
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
        host, _, address = await resolved_address(str(request.url), self.policy)
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
