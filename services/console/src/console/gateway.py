"""The console's one way to the platform: the gateway's public API, as the signed-in user.

`GatewayDep` is a `Gateway` bound to the user's token (from the session cookie); the console
reads no database and calls no service directly, so it can do nothing the API would not let
that user do. One pooled httpx client per process (`app.state.http`, made in `console.main`).
"""

import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Annotated, Any

import httpx
import websockets
from fastapi import Depends, Request
from websockets.asyncio.client import ClientConnection

from console.errors import ApiError, GatewayUnavailable, NotSignedIn
from console.session_state import SessionDataDep

__all__ = ["ApiError", "Gateway", "GatewayDep", "PublicGatewayDep", "api_message", "websocket_url"]

Params = Mapping[str, str | int | float | bool | None] | None


def api_message(body: Any, status: int) -> str:
    """The API's error text in any seed's shape ({"detail"}, {"error"}, {"error": {"message"}},
    003's per-field lists), else a generic one with the status."""
    if isinstance(body, dict):
        for key in ("detail", "error", "message"):
            value = body.get(key)
            if isinstance(value, dict) and isinstance(value.get("message"), str):
                return str(value["message"])
            if isinstance(value, str) and value:
                return value
            if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
                return " ".join(value)
        fields = [f"{name}: {' '.join(map(str, msgs))}" for name, msgs in body.items() if isinstance(msgs, list)]
        if fields:
            return "; ".join(fields)
    if isinstance(body, str) and body.strip():
        return body.strip()[:300]
    return f"La API respondió con el estado {status}."


def _body_of(response: httpx.Response) -> Any:
    if not response.content:
        return None
    if "json" in response.headers.get("content-type", ""):
        try:
            return response.json()
        except ValueError:
            pass
    return response.text


def _check(response: httpx.Response) -> None:
    """Raise for an answer that is not a success: 401 sends the user to the login page."""
    status = response.status_code
    if status < 400:
        return
    if status == 401:
        raise NotSignedIn()
    if status >= 500:
        raise GatewayUnavailable()
    body = _body_of(response)
    raise ApiError(status, body, api_message(body, status))


def websocket_url(base_url: str, path: str) -> str:
    return base_url.replace("https://", "wss://", 1).replace("http://", "ws://", 1).rstrip("/") + path


class Gateway:
    """The public API as one user (`token`), or anonymously (`token=None`: logins, the guest widget).

    Methods return the parsed JSON answer (None for an empty one). An API 4xx raises `ApiError`
    (its `message` is the API's own text), a 401 `NotSignedIn` (the console's handler sends the
    browser to the login page), a 5xx or no answer `GatewayUnavailable`.
    """

    def __init__(
        self, client: httpx.AsyncClient, base_url: str, token: str | None, *, browser_address: str | None = None
    ) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.browser_address = browser_address

    @property
    def headers(self) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if self.browser_address:
            # Per-address limits (login throttling, anonymous rate limits) should count the
            # browser, not the console: a gateway that trusts the console's network (its
            # FORWARDED_ALLOW_IPS, as in the k8s overlays) takes it from here; one that does
            # not drops it.
            headers["X-Forwarded-For"] = self.browser_address
        return headers

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Any = None,
    ) -> Any:
        try:
            response = await self.client.request(
                method,
                self.base_url + path,
                params=_clean(params),
                json=json,
                data=data,
                files=files,
                headers=self.headers,
            )
        except httpx.HTTPError as exc:
            raise GatewayUnavailable() from exc
        _check(response)
        return _body_of(response)

    async def get(self, path: str, *, params: Params = None) -> Any:
        return await self.request("GET", path, params=params)

    async def post(
        self, path: str, *, json: Any = None, data: Mapping[str, Any] | None = None, files: Any = None
    ) -> Any:
        return await self.request("POST", path, json=json, data=data, files=files)

    async def put(self, path: str, *, json: Any = None) -> Any:
        return await self.request("PUT", path, json=json)

    async def patch(self, path: str, *, json: Any = None) -> Any:
        return await self.request("PATCH", path, json=json)

    async def delete(self, path: str, *, params: Params = None) -> Any:
        return await self.request("DELETE", path, params=params)

    @contextlib.asynccontextmanager
    async def stream(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Params = None,
        headers: Mapping[str, str] | None = None,
    ) -> AsyncIterator[httpx.Response]:
        """The raw streaming answer (an SSE relay reads `aiter_lines()`); a refusal raises as above
        before the block runs. No read timeout: a stream may be quiet between events."""
        request = self.client.build_request(
            method,
            self.base_url + path,
            json=json,
            params=_clean(params),
            headers={**self.headers, **(headers or {})},
            timeout=httpx.Timeout(None, connect=self.client.timeout.connect),
        )
        try:
            response = await self.client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise GatewayUnavailable() from exc
        try:
            if response.status_code >= 400:
                await response.aread()
                _check(response)
            yield response
        finally:
            await response.aclose()

    @contextlib.asynccontextmanager
    async def websocket(self, path: str) -> AsyncIterator[ClientConnection]:
        """The gateway's WebSocket at `path`, with the user's token in `Authorization` (the
        platform's sockets that authenticate in their first frame need it there too: `self.token`)."""
        try:
            connection = await websockets.connect(
                websocket_url(self.base_url, path), additional_headers=self.headers, open_timeout=5, max_size=2**22
            )
        except (OSError, TimeoutError, websockets.exceptions.InvalidHandshake) as exc:
            status = getattr(getattr(exc, "response", None), "status_code", None)
            if status == 401:
                raise NotSignedIn() from exc
            raise GatewayUnavailable() from exc
        try:
            yield connection
        finally:
            await connection.close()


def _clean(params: Params) -> dict[str, str | int | float | bool] | None:
    """Query parameters without the unset ones (a form's empty filter means "any")."""
    if params is None:
        return None
    return {key: value for key, value in params.items() if value is not None and value != ""}


def _gateway(request: Request, token: str | None) -> Gateway:
    # The browser's address as the console's uvicorn saw it (from the gateway's X-Forwarded-For).
    address = request.client.host if request.client else None
    return Gateway(request.app.state.http, request.app.state.settings.gateway_url, token, browser_address=address)


def signed_in_gateway(request: Request, session: SessionDataDep) -> Gateway:
    if session is None or session.access_token is None:
        raise NotSignedIn()
    return _gateway(request, session.access_token)


def public_gateway(request: Request) -> Gateway:
    return _gateway(request, None)


GatewayDep = Annotated[Gateway, Depends(signed_in_gateway)]
# For what needs no user: the login itself and the guest widget (guests carry their room's token).
PublicGatewayDep = Annotated[Gateway, Depends(public_gateway)]
