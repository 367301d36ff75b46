"""The console's browser harness: Debian's chromium driven by Playwright (async), headless.

Fixtures every console test uses:
- `console_url`: the console through the stack's gateway (`http://127.0.0.1:<port>/console/`);
- `browser` (session): chromium launched by path, with the flags the closed network needs;
- `new_page()`: a fresh context (its own cookies) and page, 1280x800, Spanish, closed after the
  test; an uncaught script error or a CSP refusal in it fails the test;
- `login`: `await login(page, username, password)` signs in through the login form and waits for
  the home page; `await login(username, password)` is still auth's token getter (the
  `workspace` fixture needs it), so one name serves both;
- `check_accessibility`: `await check_accessibility(page)` runs axe-core (vendored, `axe/`) with
  the WCAG 2.1 A and AA rules and fails listing every violation;
- `screenshot`: `await screenshot(page, "desk")` takes a full page at 1280x800; with
  `CONSOLE_SCREENSHOTS=1` it writes `docs/console/desk.png` (the README shows them);
- `wait_for_js`: `await wait_for_js(page, "n => window.seen.length >= n", 9)` waits until a
  predicate holds. Playwright's own `wait_for_function` evaluates strings with `eval`, which
  the console's CSP refuses; `page.evaluate` goes over the DevTools protocol, outside the CSP.

Accounts come from auth's plugin (`auth.testing`): `account`, `workspace` (an owner and a
farmer), `add_member("agente")`. Wait for elements (`expect(...).to_have_text(..., timeout=...)`),
never sleep.
"""

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, overload

import httpx
import pytest
from playwright.async_api import Browser, ConsoleMessage, Error, Page, async_playwright, expect

from devstack.catalog import REPO_ROOT
from devstack.stack import Stack

CHROMIUM = Path(os.environ.get("CONSOLE_CHROMIUM", "/usr/bin/chromium"))
# Without these the closed network refuses chromium's start (it calls home, updates components).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}
TIMEOUT_MS = 10_000
SCREENSHOTS = REPO_ROOT / "docs" / "console"
AXE = Path(__file__).parent / "axe" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

NewPage = Callable[[], Awaitable[Page]]
CheckAccessibility = Callable[[Page], Awaitable[None]]
Screenshot = Callable[[Page, str], Awaitable[Path]]
WaitForJs = Callable[..., Awaitable[None]]


@pytest.fixture(scope="session")
def console_url(platform_stack: Stack) -> str:
    return platform_stack.url("gateway") + "/console/"


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def new_page(browser: Browser) -> AsyncIterator[NewPage]:
    contexts = []
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(f"CSP: {message.text}")

    def on_page_error(error: Error) -> None:
        problems.append(f"script error: {error.message}")

    async def make() -> Page:
        context = await browser.new_context(viewport=VIEWPORT, locale="es-ES", timezone_id="America/Lima")  # type: ignore[arg-type]
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = await context.new_page()
        page.on("console", on_console)
        page.on("pageerror", on_page_error)
        return page

    yield make
    for context in contexts:
        await context.close()
    assert not problems, "the pages had errors:\n" + "\n".join(problems)


class ConsoleLogin:
    """`await login(page, username, password)`: the console's login form, then the home page.
    `await login(username, password)`: a token from the API (auth's `login`, which this replaces)."""

    def __init__(self, gateway: httpx.AsyncClient, console_url: str) -> None:
        self.gateway = gateway
        self.console_url = console_url

    @overload
    async def __call__(self, page: Page, username: str, password: str, /) -> None: ...

    @overload
    async def __call__(self, username: str, password: str, /) -> str: ...

    async def __call__(self, *args: Any) -> str | None:
        if isinstance(args[0], Page):
            page, username, password = args
            await page.goto(self.console_url + "login/")
            await page.get_by_label("Usuario o email").fill(username)
            await page.get_by_label("Contraseña").fill(password)
            await page.get_by_role("button", name="Entrar").click()
            await expect(page.get_by_test_id("user-name")).to_be_visible()
            return None
        username, password = args
        response = await self.gateway.post("/auth/login/", json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        return str(response.json()["token"])


@pytest.fixture
def login(gateway: httpx.AsyncClient, console_url: str) -> ConsoleLogin:
    return ConsoleLogin(gateway, console_url)


@pytest.fixture(scope="session")
def check_accessibility() -> CheckAccessibility:
    source = AXE.read_text()

    async def check(page: Page) -> None:
        # Evaluated over the DevTools protocol, so the page's CSP (no inline script) does not apply.
        if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
            await page.evaluate(source)
        result = await page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            WCAG_TAGS,
        )
        violations = result["violations"]
        if violations:
            lines = [
                f"- {v['id']} ({v['impact']}): {v['help']}\n    "
                + "\n    ".join(" ".join(node["target"]) for node in v["nodes"][:5])
                for v in violations
            ]
            found = f"axe-core found {len(violations)} WCAG 2.1 A/AA violations on {page.url}:\n"
            pytest.fail(found + "\n".join(lines))

    return check


@pytest.fixture(scope="session")
def screenshot(tmp_path_factory: pytest.TempPathFactory) -> Screenshot:
    # Every run takes them; only `CONSOLE_SCREENSHOTS=1` writes them into docs/console/, so
    # `make test` leaves the checkout clean (the accounts and times in them differ per run).
    folder = SCREENSHOTS if os.environ.get("CONSOLE_SCREENSHOTS") == "1" else tmp_path_factory.mktemp("screenshots")

    async def shoot(page: Page, name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.png"
        await page.set_viewport_size(VIEWPORT)  # type: ignore[arg-type]
        await page.screenshot(path=path, full_page=True, animations="disabled", caret="hide")
        return path

    return shoot


@pytest.fixture(scope="session")
def wait_for_js() -> WaitForJs:
    async def wait(page: Page, predicate: str, arg: Any = None, *, timeout: float = TIMEOUT_MS / 1000) -> None:
        # The predicate is part of the evaluated text (never `eval`ed in the page): CSP-proof.
        script = f"""arg => new Promise(resolve => {{
            const holds = ({predicate});
            const check = () => (holds(arg) ? resolve() : setTimeout(check, 25));
            check();
        }})"""
        try:
            await asyncio.wait_for(page.evaluate(script, arg), timeout)
        except TimeoutError:
            pytest.fail(f"{predicate} did not hold within {timeout} s on {page.url}")

    return wait
