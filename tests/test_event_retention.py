"""A bounded soak: under constant traffic the outbox and inbox stay flat, and nothing is lost.

Fields are created and deleted through the gateway for about 45 s, on a suite of its own whose
maintenance runs every second and keeps published outbox rows and inbox rows for 2 s (the
defaults are a minute, an hour and a day). Every service's outbox and inbox are counted every
few seconds: the live rows stay a small, steady fraction of the rows ever written. Afterwards
brain's read model holds exactly the fields the gateway acknowledged, as created or deleted,
and its consumers took every event once, with no redelivery and no dead letter.
"""

import asyncio
import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import nats
import pytest
from nats.js.errors import NotFoundError

from devstack.catalog import discover
from devstack.pytest_plugin import TEST_ENV
from devstack.stack import Stack, StackConfig
from devstack.waiting import eventually

TRAFFIC_SECONDS = 45.0
SAMPLE_SECONDS = 3.0
RETENTION = {"MAINTENANCE_INTERVAL_SECONDS": "1", "OUTBOX_RETENTION_SECONDS": "2", "INBOX_RETENTION_SECONDS": "2"}
BRAIN_DURABLES = ("brain-field-upserted", "brain-field-deleted")


@pytest.fixture
def soak_stack(tmp_path: Path) -> Iterator[Stack]:
    services = discover()
    retention = {spec.env_prefix + name: value for spec in services if spec.schema for name, value in RETENTION.items()}
    stack = Stack(StackConfig.ephemeral(tmp_path, services, **TEST_ENV, **retention), services)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


@dataclass
class Traffic:
    created: set[int] = field(default_factory=set)
    deleted: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Sample:
    at: float
    live: int  # outbox + inbox rows of every service
    written: int  # rows ever inserted into them (pg_stat_user_tables)
    tables: dict[str, int]  # live rows per table, for the failure's report


async def _owner(gateway: str) -> dict[str, str]:
    account = {"email": "soak@example.com", "password": "una-clave-segura"}
    async with httpx.AsyncClient(base_url=gateway, timeout=10.0) as client:
        assert (await client.post("/users/", json=account)).status_code == 200
        login = await client.post("/api/auth/login", json={"username": account["email"], **account})
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def _create_and_delete(gateway: str, owner: dict[str, str], traffic: Traffic, until: float) -> None:
    """One field created after another; each one deleted once the next exists."""
    async with httpx.AsyncClient(base_url=gateway, headers=owner, timeout=10.0) as client:
        previous: int | None = None
        while time.monotonic() < until:
            created = await client.post("/api/parcelas/", json={"nombre": "Soak", "tamano_hectareas": "1"})
            assert created.status_code == 201, created.text
            traffic.created.add(created.json()["parcela_id"])
            if previous is not None:
                deleted = await client.delete(f"/api/parcelas/{previous}/")
                assert deleted.status_code == 204, deleted.text
                traffic.deleted.add(previous)
            previous = created.json()["parcela_id"]


async def _sample(dsn: str, schemas: list[str]) -> Sample:
    connection = await asyncpg.connect(dsn)
    try:
        tables = {}
        for schema in schemas:
            for table in ("outbox", "inbox"):
                tables[f"{schema}.{table}"] = await connection.fetchval(f'SELECT count(*) FROM "{schema}".{table}')
        written = await connection.fetchval(
            "SELECT coalesce(sum(n_tup_ins), 0) FROM pg_stat_user_tables"
            " WHERE relname IN ('outbox', 'inbox') AND schemaname = ANY($1)",
            schemas,
        )
    finally:
        await connection.close()
    return Sample(time.monotonic(), sum(tables.values()), int(written), tables)


async def _brain_fields(dsn: str) -> tuple[set[int], set[int]]:
    """The fields brain knows: (live, deleted)."""
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch("SELECT parcela_id, deleted FROM brain.fields")
    finally:
        await connection.close()
    return {r["parcela_id"] for r in rows if not r["deleted"]}, {r["parcela_id"] for r in rows if r["deleted"]}


@pytest.mark.stack  # a suite of its own, with maintenance every second
@pytest.mark.timeout(300)
async def test_outbox_and_inbox_stay_flat_under_constant_traffic_and_every_event_is_consumed_once(
    soak_stack: Stack,
) -> None:
    stack = soak_stack
    gateway = stack.url("gateway")
    schemas = [spec.schema for spec in stack.services if spec.schema]
    owner = await _owner(gateway)
    traffic = Traffic()
    until = time.monotonic() + TRAFFIC_SECONDS
    posting = asyncio.create_task(_create_and_delete(gateway, owner, traffic, until))
    samples: list[Sample] = []
    while not posting.done():
        samples.append(await _sample(stack.superuser_dsn, schemas))
        await asyncio.wait({posting}, timeout=SAMPLE_SECONDS)
    await posting  # re-raises a refused request
    samples.append(await _sample(stack.superuser_dsn, schemas))

    report = [(round(s.at - samples[0].at), s.live, s.written) for s in samples]
    print(f"\nsoak: {len(traffic.created)} fields created, {len(traffic.deleted)} deleted; (s, live, written) {report}")
    print(f"soak: live rows per table at the peak {max(samples, key=lambda s: s.live).tables}")
    assert len(traffic.created) >= 50, "too little traffic to show anything"
    # Bounded: the rows alive at any moment are fewer than were written in the 12 s before it
    # (they are kept 2 s, cleaned every second), whatever the rate; unbounded, they would be
    # every row written so far.
    for earlier, later in zip(samples, samples[round(12 / SAMPLE_SECONDS) :], strict=False):
        assert later.live <= later.written - earlier.written, report
    assert samples[-1].live <= samples[-1].written / 4, report

    # Nothing lost: brain ends up with exactly what the gateway acknowledged.
    expected = (traffic.created - traffic.deleted, traffic.deleted)

    async def consistent() -> bool:
        return await _brain_fields(stack.superuser_dsn) == expected

    await eventually(consistent, "brain's fields to match the acknowledged creations and deletions", seconds=30)
    # ... and consumed once: every event acked, none redelivered, none dead-lettered.
    nc = await nats.connect(stack.nats_url)
    try:
        js = nc.jetstream()
        for durable in BRAIN_DURABLES:
            info = await js.consumer_info("AGRO", durable)
            assert (info.num_pending, info.num_ack_pending, info.num_redelivered) == (0, 0, 0), (durable, info)
            assert info.delivered.stream_seq == info.ack_floor.stream_seq, (durable, info)
        with contextlib.suppress(NotFoundError):  # no stream: nothing was ever dead-lettered
            dead = await js.stream_info("DEADLETTER", subjects_filter="deadletter.brain-field-*")
            assert not dead.state.subjects, dead.state.subjects
    finally:
        await nc.close()
