"""The Workspace pages in a real browser, through the gateway, against the real API: an
invitation sent and accepted in another browser, an API key shown once that works and stops
working once revoked, a webhook's test delivery in its log, the pages refused to a member
without the permissions, and axe on every page."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import httpx
import pytest
from playwright.async_api import Dialog, Page, expect
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from auth.testing import AddMember, Workspace
from console.workspace import service
from devstack.pytest_plugin import serve_in_thread
from devstack.waiting import eventually

if TYPE_CHECKING:  # the harness's types (conftest.py is not imported by tests)
    from services.console.tests.conftest import CheckAccessibility, ConsoleLogin, NewPage, Screenshot

PAGES = ("members/", "roles/", "keys/", "ai/", "webhooks/")
WAIT_MS = 15_000


def _accept_dialogs(page: Page) -> None:
    """Confirm every `hx-confirm` question (removing, revoking) as the person would."""

    async def accept(dialog: Dialog) -> None:
        await dialog.accept()

    page.on("dialog", accept)


@dataclass
class Receiver:
    url: str = ""
    bodies: list[bytes] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on loopback (the test stack lets webhooks reach 127.0.0.1:
    `WEBHOOKS_OUTBOUND_ALLOWED_NETWORKS` in devstack's TEST_ENV)."""
    state = Receiver()

    async def receive(request: Request) -> Response:
        state.bodies.append(await request.body())
        return Response(status_code=204)

    with serve_in_thread(Starlette(routes=[Route("/{name:path}", receive, methods=["POST"])])) as url:
        state.url = url
        yield state


async def test_an_invitation_sent_by_the_owner_is_accepted_in_another_browser_and_the_member_appears(
    workspace: Workspace,
    new_page: NewPage,
    login: ConsoleLogin,
    console_url: str,
    check_accessibility: CheckAccessibility,
    screenshot: Screenshot,
) -> None:
    owner = await new_page()
    await login(owner, workspace.owner.email, workspace.owner.password)
    await owner.get_by_role("navigation", name="Principal").get_by_role("link", name="Espacio de trabajo").click()
    await expect(owner).to_have_url(console_url + "workspace/members/")
    await check_accessibility(owner)

    email = f"luis-{secrets.token_hex(4)}@example.com"
    await owner.get_by_label("Email").fill(email)
    await owner.get_by_label("Rol", exact=True).select_option("tecnico")
    await owner.get_by_role("button", name="Invitar").click()
    link = owner.get_by_label("Enlace de aceptación")
    await expect(link).to_have_value(re.compile(r"/console/invitation/\?token="), timeout=WAIT_MS)
    invitation_link = await link.input_value()
    await expect(owner.locator(f'tr[data-invitation="{email}"]')).to_contain_text("Pendiente")
    await check_accessibility(owner)

    invitee = await new_page()
    await invitee.goto(invitation_link)
    await expect(invitee.locator("#invitation-offer")).to_contain_text(email)
    await expect(invitee.locator("#invitation-offer")).to_contain_text("tecnico")
    await check_accessibility(invitee)
    username = f"luis-{secrets.token_hex(3)}"
    await invitee.get_by_label("Nombres").fill("Luis")
    await invitee.get_by_label("Apellidos").fill("Mamani")
    await invitee.get_by_label("Usuario").fill(username)
    await invitee.get_by_label("Contraseña (8 caracteres o más)").fill("ClaveDeLuis-2026")
    await invitee.get_by_label("Repita la contraseña").fill("ClaveDeLuis-2026")
    await invitee.get_by_role("button", name="Unirme al espacio").click()
    await expect(invitee).to_have_url(console_url)
    await expect(invitee.get_by_test_id("user-role")).to_have_text("(tecnico)")
    await expect(invitee.get_by_test_id("user-name")).to_have_text("Luis Mamani")

    # The link works once: opened again, the page says why and offers no form.
    used = await new_page()
    await used.goto(invitation_link)
    await expect(used.locator("#accept-error")).to_have_text("La invitación ya fue usada.")
    await expect(used.get_by_role("button", name="Unirme al espacio")).to_have_count(0)

    await owner.reload()
    await expect(owner.locator(f'tr[data-member="{username}"]')).to_contain_text("Luis Mamani")
    await expect(owner.locator(f'tr[data-invitation="{email}"]')).to_contain_text("Aceptada")
    await screenshot(owner, "workspace-members")


async def test_an_api_key_is_shown_once_works_against_the_gateway_and_stops_once_revoked(
    workspace: Workspace,
    gateway: httpx.AsyncClient,
    new_page: NewPage,
    login: ConsoleLogin,
    console_url: str,
    check_accessibility: CheckAccessibility,
    screenshot: Screenshot,
) -> None:
    page = await new_page()
    _accept_dialogs(page)
    await login(page, workspace.owner.email, workspace.owner.password)
    await page.goto(console_url + "workspace/keys/")
    await check_accessibility(page)

    await page.get_by_label("Nombre").fill("Sensores de riego")
    await page.get_by_label("Rol").select_option("tecnico")
    await page.get_by_role("button", name="Crear clave").click()
    shown = page.get_by_label("Clave de API")
    await expect(shown).to_have_value(re.compile(r"^ak_"), timeout=WAIT_MS)
    key = await shown.input_value()
    await check_accessibility(page)

    bearer = {"Authorization": f"Bearer {key}"}
    works = await gateway.get("/api/parcelas/", headers=bearer)
    assert works.status_code == 200, works.text

    # Shown once: the list has its first characters, never the key.
    await page.goto(console_url + "workspace/keys/")
    row = page.locator('tr[data-key="Sensores de riego"]')
    await expect(row).to_contain_text(key[:11])
    await expect(row).to_contain_text("Activa")
    assert key not in await page.content()

    await row.get_by_role("button", name="Revocar la clave Sensores de riego").click()
    await expect(row).to_contain_text("Revocada", timeout=WAIT_MS)

    async def refused() -> bool:
        return (await gateway.get("/api/parcelas/", headers=bearer)).status_code == 401

    await eventually(refused, "the gateway refuses the revoked key", seconds=5)
    # Last: Playwright's screenshot leaves `style=""` on an input, which htmx's next swap would
    # copy back (an inline style the CSP refuses).
    await screenshot(page, "workspace-keys")


async def test_a_webhooks_test_delivery_shows_in_its_log(
    workspace: Workspace,
    receiver: Receiver,
    new_page: NewPage,
    login: ConsoleLogin,
    console_url: str,
    check_accessibility: CheckAccessibility,
    screenshot: Screenshot,
) -> None:
    page = await new_page()
    await login(page, workspace.owner.email, workspace.owner.password)
    await page.goto(console_url + "workspace/webhooks/")
    await check_accessibility(page)

    await page.get_by_label("URL del receptor").fill(f"{receiver.url}/hook")
    await page.get_by_label(re.compile(r"^alert\.critical")).check()
    await page.get_by_role("button", name="Crear webhook").click()
    await expect(page.get_by_role("textbox", name="Secreto de firma")).to_have_value(
        re.compile(r"\S{8,}"), timeout=WAIT_MS
    )
    await check_accessibility(page)

    await page.get_by_role("link", name="Ver el webhook y enviarle un evento de prueba").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Webhook wh_")
    await page.get_by_role("button", name="Enviar evento de prueba").click()
    delivered = page.locator('#delivery-log tr[data-event="webhook.test"][data-status="delivered"]')
    await expect(delivered).to_contain_text("Entregada", timeout=WAIT_MS)
    await expect(delivered).to_contain_text("HTTP 204")
    assert any(b"webhook.test" in body for body in receiver.bodies)
    await check_accessibility(page)
    await screenshot(page, "workspace-webhooks")


async def test_roles_and_ai_integrations_never_show_a_stored_key(
    workspace: Workspace,
    new_page: NewPage,
    login: ConsoleLogin,
    console_url: str,
    check_accessibility: CheckAccessibility,
) -> None:
    page = await new_page()
    await login(page, workspace.owner.email, workspace.owner.password)
    await page.goto(console_url + "workspace/roles/")
    matrix = page.locator("#roles")
    await expect(matrix.locator("tr", has=page.get_by_role("rowheader", name="usuarios"))).to_contain_text(
        "ver, crear, actualizar, eliminar"
    )
    await check_accessibility(page)

    await page.goto(console_url + "workspace/ai/")
    secret = f"sk-ant-{secrets.token_hex(12)}"
    await page.get_by_label("Nombre", exact=True).fill("Claude del espacio")
    await page.get_by_label("Proveedor", exact=True).select_option("anthropic")
    await page.get_by_label("Clave de API", exact=True).fill(secret)
    await page.get_by_role("button", name="Conectar").click()
    row = page.locator('tr[data-integration="Claude del espacio"]')
    await expect(row).to_contain_text("Guardada (oculta)", timeout=WAIT_MS)
    assert secret not in await page.content()
    await row.get_by_role("button", name="Desactivar Claude del espacio").click()
    await expect(row).to_contain_text("Desactivada", timeout=WAIT_MS)
    await check_accessibility(page)


async def test_a_member_without_permission_neither_sees_nor_opens_the_pages(
    add_member: AddMember, new_page: NewPage, login: ConsoleLogin, console_url: str
) -> None:
    agent = await add_member("agente")
    page = await new_page()
    await login(page, agent.username, agent.password)
    nav = page.get_by_role("navigation", name="Principal")
    await expect(nav.get_by_role("link", name="Inicio")).to_be_visible()
    await expect(nav.get_by_role("link", name="Espacio de trabajo")).to_have_count(0)
    for path in ("", *PAGES):
        response = await page.goto(console_url + "workspace/" + path)
        assert response is not None
        assert response.status == 403, path
        await expect(page.get_by_role("heading", name="Acceso denegado")).to_be_visible()


def test_a_keys_state_is_revoked_before_expired_before_active() -> None:
    now = datetime(2026, 12, 5, 12, tzinfo=UTC)
    past, future = (now - timedelta(days=1)).isoformat(), (now + timedelta(days=1)).isoformat()
    assert service.key_state({"revoked_at": past, "expires_at": past}, now) == "revoked"
    assert service.key_state({"revoked_at": None, "expires_at": past}, now) == "expired"
    assert service.key_state({"revoked_at": None, "expires_at": future}, now) == "active"
    assert service.key_state({"revoked_at": None, "expires_at": None}, now) == "active"


def test_the_acceptance_link_is_the_consoles_page_with_the_token_quoted() -> None:
    link = service.acceptance_link("https://consola.example.com/", "a+b/c=")
    assert link == "https://consola.example.com/console/invitation/?token=a%2Bb%2Fc%3D"
