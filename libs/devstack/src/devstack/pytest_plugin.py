"""Pytest fixtures: the real engines and services, on free ports in a temporary folder.

Loaded through the `pytest11` entry point of platform-devstack, so every test tree has them.
Nothing here is skipped when an engine is missing: the fixtures start the engines themselves,
and only what the selected tests ask for: a run of `unit` and `engines` tests (`make test-fast`)
starts PostgreSQL and NATS and migrates, but starts no service process.

Tiers are markers applied from the fixtures a test uses (a plain new test is `unit` by itself):
- `unit`: no engine;
- `engines`: PostgreSQL/NATS, migrated schemas, in-process apps (`platform_database`,
  `platform_engines`, `scratch_schema`);
- `stack`: service processes (`platform_stack`, `isolated_stack`, and every fixture built on
  them: `gateway`, `published`, `consumed`...). A test that starts processes of its own says so
  with `@pytest.mark.stack`.
"""

import asyncio
import contextlib
import json
import secrets
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import hypothesis
import nats
import pytest
import uvicorn

from devstack.catalog import discover
from devstack.processes import free_port
from devstack.stack import Stack, StackConfig
from shared.events.bus import stream_for_subject
from shared.serve import KEEP_ALIVE_SECONDS

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = secrets.token_urlsafe(12)

# Every test client is 127.0.0.1: per-address limits would make tests depend on each other.
# The limits themselves are tested with gateways and throttles of their own.
TEST_ENV = {
    "ADMIN_USERNAME": ADMIN_USERNAME,
    "ADMIN_PASSWORD": ADMIN_PASSWORD,
    "AUTH_LOGIN_FAILURES_PER_ADDRESS": "100000",
    "GATEWAY_RATE_LIMIT_PER_MINUTE": "100000",
    # Webhook receivers in tests listen on loopback, and retries come quickly.
    "WEBHOOKS_OUTBOUND_ALLOWED_NETWORKS": '["127.0.0.1/32"]',
    "WEBHOOKS_RETRY_BASE_SECONDS": "0.3",
    "WEBHOOKS_RETRY_MAX_SECONDS": "2",
    "WEBHOOKS_DELIVERY_TIMEOUT_SECONDS": "2",
    "WEBHOOKS_DISABLE_AFTER_SECONDS": "6",
    # The loopback AI providers; one quick retry before the next model; abandoned answers stop soon.
    "BOTS_OUTBOUND_ALLOWED_NETWORKS": '["127.0.0.1/32"]',
    # Several guest chats per test workspace from one loopback address.
    "CHAT_CHATS_PER_HOUR": "8",
    "BOTS_PROVIDER_MAX_RETRIES": "1",
    "BOTS_PROVIDER_TIMEOUT_SECONDS": "5",
    "BOTS_ABANDON_AFTER_SECONDS": "2",
}


TIERS = {
    "unit": "needs no engine (applied to every test that asks for none of the fixtures below)",
    "engines": "needs PostgreSQL/NATS and migrated schemas, no service process (applied by fixtures)",
    "stack": "needs service processes running (applied by platform_stack / isolated_stack and what uses them)",
}
STACK_FIXTURES = frozenset({"platform_stack", "isolated_stack"})
ENGINE_FIXTURES = frozenset({"platform_engines", "platform_database", "scratch_schema"})


# `make test-fast` loads this profile: property tests scale their example counts from
# `settings.default.max_examples` (100 otherwise), so the inner loop stays inside a minute.
hypothesis.settings.register_profile("fast", max_examples=10)


def pytest_configure(config: pytest.Config) -> None:
    for name, meaning in TIERS.items():
        config.addinivalue_line("markers", f"{name}: {meaning}")


def tier_of(item: pytest.Item) -> str:
    """The highest tier a test's own markers or its fixtures imply.

    `fixturenames` is the closure of what the test requests, so a fixture built on
    `platform_stack` (`gateway`, a conftest's `workspace`) puts its users in the `stack` tier.
    """
    names = set(getattr(item, "fixturenames", ()))
    found = {name for name in TIERS if item.get_closest_marker(name) is not None}
    if names & STACK_FIXTURES:
        found.add("stack")
    if names & ENGINE_FIXTURES:
        found.add("engines")
    return max(found, key=list(TIERS).index, default="unit")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        tier = tier_of(item)
        if item.get_closest_marker(tier) is None:
            item.add_marker(tier)


@pytest.fixture(scope="session")
def platform_engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """PostgreSQL and NATS started, service roles and schemas provisioned; no services yet."""
    services = discover()
    stack = Stack(StackConfig.ephemeral(tmp_path_factory.mktemp("platform"), services, **TEST_ENV), services)
    try:
        stack.start_engines()
        yield stack
    finally:
        stack.stop()


@pytest.fixture
def isolated_stack(tmp_path: Path) -> Iterator[Stack]:
    """Every service on engines of their own, for a test that restarts or kills them (NATS,
    a service) without disturbing any other test. About 15 s to start."""
    services = discover()
    stack = Stack(StackConfig.ephemeral(tmp_path, services, **TEST_ENV), services)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def platform_database(platform_engines: Stack) -> Stack:
    """Every service's schema migrated and bootstrapped; no service process (the in-process tier)."""
    platform_engines.prepare_databases()
    return platform_engines


@pytest.fixture(scope="session")
def platform_stack(platform_database: Stack) -> Stack:
    """Every service migrated and running as its own process, the gateway in front."""
    platform_database.start_services()
    return platform_database


@pytest.fixture
async def gateway(platform_stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=platform_stack.url("gateway"), timeout=10.0) as client:
        yield client


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str


@pytest.fixture(scope="session")
def platform_admin() -> Credentials:
    """The platform administrator `make run` bootstraps."""
    return Credentials(ADMIN_USERNAME, ADMIN_PASSWORD)


Published = Callable[[str], Awaitable[list[dict[str, Any]]]]


@pytest.fixture
def published(platform_stack: Stack) -> Published:
    """`await published("agro.node.upserted")`: every event stored on that subject, in order.

    Reads the stream with a throwaway ordered consumer until it has been quiet for a second,
    so an event whose outbox row was just committed has time to arrive.
    """

    async def read(subject: str) -> list[dict[str, Any]]:
        nc = await nats.connect(platform_stack.nats_url)
        try:
            sub = await nc.jetstream().subscribe(subject, ordered_consumer=True)
            found = []
            while True:
                try:
                    found.append(json.loads((await sub.next_msg(timeout=1)).data))
                except nats.errors.TimeoutError:
                    return found
        finally:
            await nc.close()

    return read


Consumed = Callable[[str, str, int], Awaitable[None]]


@pytest.fixture
def consumed(platform_stack: Stack) -> Consumed:
    """`await consumed(subject, durable, seq)`: returns once that durable consumer has acked
    every message of `subject`'s stream up to sequence `seq` (what `js.publish` returned).

    Waiting for this instead of sleeping makes "the duplicate changed nothing" a fact, not a hope.
    """

    async def wait(subject: str, durable: str, seq: int) -> None:
        nc = await nats.connect(platform_stack.nats_url)
        try:
            js = nc.jetstream()
            stream = stream_for_subject(subject)[0]
            deadline = time.monotonic() + 20
            while (await js.consumer_info(stream, durable)).ack_floor.stream_seq < seq:
                if time.monotonic() > deadline:
                    raise AssertionError(f"{durable} did not ack {subject} #{seq} within 20 s")
                await asyncio.sleep(0.05)
        finally:
            await nc.close()

    return wait


@dataclass(frozen=True)
class ScratchSchema:
    name: str
    url: str  # SQLAlchemy URL (superuser) for engines scoped to `name`


@pytest.fixture
async def scratch_schema(platform_engines: Stack) -> AsyncIterator[ScratchSchema]:
    """A fresh, empty schema for one test, dropped afterwards."""
    name = f"t_{secrets.token_hex(6)}"
    conn = await asyncpg.connect(platform_engines.superuser_dsn)
    try:
        await conn.execute(f'CREATE SCHEMA "{name}"')
        yield ScratchSchema(name, platform_engines.superuser_dsn.replace("postgresql://", "postgresql+asyncpg://"))
    finally:
        await conn.execute(f'DROP SCHEMA "{name}" CASCADE')
        await conn.close()


@contextlib.contextmanager
def serve_in_thread(app: object) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a free loopback port for the duration; yields its URL."""
    port = free_port()
    # An edge in tests: a client's X-Forwarded-For is never believed (nothing stands in front).
    # Idle connections kept as the services keep them (`shared.serve`): a gateway built in a
    # test reuses a pooled connection for 60 s.
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        host="127.0.0.1", port=port, log_config=None, lifespan="on", forwarded_allow_ips="",
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("in-thread server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
