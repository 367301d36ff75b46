"""The console as its users feel it: a page rendered through the gateway, and a guest's message
reaching the agent's screen.

Starts its own engines, auth, chat, the gateway and the console on free ports. Signs a
workspace owner in to the console (its login form, as a browser would), then:
- pages: --pages sequential requests of the desk (`/console/desk/`: the console asks the API
  for the waiting queue, the owner's chats and their agent, and renders them) through the
  gateway, with the session cookie;
- live: in headless chromium, a guest in the widget (one browser context) and the owner at the
  desk on that chat's room (another context). The guest sends --messages messages one after the
  other, each carrying `performance.timeOrigin + performance.now()` when sent; the desk's page
  records, when each appears in its list, the same clock minus that stamp (both contexts run
  on this machine's clock). The path: the widget's WebSocket, chat, NATS, chat, the console's SSE
  relay, the gateway, the desk's EventSource, the DOM.
Targets (issue 26): page p95 under 150 ms, message to screen p95 under 250 ms.
Usage: .venv/bin/python bench/console.py [--pages 200] [--messages 50]
"""

import argparse
import asyncio
import os
import re
import secrets
import sys
import time
from pathlib import Path

import httpx
from playwright.async_api import Page, async_playwright, expect

sys.path.insert(0, str(Path(__file__).parent))
from _suite import UNLIMITED, suite

from devstack.stack import Stack

CHROMIUM = Path(os.environ.get("CONSOLE_CHROMIUM", "/usr/bin/chromium"))
# Without these the closed network refuses chromium's start (as in services/console/tests).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
CSRF_META = re.compile(r'<meta name="csrf-token" content="([0-9a-f]+)">')
# On the desk's page: each new guest message's delay, from the stamp it carries.
RECORD = """() => {
  window.benchDelays = [];
  new MutationObserver(records => {
    const now = performance.timeOrigin + performance.now();
    for (const record of records) for (const node of record.addedNodes) {
      const text = node.querySelector ? (node.querySelector('.content') || {}).textContent || '' : '';
      const found = /^bench\\|\\d+\\|([\\d.]+)$/.exec(text);
      if (found) window.benchDelays.push(now - Number(found[1]));
    }
  }).observe(document.getElementById('messages'), {childList: true});
}"""
SEND = """seq => {
  const box = document.getElementById('widget-content');
  box.value = 'bench|' + seq + '|' + (performance.timeOrigin + performance.now()).toFixed(3);
  document.getElementById('send-form').requestSubmit();
}"""


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] if ordered else float("nan")


def p50(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else float("nan")


async def sign_in(client: httpx.AsyncClient, console: str, email: str, password: str) -> None:
    form = await client.get(console + "login/")
    token = CSRF_META.search(form.text)
    assert token, form.text
    signed = await client.post(console + "login/", data={"csrf_token": token.group(1), "username": email,
                                                          "password": password})  # fmt: skip
    assert signed.status_code == 303, signed.text


async def pages(console: str, email: str, password: str, count: int) -> list[float]:
    origin = console.removesuffix("/console/")
    async with httpx.AsyncClient(timeout=30, headers={"Origin": origin}) as client:
        await sign_in(client, console, email, password)
        delays = []
        for number in range(count + 10):
            started = time.perf_counter()
            answer = await client.get(console + "desk/")
            took = (time.perf_counter() - started) * 1000
            assert answer.status_code == 200, answer.text[:300]
            if number >= 10:  # the first ones warm the pools up
                delays.append(took)
    return delays


async def browser_login(page: Page, console: str, email: str, password: str) -> None:
    await page.goto(console + "login/")
    await page.get_by_label("Usuario o email").fill(email)
    await page.get_by_label("Contraseña").fill(password)
    await page.get_by_role("button", name="Entrar").click()
    await expect(page.get_by_test_id("user-name")).to_be_visible()


async def live(stack: Stack, console: str, email: str, password: str, tenant: int, count: int) -> list[float]:
    gateway = stack.url("gateway")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            guest_context = await browser.new_context(locale="es-ES")
            guest = await guest_context.new_page()
            await guest.goto(f"{console}widget/?tenant={tenant}")
            await guest.get_by_label("Su consulta").fill("Medición")
            await guest.get_by_role("button", name="Continuar").click()
            await guest.get_by_label("Nombre completo").fill("Invitada de la medición")
            await guest.get_by_label("Correo electrónico").fill("bench@example.com")
            await guest.get_by_label("Teléfono").fill("+51 999 888 777")
            await guest.get_by_role("button", name="Iniciar chat").click()
            await expect(guest.locator("#live-status")).to_have_text("Conectado", timeout=20_000)
            room = await guest.evaluate(f"() => JSON.parse(sessionStorage.getItem('console-widget-{tenant}')).room")

            agent_context = await browser.new_context(locale="es-ES")
            desk = await agent_context.new_page()
            await browser_login(desk, console, email, password)
            async with httpx.AsyncClient(base_url=gateway, timeout=30) as api:
                login = await api.post("/api/auth/login", json={"username": email, "password": password})
                me = {"Authorization": f"Bearer {login.json()['access_token']}"}
                assert (await api.patch("/api/agents/me/", headers=me, json={"is_available": True})).is_success
                assert (await api.post(f"/api/chat-rooms/{room}/take_chat/", headers=me)).is_success
            await desk.goto(f"{console}desk/rooms/{room}/")
            await expect(desk.locator("#live-status")).to_have_text("Conectado", timeout=20_000)
            await desk.evaluate(RECORD)
            for seq in range(count):
                await guest.evaluate(SEND, seq)
                await desk.wait_for_function(f"() => window.benchDelays.length >= {seq + 1}", timeout=20_000)
            return [float(d) for d in await desk.evaluate("() => window.benchDelays")]
        finally:
            await browser.close()


async def measure(stack: Stack, args: argparse.Namespace) -> None:
    gateway = stack.url("gateway")
    console = gateway + "/console/"
    email, password = f"console-{secrets.token_hex(4)}@example.com", "bench-password"
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:
        assert (await client.post("/users/", json={"email": email, "password": password})).status_code == 200
        login = await client.post("/api/auth/login", json={"username": email, "password": password})
        me = await client.get("/auth/me/", headers={"Authorization": f"Bearer {login.json()['access_token']}"})
        tenant = int(me.json()["workspace"]["id"])
    page_delays = await pages(console, email, password, args.pages)
    print(f"desk page through the gateway: {len(page_delays)} requests, p50 {p50(page_delays):.1f} ms, "
          f"p95 {p95(page_delays):.1f} ms")  # fmt: skip
    live_delays = await live(stack, console, email, password, tenant, args.messages)
    print(f"guest message to the desk's screen: {len(live_delays)} messages, p50 {p50(live_delays):.1f} ms, "
          f"p95 {p95(live_delays):.1f} ms")  # fmt: skip
    print(f"console: page p95 {p95(page_delays):.0f} ms, live message to screen p95 {p95(live_delays):.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--messages", type=int, default=50)
    args = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium")
    with suite(only={"auth", "chat", "gateway", "console"}, GATEWAY_RATE_LIMIT_PER_MINUTE=UNLIMITED,
               CHAT_CHATS_PER_HOUR="1000000") as stack:  # fmt: skip
        asyncio.run(measure(stack, args))


if __name__ == "__main__":
    main()
