"""Who is signed in, read from the API: the user, workspace and role from `/auth/me/`, the
permissions from the token's claim; `require` answers a 403 page, the nav hides what the user
cannot use, and a token the API refuses sends the browser to the login page."""

import base64
import json
from collections.abc import AsyncIterator, Iterator
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from console.access import ConsoleUser, require
from console.config import Settings
from console.cookies import CookieJar, SessionData
from console.main import create_app
from console.nav import NAV, NavItem
from console.templating import render
from devstack.pytest_plugin import serve_in_thread

ORIGIN = "http://console.test"
FIELDS = NavItem("Campos (prueba)", "/console/test-fields/", "parcelas:ver")


def token(perms: str) -> str:
    claims = {"sub": "5", "tenant": "3", "role": "agente", "perms": perms}
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"eyJhbGciOiJSUzI1NiJ9.{payload}.c2ln"


async def me(request: Request) -> Response:
    if request.headers.get("authorization", "").endswith(token("revoked=v")):
        return JSONResponse({"detail": "Token revocado."}, status_code=401)
    return JSONResponse(
        {
            "id": 5,
            "username": "lucia",
            "email": "lucia@example.com",
            "rol": "agente",
            "profile": {"nombres": "Lucía", "apellidos": "Torres"},
            "workspace": {"id": 3, "name": "Finca Los Andes"},
        }
    )


@pytest.fixture
def api() -> Iterator[str]:
    with serve_in_thread(Starlette(routes=[Route("/auth/me/", me)])) as url:
        yield url


@pytest.fixture
def with_test_page() -> Iterator[None]:
    NAV.append(FIELDS)
    yield
    NAV.remove(FIELDS)


@pytest.fixture
async def console(api: str, with_test_page: None) -> AsyncIterator[tuple[httpx.AsyncClient, CookieJar]]:
    settings = Settings.model_validate({"secret": "test-secret", "cookie_secure": False, "gateway_url": api})
    app = create_app(settings)
    router = APIRouter()

    @router.get("/console/test-fields/")
    async def fields(request: Request, user: Annotated[ConsoleUser, Depends(require("parcelas:ver"))]) -> Response:
        return render(request, "error.html", {"heading": "Campos", "message": f"{user.name} ve los campos"})

    app.include_router(router)
    async with httpx.AsyncClient() as app.state.http:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as client:
            yield client, CookieJar(settings)


def sign_in(client: httpx.AsyncClient, jar: CookieJar, perms: str) -> None:
    client.cookies.set("console_session", jar.seal(SessionData.signed_in_with(token(perms), None)))


async def test_the_home_page_shows_the_user_workspace_role_and_only_the_pages_they_may_use(
    console: tuple[httpx.AsyncClient, CookieJar],
) -> None:
    client, jar = console
    sign_in(client, jar, "parcelas=v")
    home = await client.get("/console/")
    assert home.status_code == 200
    assert "Finca Los Andes" in home.text
    assert "Lucía Torres" in home.text
    assert "(agente)" in home.text
    assert 'href="/console/test-fields/"' in home.text
    page = await client.get("/console/test-fields/")
    assert page.status_code == 200
    assert "Lucía Torres ve los campos" in page.text

    sign_in(client, jar, "chat=v")
    home = await client.get("/console/")
    assert 'href="/console/test-fields/"' not in home.text
    refused = await client.get("/console/test-fields/")
    assert refused.status_code == 403
    assert "Su rol no tiene permiso para ver esta página." in refused.text


async def test_a_token_the_api_refuses_leads_to_the_login_page_and_forgets_the_cookie(
    console: tuple[httpx.AsyncClient, CookieJar],
) -> None:
    client, jar = console
    sign_in(client, jar, "revoked=v")
    page = await client.get("/console/test-fields/", params={"x": "1"})
    assert (page.status_code, page.headers["location"]) == (303, "/console/login/?next=/console/test-fields/%3Fx%3D1")
    assert 'console_session=""' in page.headers["set-cookie"]
    assert "Max-Age=0" in page.headers["set-cookie"]
