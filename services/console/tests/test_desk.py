"""The desk (003) in a real browser, through the gateway, against the real chat service: a
guest in the widget and an agent at the desk exchange messages live (typing, read receipts, who
else is viewing, the moves); and after a NATS restart the desk says it is reconnecting, then
shows what it missed."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from auth.testing import AddMember, Workspace, auth_header
from devstack.engines import start_nats
from devstack.stack import Stack

if TYPE_CHECKING:  # the harness's types (conftest.py is not imported by tests)
    from services.console.tests.conftest import CheckAccessibility, ConsoleLogin, NewPage, Screenshot

LIVE_MS = 15_000
# Every text #live-status shows from now on, in window.liveStates (a state may last a second).
WATCH_LIVE_STATES = """() => {
  const area = document.getElementById('live-status');
  window.liveStates = [];
  new MutationObserver(() => window.liveStates.push(area.textContent))
    .observe(area, {childList: true, characterData: true, subtree: true});
}"""


async def open_widget(page: Page, console_url: str, tenant: int, first: str) -> None:
    """A guest through the widget's two steps, up to the chat."""
    await page.goto(f"{console_url}widget/?tenant={tenant}")
    await page.get_by_label("Su consulta").fill(first)
    await page.get_by_role("button", name="Continuar").click()
    await page.get_by_label("Nombre completo").fill("Ana Invitada")
    await page.get_by_label("Correo electrónico").fill(f"ana-{secrets.token_hex(3)}@example.com")
    await page.get_by_label("Teléfono").fill("+51 999 888 777")
    await page.get_by_role("button", name="Iniciar chat").click()
    await expect(page.get_by_test_id("chat-status")).to_have_text("Esperando a un agente…")
    await expect(page.locator("#live-status")).to_have_text("Conectado", timeout=LIVE_MS)


async def test_a_guest_and_an_agent_chat_live_from_the_widget_to_the_desk(
    workspace: Workspace,
    add_member: AddMember,
    gateway: httpx.AsyncClient,
    new_page: NewPage,
    login: ConsoleLogin,
    console_url: str,
    check_accessibility: CheckAccessibility,
    screenshot: Screenshot,
) -> None:
    agent, colleague = await add_member("agente"), await add_member("agente")
    desk = await new_page()
    await desk.context.grant_permissions(["notifications"], origin=console_url.removesuffix("/console/"))
    await login(desk, agent.username, agent.password)
    await desk.get_by_role("navigation", name="Principal").get_by_role("link", name="Mesa de ayuda").click()
    await expect(desk.get_by_role("heading", name="Mesa de ayuda")).to_be_visible()
    await expect(desk.get_by_test_id("alerts-permission")).to_have_text("Notificaciones activadas.")
    await expect(desk.locator("#live-status")).to_have_text("Conectado", timeout=LIVE_MS)
    await desk.get_by_role("button", name="Pasar a disponible").click()
    await expect(desk.get_by_test_id("availability")).to_have_text("Disponible")

    # A guest starts a chat in the widget: the desk hears it (sound and notification, tab focused).
    guest = await new_page()
    await open_widget(guest, console_url, workspace.tenant_id, "Mis tomates tienen manchas")
    await expect(desk.get_by_test_id("desk-alerts")).to_contain_text(
        "Nuevo chat: Mis tomates tienen manchas (sonido, notificación)", timeout=LIVE_MS
    )
    waiting = desk.get_by_test_id("waiting")
    await expect(waiting).to_contain_text("Ana Invitada", timeout=LIVE_MS)
    await check_accessibility(desk)
    await screenshot(desk, "desk")
    await check_accessibility(guest)

    # The agent opens it and takes it: the guest is told.
    await waiting.get_by_role("link", name="Ana Invitada").first.click()
    await expect(desk.get_by_role("heading", name="Chat con Ana Invitada")).to_be_visible()
    await expect(desk.locator("#live-status")).to_have_text("Conectado", timeout=LIVE_MS)
    await desk.get_by_role("button", name="Tomar el chat").click()
    await expect(desk.get_by_test_id("room-notice")).to_have_text("Chat tomado.")
    await expect(desk.get_by_test_id("room-status")).to_have_text("Activo")
    await expect(guest.get_by_test_id("chat-status")).to_have_text("Un agente le atiende.", timeout=LIVE_MS)

    # Typing and a message from the guest reach the desk live; the desk's receipt reaches the guest.
    await guest.get_by_label("Su mensaje").press_sequentially("Hola")
    await expect(desk.get_by_test_id("typing")).to_have_text("El invitado está escribiendo…", timeout=LIVE_MS)
    await guest.get_by_label("Su mensaje").fill("¿Qué les pongo?")
    await guest.get_by_role("button", name="Enviar").click()
    await expect(desk.get_by_test_id("messages")).to_contain_text("¿Qué les pongo?", timeout=LIVE_MS)
    own = guest.get_by_test_id("widget-messages").locator("li.from-user")
    await expect(own.locator(".receipt")).to_have_text(["Leído", "Leído"], timeout=LIVE_MS)

    # The agent types and answers; the guest sees both, and the guest's receipt reaches the desk.
    await desk.get_by_label("Su respuesta").press_sequentially("Un fungicida")
    await expect(guest.get_by_test_id("widget-typing")).to_have_text("El agente está escribiendo…", timeout=LIVE_MS)
    await desk.get_by_role("button", name="Enviar").click()
    await expect(guest.get_by_test_id("widget-messages")).to_contain_text("Un fungicida", timeout=LIVE_MS)
    answer = desk.get_by_test_id("messages").locator("li.from-agent").last
    await expect(answer.locator(".receipt")).to_have_text("Leído", timeout=LIVE_MS)
    assert await desk.get_by_test_id("messages").locator("li", has_text="Un fungicida").count() == 1

    # A supervisor opens the same room: each sees the other there.
    supervisor = await new_page()
    await login(supervisor, workspace.owner.email, workspace.owner.password)
    await supervisor.goto(desk.url)
    await expect(desk.get_by_test_id("viewers")).to_contain_text("También viendo este chat:", timeout=LIVE_MS)
    await expect(supervisor.get_by_test_id("viewers")).to_contain_text("Miembro agente", timeout=LIVE_MS)
    await check_accessibility(desk)
    await screenshot(desk, "desk-room")
    await screenshot(guest, "widget")

    # Transfer to an available colleague: the desk shows the API's answer; they hold it now.
    me_too = auth_header(colleague.token)
    available = await gateway.patch("/api/agents/me/", headers=me_too, json={"is_available": True})
    assert available.is_success
    await desk.reload()
    await desk.get_by_label("Transferir a").select_option(value=str(available.json()["id"]))
    await desk.get_by_role("button", name="Transferir").click()
    await expect(desk.get_by_test_id("room-notice")).to_have_text("Chat transferido.")
    await expect(desk.get_by_test_id("room-agent")).not_to_have_text("Sin agente")
    # The agent no longer holds it: resolving is refused, with the API's own message.
    await desk.get_by_role("button", name="Resolver").click()
    await expect(desk.get_by_test_id("room-notice")).to_have_text("Este chat está asignado a otro agente.")
    await expect(desk.get_by_test_id("room-status")).to_have_text("Activo")
    # The supervisor resolves and closes it.
    await supervisor.reload()
    await supervisor.get_by_role("button", name="Resolver").click()
    await expect(supervisor.get_by_test_id("room-status")).to_have_text("Resuelto")
    await expect(guest.get_by_test_id("chat-status")).to_have_text(
        "El agente marcó su consulta como resuelta.", timeout=LIVE_MS
    )
    await supervisor.get_by_role("button", name="Cerrar", exact=True).click()
    await expect(supervisor.get_by_test_id("room-status")).to_have_text("Cerrado")
    await expect(guest.get_by_test_id("chat-status")).to_have_text("El chat está cerrado.", timeout=LIVE_MS)


async def test_a_supervisor_sees_every_chat_and_takes_one_from_the_queue_and_an_agent_does_not_see_all(
    workspace: Workspace,
    add_member: AddMember,
    gateway: httpx.AsyncClient,
    new_page: NewPage,
    login: ConsoleLogin,
    console_url: str,
) -> None:
    agent = await add_member("agente")
    page = await new_page()
    await login(page, agent.username, agent.password)
    await page.goto(console_url + "desk/")
    await expect(page.get_by_role("heading", name="Mis chats")).to_be_visible()
    assert await page.get_by_role("heading", name="Todos los chats").count() == 0
    boss = await new_page()
    await login(boss, workspace.owner.email, workspace.owner.password)
    await boss.goto(console_url + "desk/")
    await expect(boss.get_by_role("heading", name="Todos los chats")).to_be_visible()
    # Taking from the queue opens the chat; past their capacity the API's refusal shows instead.
    owner = auth_header(workspace.owner_token)
    assert (await gateway.patch("/api/agents/me/", headers=owner, json={"max_concurrent_chats": 1})).is_success
    for name in ("Tomás", "Teresa"):
        started = await gateway.post("/api/chat/start_chat/", json={"initial_message": "Sin agua",
                                                                    "tenant": workspace.tenant_id})  # fmt: skip
        contact = {"session_id": started.json()["session_id"], "email": f"{secrets.token_hex(3)}@example.com",
                   "full_name": name, "phone_number": "+51 999 888 777", "recaptcha_token": ""}  # fmt: skip
        assert (await gateway.post("/api/chat/complete_chat/", json=contact)).status_code == 201
    await boss.reload()
    await boss.get_by_role("button", name="Tomar el chat de Tomás").click()
    await expect(boss.get_by_role("heading", name="Chat con Tomás")).to_be_visible()
    await expect(boss.get_by_test_id("room-status")).to_have_text("Activo")
    await boss.goto(console_url + "desk/")
    await boss.get_by_role("button", name="Tomar el chat de Teresa").click()
    await expect(boss.locator("#flash")).to_contain_text("No puedes tomar más chats en este momento")
    # A farmer (no chat:ver) has no desk: no link, and the page is refused.
    farmer = await new_page()
    await login(farmer, workspace.farmer_username, workspace.farmer_password)
    assert await farmer.get_by_role("link", name="Mesa de ayuda").count() == 0
    refused = await farmer.goto(console_url + "desk/")
    assert refused is not None
    assert refused.status == 403


async def _sign_in(page: Page, console_url: str, username: str, password: str) -> None:
    await page.goto(console_url + "login/")
    await page.get_by_label("Usuario o email").fill(username)
    await page.get_by_label("Contraseña").fill(password)
    await page.get_by_role("button", name="Entrar").click()
    await expect(page.get_by_test_id("user-name")).to_be_visible()


@pytest.mark.timeout(240)
async def test_after_a_nats_restart_the_desk_shows_reconnecting_then_what_it_missed(
    isolated_stack: Stack, browser: Browser
) -> None:
    stack = isolated_stack
    gateway_url = stack.url("gateway")
    console_url = gateway_url + "/console/"
    owner = {"email": f"desk-{secrets.token_hex(3)}@example.com", "password": "una-clave-segura"}
    async with httpx.AsyncClient(base_url=gateway_url, timeout=20) as api:
        assert (await api.post("/users/", json=owner)).status_code == 200
        token = (await api.post("/api/auth/login", json={"username": owner["email"], **owner})).json()["access_token"]
        me = {"Authorization": f"Bearer {token}"}
        tenant = (await api.get("/auth/me/", headers=me)).json()["workspace"]["id"]
        started = await api.post("/api/chat/start_chat/", json={"initial_message": "Hola", "tenant": tenant})
        contact = {"session_id": started.json()["session_id"], "email": "g@example.com", "full_name": "Gina",
                   "phone_number": "+123456789", "recaptcha_token": ""}  # fmt: skip
        chat = (await api.post("/api/chat/complete_chat/", json=contact)).json()
        room, guest = chat["chat_room_id"], {"X-Guest-Token": chat["guest_token"]}
        assert (await api.patch("/api/agents/me/", headers=me, json={"is_available": True})).is_success
        assert (await api.post(f"/api/chat-rooms/{room}/take_chat/", headers=me)).is_success

        context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="es-ES")
        try:
            page = await context.new_page()
            page.set_default_timeout(20_000)
            await _sign_in(page, console_url, owner["email"], owner["password"])
            await page.goto(f"{console_url}desk/rooms/{room}/")
            await expect(page.locator("#live-status")).to_have_text("Conectado", timeout=LIVE_MS)
            sent = await api.post("/api/chat/send_message/", headers=guest,
                                  json={"chat_room_id": room, "content": "Antes"})  # fmt: skip
            assert sent.status_code == 201
            await expect(page.get_by_test_id("messages")).to_contain_text("Antes", timeout=LIVE_MS)
            await page.evaluate(WATCH_LIVE_STATES)

            assert stack.nats is not None
            port, folder = stack.nats.port, stack.nats.data_dir
            stack.nats.stop()
            # While NATS is down the message is stored, but no live event can carry it.
            missed = await api.post("/api/chat/send_message/", headers=guest,
                                    json={"chat_room_id": room, "content": "Durante el corte"})  # fmt: skip
            assert missed.status_code == 201
            stack.nats = start_nats(folder, port)

            await expect(page.get_by_test_id("messages")).to_contain_text("Durante el corte", timeout=60_000)
            await expect(page.locator("#live-status")).to_have_text("Conectado", timeout=LIVE_MS)
            states = await page.evaluate("() => window.liveStates")
            assert "Reconectando…" in states, states
            # And live again afterwards.
            after = await api.post("/api/chat/send_message/", headers=guest,
                                   json={"chat_room_id": room, "content": "Después"})  # fmt: skip
            assert after.status_code == 201
            await expect(page.get_by_test_id("messages")).to_contain_text("Después", timeout=LIVE_MS)
        finally:
            await context.close()
