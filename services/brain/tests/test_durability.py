"""No reading lost, none counted twice: brain killed and NATS restarted while nodes post.

A suite of its own (its own PostgreSQL, NATS and services), so the restarts disturb no other test.
"""

import asyncio
import threading
import time
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import nats
import pytest

from devstack.engines import start_nats
from devstack.stack import Stack
from devstack.waiting import eventually

SENSORS = {"humedad_suelo": "%", "temperatura": "C", "ph": "pH", "luz": "lux", "co2": "ppm"}
Key = tuple[str, str]  # (timestamp, sensor)


def _node(gateway: str) -> tuple[int, str, str]:
    """A new owner's field and master node: (field id, node code, node token)."""
    account = {"email": "durable@example.com", "password": "una-clave-segura"}
    assert httpx.post(f"{gateway}/users/", json=account).status_code == 200
    login = httpx.post(f"{gateway}/api/auth/login", json={"username": account["email"], **account})
    owner = {"Authorization": f"Bearer {login.json()['access_token']}"}
    field = httpx.post(f"{gateway}/api/parcelas/", json={"nombre": "P", "tamano_hectareas": "1"}, headers=owner)
    assert field.status_code == 201, field.text
    field_id = field.json()["parcela_id"]
    node = httpx.post(f"{gateway}/api/parcelas/{field_id}/nodos/create/", json={"codigo": "NM-1"}, headers=owner)
    assert node.status_code == 201, node.text
    return field_id, "NM-1", node.json()["token"]


class Poster(threading.Thread):
    """Posts one transmission after another (five sensors each) and records what each got."""

    def __init__(self, url: str, field_id: int, code: str, token: str) -> None:
        super().__init__(daemon=True)
        self.url, self.field_id, self.code = url, field_id, code
        self.headers = {"Authorization": f"Node {token}"}
        self.stop = threading.Event()
        self.posted: set[Key] = set()
        self.accepted: set[Key] = set()
        self.statuses: list[int] = []
        self.retry_after: list[str | None] = []
        self.start_at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)

    def run(self) -> None:
        with httpx.Client(timeout=10.0) as client:
            i = 0
            while not self.stop.is_set():
                moment = (self.start_at + timedelta(seconds=i)).isoformat()
                body = {
                    "codigo_nodo_maestro": self.code,
                    "parcela_id": self.field_id,
                    "timestamp": moment,
                    "lecturas": [
                        {
                            "nodo_codigo": "N1",
                            "sensores": [{"sensor": s, "valor": i, "unidad": u} for s, u in SENSORS.items()],
                        }
                    ],
                }
                keys = {(moment, s) for s in SENSORS}
                self.posted |= keys
                try:
                    response = client.post(self.url, json=body, headers=self.headers)
                except httpx.HTTPError:
                    self.statuses.append(0)
                else:
                    self.statuses.append(response.status_code)
                    if response.status_code == 201:
                        self.accepted |= keys
                    elif response.status_code == 503:
                        self.retry_after.append(response.headers.get("Retry-After"))
                i += 1
                time.sleep(0.01)


async def _stored(dsn: str, field_id: int) -> tuple[set[Key], int]:
    """The readings brain holds for the field, and the count its hourly aggregates add up to."""
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch("SELECT t, parametro FROM brain.readings WHERE parcela_id = $1", field_id)
        counted = await connection.fetchval(
            "SELECT coalesce(sum(n), 0) FROM brain.hourly WHERE parcela_id = $1", field_id
        )
    finally:
        await connection.close()
    return {(row["t"].astimezone(UTC).isoformat(), row["parametro"]) for row in rows}, int(counted)


async def _drained(nats_url: str) -> bool:
    nc = await nats.connect(nats_url)
    try:
        info = await nc.jetstream().consumer_info("INGEST", "brain-readings")
        return bool(info.num_pending == 0 and info.num_ack_pending == 0)
    finally:
        await nc.close()


@pytest.mark.timeout(300)
async def test_every_201_is_stored_exactly_once_across_a_brain_kill_and_a_nats_restart(isolated_stack: Stack) -> None:
    stack = isolated_stack
    gateway = stack.url("gateway")
    field_id, code, token = _node(gateway)
    probe = {"codigo_nodo_maestro": code, "parcela_id": field_id, "timestamp": "x", "lecturas": []}
    headers = {"Authorization": f"Node {token}"}

    async def knows_the_node() -> bool:
        async with httpx.AsyncClient(timeout=10.0) as client:
            response = await client.post(f"{gateway}/api/nodes/ingest/", json=probe, headers=headers)
        return response.status_code == 400

    await eventually(knows_the_node, "ingest to learn the node")

    poster = Poster(f"{gateway}/api/nodes/ingest/", field_id, code, token)
    poster.start()
    await asyncio.sleep(2)  # posting goes on around each disturbance below
    stack.stop_service("brain", kill=True)  # SIGKILL, wherever it is in a batch
    await asyncio.sleep(2)
    stack.start_service("brain")
    stack.wait_healthy("brain")
    await asyncio.sleep(2)
    assert stack.nats is not None
    port, folder = stack.nats.port, stack.nats.data_dir
    stack.nats.stop()
    # Longer than ingest's publish timeout (3 s): a post cannot just wait for the reconnection.
    await asyncio.sleep(4)
    stack.nats = start_nats(folder, port)

    async def ready() -> bool:
        async with httpx.AsyncClient(timeout=10.0) as client:
            answers = [await client.get(f"{stack.url(s)}/readyz") for s in ("ingest", "brain")]
        return all(response.status_code == 200 for response in answers)

    await eventually(ready, "ingest and brain ready again", seconds=30)
    await asyncio.sleep(3)
    poster.stop.set()
    poster.join(30)

    unexpected = sorted(set(poster.statuses) - {201, 503})
    assert not unexpected, f"answers other than 201 and 503: {unexpected}"
    assert poster.statuses.count(503) > 0, "NATS was down, yet nothing was refused"
    assert all(value and int(value) > 0 for value in poster.retry_after)
    assert len(poster.accepted) > 100

    dsn = stack.superuser_dsn

    async def caught_up() -> bool:
        return await _drained(stack.nats_url) and poster.accepted <= (await _stored(dsn, field_id))[0]

    await eventually(caught_up, "brain to store every acknowledged reading", seconds=60)
    stored, aggregated = await _stored(dsn, field_id)
    assert poster.accepted <= stored  # every 201 is stored ...
    assert stored <= poster.posted  # ... nothing made up ...
    assert aggregated == len(stored)  # ... and counted once in the aggregates
    print(
        f"posted {len(poster.posted)}, acknowledged {len(poster.accepted)}, stored {len(stored)}, "
        f"503s {poster.statuses.count(503)}"
    )
