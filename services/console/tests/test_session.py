"""Signing in and out of the console in a real browser, through the gateway, against the real
auth API; the session cookie's flags; CSRF refusals."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import httpx
import pytest
from playwright.async_api import expect

from auth.testing import Account

if TYPE_CHECKING:  # the harness's types (conftest.py is not imported by tests)
    from services.console.tests.conftest import CheckAccessibility, ConsoleLogin, NewPage, Screenshot

JWT = re.compile(r"eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}")
CSRF_META = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')


async def test_sign_in_see_home_sign_out_and_the_old_cookie_leads_to_login(
    account: Account,
    gateway: httpx.AsyncClient,
    new_page: NewPage,
    login: ConsoleLogin,
    console_url: str,
    check_accessibility: CheckAccessibility,
    screenshot: Screenshot,
) -> None:
    token = await login(account.email, account.password)
    me = (await gateway.get("/auth/me/", headers={"Authorization": f"Bearer {token}"})).json()

    page = await new_page()
    await page.goto(console_url)
    await expect(page).to_have_url(re.compile(r"/console/login/"))
    await expect(page.get_by_role("heading", name="Iniciar sesión")).to_be_visible()
    await check_accessibility(page)
    await screenshot(page, "login")

    await login(page, account.email, account.password)
    await expect(page).to_have_url(console_url)
    await expect(page.get_by_test_id("workspace-name")).to_have_text(me["workspace"]["name"])
    await expect(page.get_by_test_id("home-role")).to_have_text(me["rol"])
    await expect(page.get_by_test_id("user-role")).to_have_text(f"({me['rol']})")
    await expect(page.get_by_role("navigation", name="Principal").get_by_role("link", name="Inicio")).to_be_visible()
    await check_accessibility(page)
    await screenshot(page, "home")
    signed_in = [c for c in await page.context.cookies() if c["name"] == "console_session"]
    assert len(signed_in) == 1

    await page.get_by_role("button", name="Cerrar sesión").click()
    await expect(page).to_have_url(re.compile(r"/console/login/"))

    # The old cookie still opens (it is the console's own seal), but its token was revoked at the
    # API: the console finds out from the API and sends the browser to the login page.
    replay = await new_page()
    await replay.context.add_cookies(signed_in)  # type: ignore[arg-type]
    await replay.goto(console_url)
    await expect(replay).to_have_url(re.compile(r"/console/login/"))
    async with httpx.AsyncClient(timeout=10, cookies={"console_session": signed_in[0]["value"]}) as client:
        answer = await client.get(console_url)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/login/")


async def test_the_session_cookie_is_httponly_samesite_and_the_token_never_reaches_the_page(
    account: Account, new_page: NewPage, login: ConsoleLogin, console_url: str
) -> None:
    page = await new_page()
    await login(page, account.email, account.password)
    (cookie,) = [c for c in await page.context.cookies() if c["name"] == "console_session"]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert cookie["path"] == "/console/"
    assert cookie["secure"] is False  # plain http in the tests: CONSOLE_COOKIE_SECURE=false
    assert not JWT.search(cookie["value"]), "the cookie is sealed, not a readable token"
    assert await page.evaluate("() => document.cookie") == ""
    assert not JWT.search(await page.content())
    source = await page.context.request.get(console_url)
    assert not JWT.search(await source.text())


@pytest.fixture
async def signed_in_client(account: Account, console_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client holding a signed-in console session (through the login form, like a browser)."""
    origin = console_url.removesuffix("/console/")
    async with httpx.AsyncClient(timeout=10, headers={"Origin": origin}) as client:
        form = await client.get(console_url + "login/")
        signed = await client.post(
            console_url + "login/",
            data={"csrf_token": csrf_of(form.text), "username": account.email, "password": account.password},
        )
        assert signed.status_code == 303, signed.text
        yield client


def csrf_of(page_html: str) -> str:
    match = CSRF_META.search(page_html)
    assert match, page_html
    return match.group(1)


async def test_a_post_without_the_csrf_token_or_from_another_origin_is_refused(
    signed_in_client: httpx.AsyncClient, console_url: str
) -> None:
    client = signed_in_client
    home = await client.get(console_url)
    assert home.status_code == 200
    token = csrf_of(home.text)

    refused = await client.post(console_url + "logout/")
    assert refused.status_code == 403
    assert "No se pudo verificar el origen de la petición" in refused.text
    wrong = await client.post(console_url + "logout/", headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403
    elsewhere = await client.post(
        console_url + "logout/", headers={"X-CSRF-Token": token, "Origin": "http://evil.example"}
    )
    assert elsewhere.status_code == 403
    assert (await client.get(console_url)).status_code == 200, "a refused logout changed nothing"

    out = await client.post(console_url + "logout/", headers={"X-CSRF-Token": token})
    assert out.status_code == 303
    assert (await client.get(console_url)).status_code == 303


async def test_a_wrong_password_shows_the_apis_message(account: Account, console_url: str) -> None:
    origin = console_url.removesuffix("/console/")
    async with httpx.AsyncClient(timeout=10, headers={"Origin": origin}) as client:
        token = csrf_of((await client.get(console_url + "login/")).text)
        answer = await client.post(
            console_url + "login/", data={"csrf_token": token, "username": account.email, "password": "not-it"}
        )
        assert answer.status_code == 400
        assert 'data-testid="login-error"' in answer.text
        assert "console_session" not in answer.headers.get("set-cookie", "")
