"""The SSRF guard: every encoding of a refused address is refused; redirects are checked too."""

import asyncio
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from devstack.pytest_plugin import serve_in_thread
from shared import outbound
from shared.outbound import OutboundPolicy, UnsafeURL, checked_address, guarded_request, resolved_address

REFUSED = [
    "http://127.0.0.1/", "http://localhost/", "http://2130706433/", "http://0177.0.0.1/", "http://0x7f.1/",
    "http://0x7f000001/", "http://127.1/", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/",
    "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://192.168.1.1/", "http://172.16.0.1/",
    "http://0.0.0.0/", "http://[fd00:ec2::254]/", "http://224.0.0.1/", "ftp://example.com/", "http://user:pw@1.1.1.1/",
    "file:///etc/passwd",
    # not private, not global: RFC 6598's shared space (100.100.100.200 is a cloud metadata address)
    "http://100.64.0.1/", "http://100.100.100.200/latest/meta-data/", "http://[::ffff:100.64.0.1]/",
    # IPv6 addresses that carry a refused IPv4 one: 6to4, NAT64, Teredo (client 127.0.0.1)
    "http://[2002:7f00:1::]/", "http://[2002:a9fe:a9fe::]/", "http://[2002:0a00:0001::1]/",
    "http://[64:ff9b::7f00:1]/", "http://[64:ff9b::a9fe:a9fe]/", "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
    "http://[64:ff9b:1::1]/", "http://[fec0::1]/", "http://198.18.0.1/", "http://240.0.0.1/", "http://[2001:db8::1]/",
    "http://app.localhost/",
    # not URLs we call: an unbalanced IPv6 bracket, a bracketed name, a bad port, a bad host name
    "http://[::1", "https://[", "http://]/", "http://[example.com]/", "http://1.1.1.1:99999/",
    "http://exa mple.com/", "http://a..b/",
]  # fmt: skip


@pytest.mark.parametrize("url", REFUSED)
async def test_refused_targets(url: str) -> None:
    with pytest.raises(UnsafeURL):
        await checked_address(url, OutboundPolicy())


async def test_a_public_address_and_an_allowed_network_pass() -> None:
    assert str((await checked_address("http://93.184.216.34:8080/x", OutboundPolicy()))[2]) == "93.184.216.34"
    for public in ("http://[2002:808:808::]/", "http://[64:ff9b::808:808]/", "http://[2606:4700::1111]/"):
        await checked_address(public, OutboundPolicy())  # 6to4 / NAT64 of a public address, plain IPv6
    allowed = OutboundPolicy(allowed_networks=["127.0.0.1/32", "100.64.0.0/10"])
    assert str((await resolved_address("http://localhost:1/", allowed))[2]) == "127.0.0.1"
    assert str((await checked_address("http://[::ffff:127.0.0.1]/", allowed))[2]) == "::ffff:7f00:1"
    await checked_address("http://100.64.0.1/", allowed)
    with pytest.raises(UnsafeURL):
        await checked_address("http://127.0.0.2/", allowed)  # loopback, but not the allowed address


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/", "loopback; WEBHOOKS_OUTBOUND_ALLOWED_NETWORKS puede admitir su red"),
        ("http://10.0.0.1/", "red privada; WEBHOOKS_OUTBOUND_ALLOWED_NETWORKS puede admitir su red"),
        (
            "http://100.64.0.1/",
            "espacio compartido (RFC 6598); WEBHOOKS_OUTBOUND_ALLOWED_NETWORKS puede admitir su red",
        ),
        ("http://[2002:a9fe:a9fe::]/", "link-local (metadatos de la nube incluidos), dentro de 2002:a9fe:a9fe::"),
        ("http://169.254.169.254/", "link-local (metadatos de la nube incluidos)"),
    ],
)
async def test_a_refusal_says_why_and_which_setting_could_lift_it(url: str, reason: str) -> None:
    with pytest.raises(UnsafeURL) as refused:
        await checked_address(url, OutboundPolicy(setting="WEBHOOKS_OUTBOUND_ALLOWED_NETWORKS"))
    assert refused.value.fields == {"url": [reason]}
    assert refused.value.status_code == 400


async def test_saving_a_name_does_not_resolve_it_calling_does() -> None:
    """A host whose DNS is not set up yet (`.invalid` never resolves, RFC 6761) can be saved; a
    call resolves it, and refuses it then."""
    host, port, address = await checked_address("https://hooks.not-yet.invalid:8443/x", OutboundPolicy())
    assert (host, port, address) == ("hooks.not-yet.invalid", 8443, None)
    with pytest.raises(UnsafeURL, match="No se pudo resolver"):
        await resolved_address("https://hooks.not-yet.invalid:8443/x", OutboundPolicy())
    with pytest.raises(UnsafeURL, match="no permitida"):  # a name that resolves to loopback
        await resolved_address("http://localhost./", OutboundPolicy())


def _receiver() -> Starlette:
    async def hello(request: Request) -> Response:
        return PlainTextResponse(f"host={request.headers['host']}")

    async def away(request: Request) -> Response:
        return RedirectResponse("http://127.0.0.2:9/", status_code=302)

    async def broken(request: Request) -> Response:
        return Response(status_code=302, headers={"location": "http://[::1/x"})

    async def big(request: Request) -> Response:
        return PlainTextResponse("x" * 10_000)

    return Starlette(
        routes=[Route("/hello", hello), Route("/away", away), Route("/broken", broken), Route("/big", big)]
    )


async def test_requests_keep_the_host_check_redirects_and_cap_the_body() -> None:
    policy = OutboundPolicy(allowed_networks=["127.0.0.1/32"], max_response_bytes=100)
    with serve_in_thread(_receiver()) as base:
        port = base.rsplit(":", 1)[1]
        async with httpx.AsyncHTTPTransport() as transport:
            response, body = await guarded_request(transport, "GET", f"http://localhost:{port}/hello", policy)
            assert (response.status_code, body) == (200, f"host=localhost:{port}".encode())
            with pytest.raises(UnsafeURL):
                await guarded_request(transport, "GET", f"http://localhost:{port}/away", policy)
            with pytest.raises(UnsafeURL, match="mal formada"):
                await guarded_request(transport, "GET", f"http://localhost:{port}/broken", policy)
            _, body = await guarded_request(transport, "GET", f"http://localhost:{port}/big", policy)
            assert len(body) == 100


async def test_a_names_addresses_are_reused_for_a_while_and_checked_at_every_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One DNS query per name per `DNS_CACHE_SECONDS`, the policy applied to every call."""
    loop = asyncio.get_running_loop()
    asked: list[str] = []
    resolve = loop.getaddrinfo

    async def counting(host: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(host)
        return await resolve(host, *args, **kwargs)

    monkeypatch.setattr(loop, "getaddrinfo", counting)
    monkeypatch.setattr(outbound, "_resolved", {})
    allowed = OutboundPolicy(allowed_networks=["127.0.0.1/32"])
    for _ in range(3):
        assert str((await resolved_address("http://localhost:9/", allowed))[2]) == "127.0.0.1"
    with pytest.raises(UnsafeURL):
        await resolved_address("http://localhost:9/", OutboundPolicy())  # the cached answer, checked again
    assert asked == ["localhost"]
    monkeypatch.setattr(outbound, "DNS_CACHE_SECONDS", 0.0)
    outbound._resolved.clear()
    await resolved_address("http://localhost:9/", allowed)
    await resolved_address("http://localhost:9/", allowed)
    assert asked == ["localhost"] * 3
