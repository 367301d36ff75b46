"""The guest widget: a page another website frames (frame-ancestors open for it only), that
needs no console session, and whose guest holds only their own guest token; reCAPTCHA when the
desk verifies it (a suite of its own, its chat checking tokens with a loopback siteverify)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from playwright.async_api import Browser, expect
from playwright.async_api import Route as BrowserRoute
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from auth.testing import Workspace
from devstack.catalog import discover
from devstack.pytest_plugin import TEST_ENV, serve_in_thread
from devstack.stack import Stack, StackConfig

if TYPE_CHECKING:  # the harness's types (conftest.py is not imported by tests)
    from services.console.tests.conftest import CheckAccessibility, NewPage

JWT = re.compile(r"eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}")


async def test_a_website_frames_the_widget_and_its_guest_starts_a_chat(
    workspace: Workspace, new_page: NewPage, console_url: str
) -> None:
    widget_url = f"{console_url}widget/?tenant={workspace.tenant_id}"

    async def website(request: Request) -> HTMLResponse:
        return HTMLResponse(
            f'<!DOCTYPE html><html lang="es"><head><title>Vivero</title></head><body><main><h1>Vivero</h1>'
            f'<iframe title="Chat de soporte" src="{widget_url}" width="420" height="640"></iframe>'
            "</main></body></html>"
        )

    with serve_in_thread(Starlette(routes=[Route("/", website)])) as site:
        page = await new_page()
        await page.goto(site + "/")
        frame = page.frame_locator('iframe[title="Chat de soporte"]')
        await frame.get_by_label("Su consulta").fill("¿Hacen envíos?")
        await frame.get_by_role("button", name="Continuar").click()
        await frame.get_by_label("Nombre completo").fill("Luis Invitado")
        await frame.get_by_label("Correo electrónico").fill("luis@example.com")
        await frame.get_by_label("Teléfono").fill("+51 988 777 666")
        await frame.get_by_role("button", name="Iniciar chat").click()
        await expect(frame.get_by_test_id("chat-status")).to_have_text("Esperando a un agente…")
        await expect(frame.get_by_test_id("widget-messages")).to_contain_text("¿Hacen envíos?")
        await expect(frame.locator("#live-status")).to_have_text("Conectado", timeout=15_000)
        # The guest's browser holds their room's guest token, never a user's token, and no cookie.
        widget = next(f for f in page.frames if "/console/widget/" in f.url)
        held = await widget.evaluate(
            f"() => JSON.parse(sessionStorage.getItem('console-widget-{workspace.tenant_id}'))"
        )
        assert isinstance(held["token"], str)
        assert held["token"]
        assert not JWT.search(held["token"])
        assert [c for c in await page.context.cookies() if c["name"] == "console_session"] == []


async def test_the_widget_page_is_framable_accessible_and_needs_its_workspace(
    workspace: Workspace, new_page: NewPage, console_url: str, check_accessibility: CheckAccessibility
) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        answer = await client.get(f"{console_url}widget/", params={"tenant": workspace.tenant_id})
        assert answer.status_code == 200
        csp = answer.headers["content-security-policy"]
        assert "frame-ancestors *" in csp
        assert "script-src" not in csp  # no reCAPTCHA asked for (the suite's chat): only its own scripts
        desk = await client.get(f"{console_url}login/")
        assert "frame-ancestors 'self'" in desk.headers["content-security-policy"]  # every other page
        missing = await client.get(f"{console_url}widget/")
        assert missing.status_code == 400
        assert "Falta el espacio de trabajo" in missing.text
    page = await new_page()
    await page.goto(f"{console_url}widget/?tenant={workspace.tenant_id}")
    await expect(page.get_by_role("heading", name="¿En qué podemos ayudarle?")).to_be_visible()
    await check_accessibility(page)


# Stands in for reCAPTCHA's script (the closed network has no Google): the same calls the
# widget makes, a checkbox, and the response token the loopback siteverify accepts.
FAKE_RECAPTCHA = """window.grecaptcha = {
  render(id, options) {
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox'; box.id = 'fake-recaptcha';
    label.append(box, ' No soy un robot (' + options.sitekey + ')');
    document.getElementById(id).append(label);
    return 0;
  },
  getResponse() { return document.getElementById('fake-recaptcha').checked ? 'humano' : ''; },
  reset() { document.getElementById('fake-recaptcha').checked = false; },
};"""


@pytest.mark.timeout(300)
async def test_the_widget_asks_for_recaptcha_when_the_desk_verifies_it(tmp_path: Path, browser: Browser) -> None:
    asked: list[str] = []

    async def siteverify(request: Request) -> JSONResponse:
        token = str((await request.form()).get("response"))
        asked.append(token)
        return JSONResponse({"success": token == "humano", "score": 0.9})

    services = [spec for spec in discover() if spec.name in ("auth", "chat", "gateway", "console")]
    with serve_in_thread(Starlette(routes=[Route("/siteverify", siteverify, methods=["POST"])])) as verifier:
        env = {**TEST_ENV, "CHAT_RECAPTCHA_MODE": "verify", "CHAT_RECAPTCHA_SECRET": "s3cr3t",
               "CHAT_RECAPTCHA_VERIFY_URL": f"{verifier}/siteverify", "CHAT_RECAPTCHA_SITE_KEY": "sitio-1"}  # fmt: skip
        stack = Stack(StackConfig.ephemeral(tmp_path, services, **env), services)
        try:
            await asyncio.to_thread(stack.start)  # it runs an event loop of its own
            gateway = stack.url("gateway")
            async with httpx.AsyncClient(base_url=gateway, timeout=20) as api:
                account = {"email": "captcha@example.com", "password": "una-clave-segura"}
                assert (await api.post("/users/", json=account)).status_code == 200
                token = (await api.post("/api/auth/login", json={"username": account["email"], **account})).json()
                me = await api.get("/auth/me/", headers={"Authorization": f"Bearer {token['access_token']}"})
                tenant = me.json()["workspace"]["id"]
                csp = (await api.get("/console/widget/", params={"tenant": tenant})).headers["content-security-policy"]
                assert "script-src 'self' https://www.google.com/recaptcha/" in csp
            context = await browser.new_context(locale="es-ES")
            try:
                page = await context.new_page()
                page.set_default_timeout(15_000)

                async def fake_recaptcha(route: BrowserRoute) -> None:
                    await route.fulfill(content_type="text/javascript", body=FAKE_RECAPTCHA)

                await page.route("https://www.google.com/recaptcha/**", fake_recaptcha)
                await page.goto(f"{gateway}/console/widget/?tenant={tenant}")
                await page.get_by_label("Su consulta").fill("¿Tienen semillas?")
                await page.get_by_role("button", name="Continuar").click()
                await page.get_by_label("Nombre completo").fill("Rita")
                await page.get_by_label("Correo electrónico").fill("rita@example.com")
                await page.get_by_label("Teléfono").fill("+51 977 666 555")
                await page.get_by_role("button", name="Iniciar chat").click()
                await expect(page.get_by_role("alert")).to_have_text(
                    "Marque la casilla «No soy un robot» para continuar."
                )
                await page.get_by_label("No soy un robot (sitio-1)").check()
                await page.get_by_role("button", name="Iniciar chat").click()
                await expect(page.get_by_test_id("chat-status")).to_have_text("Esperando a un agente…")
            finally:
                await context.close()
        finally:
            await asyncio.to_thread(stack.stop)
    assert asked == ["humano"]
