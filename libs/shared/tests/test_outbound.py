"""The SSRF guard: every encoding of a refused address is refused; redirects are checked too."""

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from shared.devtools.pytest_plugin import serve_in_thread
from shared.outbound import OutboundPolicy, UnsafeURL, checked_address, guarded_request

REFUSED = [
    "http://127.0.0.1/", "http://localhost/", "http://2130706433/", "http://0177.0.0.1/", "http://0x7f.1/",
    "http://0x7f000001/", "http://127.1/", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/",
    "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://192.168.1.1/", "http://172.16.0.1/",
    "http://0.0.0.0/", "http://[fd00:ec2::254]/", "http://224.0.0.1/", "ftp://example.com/", "http://user:pw@1.1.1.1/",
    "file:///etc/passwd",
]  # fmt: skip


@pytest.mark.parametrize("url", REFUSED)
async def test_refused_targets(url: str) -> None:
    with pytest.raises(UnsafeURL):
        await checked_address(url, OutboundPolicy())


async def test_a_public_address_and_an_allowed_network_pass() -> None:
    assert str((await checked_address("http://93.184.216.34:8080/x", OutboundPolicy()))[2]) == "93.184.216.34"
    allowed = OutboundPolicy(allowed_networks=["127.0.0.1/32"])
    assert str((await checked_address("http://localhost:1/", allowed))[2]) == "127.0.0.1"
    with pytest.raises(UnsafeURL):
        await checked_address("http://127.0.0.2/", allowed)  # loopback, but not the allowed address


def _receiver() -> Starlette:
    async def hello(request: Request) -> Response:
        return PlainTextResponse(f"host={request.headers['host']}")

    async def away(request: Request) -> Response:
        return RedirectResponse("http://127.0.0.2:9/", status_code=302)

    async def big(request: Request) -> Response:
        return PlainTextResponse("x" * 10_000)

    return Starlette(routes=[Route("/hello", hello), Route("/away", away), Route("/big", big)])


async def test_requests_keep_the_host_check_redirects_and_cap_the_body() -> None:
    policy = OutboundPolicy(allowed_networks=["127.0.0.1/32"], max_response_bytes=100)
    with serve_in_thread(_receiver()) as base:
        port = base.rsplit(":", 1)[1]
        async with httpx.AsyncHTTPTransport() as transport:
            response, body = await guarded_request(transport, "GET", f"http://localhost:{port}/hello", policy)
            assert (response.status_code, body) == (200, f"host=localhost:{port}".encode())
            with pytest.raises(UnsafeURL):
                await guarded_request(transport, "GET", f"http://localhost:{port}/away", policy)
            _, body = await guarded_request(transport, "GET", f"http://localhost:{port}/big", policy)
            assert len(body) == 100
