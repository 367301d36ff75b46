"""The guest widget: a page another website frames (frame-ancestors open for it only), that
needs no console session, and whose guest holds only their own guest token."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import httpx
from playwright.async_api import expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from auth.testing import Workspace
from devstack.pytest_plugin import serve_in_thread

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
