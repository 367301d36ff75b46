"""The console's skeleton without a stack: vendored files, the sealed cookie, CSRF refusals,
security headers, redirects and the API's error texts."""

import hashlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from console.config import Settings
from console.cookies import CookieJar, SessionData
from console.gateway import api_message
from console.main import create_app
from console.security_headers import CSP
from console.session.endpoints import safe_next

STATIC = Path(__file__).parents[1] / "src" / "console" / "static"
AXE = Path(__file__).parent / "axe"
ROW = re.compile(r"^\| (\S+) \|.*\| ([0-9a-f]{64}) \|$", re.MULTILINE)
ORIGIN = "http://console.test"


@pytest.mark.parametrize("folder", [STATIC, AXE], ids=["static", "axe"])
def test_vendored_files_match_their_recorded_sha256(folder: Path) -> None:
    rows = ROW.findall((folder / "VENDORED.md").read_text())
    assert rows, "VENDORED.md lists no file"
    for name, digest in rows:
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name


def settings(**overrides: object) -> Settings:
    values: dict[str, object] = {"secret": "test-secret", "cookie_secure": False, "gateway_url": "http://127.0.0.1:9"}
    return Settings.model_validate(values | overrides)


def test_the_cookie_is_sealed_and_refused_when_altered_or_from_another_secret() -> None:
    jar = CookieJar(settings())
    data = SessionData.signed_in_with("eyJ.access.token", "refresh")
    sealed = jar.seal(data)
    assert "access" not in sealed
    assert jar.read(sealed) == data
    flipped = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    assert jar.read(flipped) is None
    assert CookieJar(settings(secret="another")).read(sealed) is None
    assert jar.read("not a cookie") is None
    assert jar.read(None) is None


def test_the_csrf_token_is_bound_to_the_session() -> None:
    jar = CookieJar(settings())
    one, two = SessionData.anonymous(), SessionData.anonymous()
    assert jar.csrf_matches(one, jar.csrf_token(one))
    assert not jar.csrf_matches(two, jar.csrf_token(one))


def test_production_refuses_insecure_cookies_and_the_development_secret() -> None:
    with pytest.raises(RuntimeError, match=r"CONSOLE_SECRET.*CONSOLE_COOKIE_SECURE"):
        Settings.model_validate({"platform_env": "production", "cookie_secure": False, "secret": "console-dev-only"})


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (None, "/console/"),
        ("/console/farm/?field=3", "/console/farm/?field=3"),
        ("https://evil.example/console/", "/console/"),
        ("//evil.example/console/", "/console/"),
        ("/api/v1/members/", "/console/"),
    ],
)
def test_login_returns_only_to_a_console_path(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"detail": "Credenciales inválidas"}, "Credenciales inválidas"),
        ({"error": "Sala no encontrada"}, "Sala no encontrada"),
        ({"error": {"code": "NOT_FOUND", "message": "No existe", "details": {}}}, "No existe"),
        ({"email": ["Este campo es obligatorio."]}, "email: Este campo es obligatorio."),
        (None, "La API respondió con el estado 418."),
    ],
)
def test_the_apis_error_text_is_found_in_every_seeds_shape(body: object, message: str) -> None:
    assert api_message(body, 418) == message


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    """The console in process, without its lifespan: its API client points at a closed port."""
    app = create_app(settings())
    async with httpx.AsyncClient() as app.state.http:
        yield httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ORIGIN, headers={"Origin": ORIGIN})


async def test_the_login_page_sets_an_anonymous_session_and_the_security_headers(client: httpx.AsyncClient) -> None:
    async with client:
        page = await client.get("/console/login/")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CSP
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
    cookie = page.headers["set-cookie"]
    assert cookie.startswith("console_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/console/" in cookie
    assert "<script>" not in page.text, "no inline script: the CSP would refuse it"


async def test_posts_without_the_sessions_token_are_refused(client: httpx.AsyncClient) -> None:
    async with client:
        form = await client.get("/console/login/")
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form.text)
        assert token
        for refused in (
            await client.post("/console/logout/"),
            await client.post("/console/login/", data={"username": "a", "password": "b"}),
            await client.post("/console/login/", data={"csrf_token": "f" * 64, "username": "a", "password": "b"}),
            await client.post(
                "/console/logout/", headers={"X-CSRF-Token": token.group(1), "Origin": "http://other.test"}
            ),
        ):
            assert refused.status_code == 403
            assert refused.headers["content-type"].startswith("text/html")


async def test_pages_need_a_session_and_unknown_ones_are_a_404_page(client: httpx.AsyncClient) -> None:
    async with client:
        page = await client.get("/console/", headers={"Origin": ""})
        missing = await client.get("/console/no-such-page/")
        htmx = await client.get("/console/", headers={"HX-Request": "true"})
    assert (page.status_code, page.headers["location"]) == (303, "/console/login/")
    assert missing.status_code == 404
    assert "Página no encontrada" in missing.text
    assert (htmx.status_code, htmx.headers["hx-redirect"]) == (204, "/console/login/")


async def test_the_openapi_document_lists_no_console_page(client: httpx.AsyncClient) -> None:
    async with client:
        document = (await client.get("/openapi.json")).json()
        static = await client.get("/console/static/htmx.min.js")
    assert document["paths"] == {}
    assert static.status_code == 200
    assert "no-store" not in static.headers.get("cache-control", "")


async def test_a_form_missing_a_field_is_a_page_naming_it(client: httpx.AsyncClient) -> None:
    async with client:
        form = await client.get("/console/login/")
        token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', form.text)
        assert token
        answer = await client.post("/console/login/", data={"csrf_token": token.group(1), "username": "ana"})
    assert answer.status_code == 422
    assert "Revise los datos enviados: password." in answer.text


async def test_the_login_page_sends_a_signed_in_browser_on(client: httpx.AsyncClient) -> None:
    sealed = CookieJar(settings()).seal(SessionData.signed_in_with("a.b.c", None))
    client.cookies.set("console_session", sealed)
    async with client:
        answer = await client.get("/console/login/", params={"next": "/console/farm/"})
    assert (answer.status_code, answer.headers["location"]) == (303, "/console/farm/")
