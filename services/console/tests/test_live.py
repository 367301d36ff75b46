"""The live relay: an upstream SSE stream relayed to a real browser by a console route, through
`consoleLive` with its visible states, resuming by event id; a refused token ends it at the login."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import httpx
import pytest
from fastapi import APIRouter, Request
from playwright.async_api import expect
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from console.config import Settings
from console.errors import NotSignedIn
from console.gateway import Gateway, PublicGatewayDep
from console.live import OPEN, LiveEvent, LiveItem, last_event_id, live_response, upstream_events
from console.main import create_app
from devstack.pytest_plugin import serve_in_thread

if TYPE_CHECKING:
    from services.console.tests.conftest import NewPage, WaitForJs

BATCH = 3


def test_an_event_is_encoded_with_its_id_name_and_every_line_of_its_data() -> None:
    assert LiveEvent({"a": "ñ"}, id="7", event="message.created").encode() == (
        b'id: 7\nevent: message.created\ndata: {"a": "\xc3\xb1"}\n\n'
    )
    assert LiveEvent("one\ntwo").encode() == b"data: one\ndata: two\n\n"
    assert LiveEvent("x", id="1\n2").encode() == b"id: 1 2\ndata: x\n\n", "an id cannot break the frame"


async def test_an_upstream_stream_is_parsed_with_ids_names_and_multiline_data() -> None:
    body = b': hello\n\nid: 4\nevent: typing\ndata: {"room": 1}\n\ndata: a\ndata: b\n\nid: 9\ndata: last'
    response = httpx.Response(200, content=body)
    events = [event async for event in upstream_events(response)]
    assert events == [
        LiveEvent('{"room": 1}', id="4", event="typing"),
        LiveEvent("a\nb"),
        LiveEvent("last", id="9"),
    ]


class Upstream:
    """A stand-in for the gateway's SSE stream: each connection sends the next `BATCH` events
    after `last_event_id`, then closes (as a broker restart would); `mode` makes it refuse."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.resumed_from: list[str | None] = []
        self.forwarded_for: set[str | None] = set()

    async def stream(self, request: Request) -> Response:
        if self.mode == "down":
            return Response(status_code=503)
        if self.mode == "revoked":
            return Response(json.dumps({"detail": "Token revocado."}), status_code=401, media_type="application/json")
        after = request.query_params.get("last_event_id")
        self.resumed_from.append(after)
        self.forwarded_for.add(request.headers.get("x-forwarded-for"))
        first = int(after or 0) + 1

        async def body() -> AsyncIterator[bytes]:
            for n in range(first, first + BATCH):
                yield f"id: {n}\ndata: {json.dumps({'n': n})}\n\n".encode()

        return StreamingResponse(body(), media_type="text/event-stream")


@pytest.fixture
def upstream() -> Upstream:
    return Upstream()


@pytest.fixture
def console_with_relay(upstream: Upstream) -> Iterator[str]:
    """A console (in this process) whose gateway is `upstream`, with one live route relaying it."""
    with serve_in_thread(Starlette(routes=[Route("/stream", upstream.stream)])) as upstream_url:
        settings = Settings.model_validate(
            {"secret": "test-secret", "cookie_secure": False, "gateway_url": upstream_url}
        )
        app = create_app(settings)
        router = APIRouter()

        @router.get("/console/test-live/")
        async def relay(request: Request, gw: PublicGatewayDep) -> StreamingResponse:
            async def events() -> AsyncIterator[LiveItem]:
                async with gw.stream("GET", "/stream", params={"last_event_id": last_event_id(request)}) as answer:
                    yield OPEN
                    async for event in upstream_events(answer):
                        yield event

            return await live_response(events())

        @router.post("/console/test-echo/")
        async def echo() -> HTMLResponse:
            return HTMLResponse("<p>Eco recibido</p>")

        app.include_router(router)
        with serve_in_thread(app) as console_url:
            yield console_url


@pytest.mark.stack  # starts chromium
async def test_a_relayed_stream_resumes_by_event_id_shows_its_state_and_ends_at_the_login_when_revoked(
    console_with_relay: str, upstream: Upstream, new_page: NewPage, wait_for_js: WaitForJs
) -> None:
    page = await new_page()
    await page.goto(console_with_relay + "/console/no-such-page/")  # any console page: base.html, console.js
    await page.evaluate(
        """() => {
            window.seen = []; window.states = [];
            consoleLive('/console/test-live/', {
                retryMs: 300,
                onEvent: (type, data, event) => window.seen.push([event.lastEventId, data.n]),
                onState: state => window.states.push(state),
            });
        }"""
    )
    status = page.locator("#live-status")
    await wait_for_js(page, "n => window.seen.length >= n", 3 * BATCH)
    seen = await page.evaluate("window.seen")
    assert seen[: 3 * BATCH] == [[str(n), n] for n in range(1, 3 * BATCH + 1)], "resumed with no gap, no repeat"
    assert upstream.resumed_from[:3] == [None, str(BATCH), str(2 * BATCH)]
    assert upstream.forwarded_for == {"127.0.0.1"}, "the API is told the browser's address"
    states = await page.evaluate("window.states")
    assert states[:4] == ["connecting", "open", "reconnecting", "open"]

    upstream.mode = "down"  # the relay answers 503 before saying "connected"
    await expect(status).to_have_text("Sin conexión")
    await expect(status).to_have_attribute("data-state", "closed")

    upstream.mode = "revoked"  # the API refuses the token: the page goes to the login
    await expect(page).to_have_url(re.compile(r"/console/login/"))


async def upstream_socket(websocket: WebSocket) -> None:
    """A stand-in for a platform WebSocket: bearer in the handshake, resume point in the first frame."""
    if websocket.headers.get("authorization") != "Bearer good-token":
        await websocket.send_denial_response(Response(status_code=401))
        return
    await websocket.accept()
    after = int(json.loads(await websocket.receive_text())["last_event_id"])
    for n in range(after + 1, after + 3):
        await websocket.send_text(json.dumps({"id": n, "type": "message.created"}))
    await websocket.close()


async def test_the_gateways_websocket_is_opened_with_the_users_token_and_a_refused_one_signs_out() -> None:
    with serve_in_thread(Starlette(routes=[WebSocketRoute("/ws", upstream_socket)])) as url:
        async with httpx.AsyncClient() as client:
            gw = Gateway(client, url, "good-token")
            async with gw.websocket("/ws") as socket:
                await socket.send(json.dumps({"token": gw.token, "last_event_id": "4"}))
                frames = [json.loads(frame) async for frame in socket]
            with pytest.raises(NotSignedIn):
                async with Gateway(client, url, "revoked-token").websocket("/ws"):
                    pass
    assert frames == [{"id": 5, "type": "message.created"}, {"id": 6, "type": "message.created"}]


@pytest.mark.stack  # starts chromium
async def test_htmx_requests_carry_the_csrf_token_and_a_refusal_is_shown_in_the_flash_area(
    console_with_relay: str, new_page: NewPage
) -> None:
    page = await new_page()
    await page.goto(console_with_relay + "/console/login/")  # an anonymous session and its token
    flash = page.locator("#flash")
    await page.evaluate("() => htmx.ajax('POST', '/console/test-echo/', {target: '#flash', swap: 'innerHTML'})")
    await expect(flash).to_have_text("Eco recibido")

    await page.evaluate("() => document.querySelector('meta[name=csrf-token]').setAttribute('content', 'forged')")
    await page.evaluate("() => htmx.ajax('POST', '/console/test-echo/', {target: 'main', swap: 'innerHTML'})")
    await expect(flash).to_contain_text("No se pudo verificar el origen de la petición")
    # Retargeted to #flash: the page itself stays.
    await expect(page.get_by_role("heading", name="Iniciar sesión")).to_be_visible()
