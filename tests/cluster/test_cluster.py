"""The sensor loop on a 3-node JetStream cluster with R3 streams and two replicas of ingest,
brain and agro: one NATS node is SIGKILLed and restarted, and one brain replica is SIGKILLed,
while nodes post. Afterwards every acknowledged reading is stored once, every `ia` task exists
once, and the replicas shared the work.
"""

import asyncio
import dataclasses
import itertools
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

import asyncpg
import httpx
import nats
import pytest

from devstack.catalog import discover
from devstack.engines import Nats, restart_nats, start_nats_cluster
from devstack.processes import eventually, free_port
from devstack.pytest_plugin import TEST_ENV
from devstack.stack import Stack, StackConfig

FIELDS = 4
SENSORS = {"humedad_suelo": "%", "temperatura": "C", "ph": "pH", "luz": "lux", "co2": "ppm"}
REPLICATED = ("ingest", "brain", "agro")


@dataclass
class Cluster:
    stack: Stack
    servers: list[Nats]
    replicas: dict[str, str] = field(default_factory=dict)  # "brain-2" -> its URL


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    servers = start_nats_cluster(tmp_path / "nats")
    services = discover()
    urls = ",".join(server.url for server in servers)
    config = StackConfig.ephemeral(tmp_path / "suite", services, **TEST_ENV, STREAM_REPLICAS="3")
    config = dataclasses.replace(config, nats_url=urls)
    stack = Stack(config, services)
    try:
        stack.start()
        found = Cluster(stack, servers)
        for name in REPLICATED:
            port = free_port()
            stack.processes[f"{name}-2"] = stack.spawn_service(name, port, log_name=f"{name}-2")
            found.replicas[f"{name}-2"] = f"http://127.0.0.1:{port}"
        for url in found.replicas.values():
            assert eventually(partial(_ready, url), 60), f"{url} not ready"
        yield found
    finally:
        stack.stop()
        for server in servers:
            if server.process.poll() is None:
                server.stop()


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _answers_400(url: str, body: dict[str, object], token: str) -> bool:
    return httpx.post(url, json=body, headers={"Authorization": f"Node {token}"}).status_code == 400


def _setup(gateway: str, tenant_admin: dict[str, str]) -> list[tuple[int, str, str]]:
    """Fields planted yesterday with Cherry (humedad 60-80), one master node each. (Planted
    today, the first readings, stamped from half an hour ago, would predate the planting in
    the first half hour after midnight UTC: no stage, no rule, no task.)"""
    crops = httpx.get(f"{gateway}/api/cultivos/", headers=tenant_admin).json()
    tomate = next(c for c in crops if c["nombre"] == "Tomate")
    varieties = httpx.get(f"{gateway}/api/cultivos/{tomate['id']}/variedades/", headers=tenant_admin).json()
    cherry = next(v for v in varieties if v["nombre"] == "Cherry")
    nodes = []
    for i in range(FIELDS):
        body = {
            "nombre": f"C{i}",
            "tamano_hectareas": "1",
            "variedad_id": cherry["id"],
            "fecha_siembra": str(date.today() - timedelta(days=1)),
        }
        created = httpx.post(f"{gateway}/api/parcelas/", json=body, headers=tenant_admin)
        assert created.status_code == 201, created.text
        field_id = created.json()["parcela_id"]
        node = httpx.post(
            f"{gateway}/api/parcelas/{field_id}/nodos/create/", json={"codigo": f"NM-{i}"}, headers=tenant_admin
        )
        nodes.append((field_id, f"NM-{i}", node.json()["token"]))
    return nodes


class Posters(threading.Thread):
    """Each field's node posts in turn, alternating between the two ingest replicas."""

    def __init__(self, targets: list[str], nodes: list[tuple[int, str, str]]) -> None:
        super().__init__(daemon=True)
        self.targets, self.nodes = targets, nodes
        self.stop = threading.Event()
        self.posted: set[tuple[int, str, str]] = set()
        self.accepted: set[tuple[int, str, str]] = set()
        self.ack_times: list[float] = []
        self.statuses: dict[int, int] = {}
        self.start_at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)

    def run(self) -> None:
        with httpx.Client(timeout=10.0) as client:
            i = 0
            while not self.stop.is_set():
                field_id, code, token = self.nodes[i % len(self.nodes)]
                moment = (self.start_at + timedelta(seconds=i)).isoformat()
                soil = 10.0 if i < len(self.nodes) else 70.0  # one dry reading per field, first
                sensors = [{"sensor": s, "valor": soil if s == "humedad_suelo" else 20.0, "unidad": u}
                           for s, u in SENSORS.items()]  # fmt: skip
                body = {"codigo_nodo_maestro": code, "parcela_id": field_id, "timestamp": moment,
                        "lecturas": [{"nodo_codigo": "N1", "sensores": sensors}]}  # fmt: skip
                keys = {(field_id, moment, s) for s in SENSORS}
                self.posted |= keys
                try:
                    response = client.post(
                        f"{self.targets[i % 2]}/api/nodes/ingest/",
                        json=body,
                        headers={"Authorization": f"Node {token}"},
                    )
                    status = response.status_code
                except httpx.HTTPError:
                    status = 0
                self.statuses[status] = self.statuses.get(status, 0) + 1
                if status == 201:
                    self.accepted |= keys
                    self.ack_times.append(time.monotonic())
                i += 1
                time.sleep(0.005)

    def longest_gap(self) -> float:
        return max((b - a for a, b in itertools.pairwise(self.ack_times)), default=0.0)


def _metric(url: str, name: str) -> float:
    text = httpx.get(f"{url}/metrics", timeout=5).text
    return sum(float(m.group(1)) for m in re.finditer(rf"^{name}(?:{{[^}}]*}})? ([0-9.e+]+)$", text, re.M))


async def _state(dsn: str) -> tuple[set[tuple[int, str, str]], int, dict[int, int]]:
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetch("SELECT parcela_id, t, parametro FROM brain.readings")
        aggregated = await connection.fetchval("SELECT coalesce(sum(n), 0) FROM brain.hourly")
        tasks = await connection.fetch(
            "SELECT parcela_id, count(*) AS n FROM agro.tasks WHERE origen = 'ia' GROUP BY parcela_id"
        )
    finally:
        await connection.close()
    stored = {(r["parcela_id"], r["t"].astimezone(UTC).isoformat(), r["parametro"]) for r in rows}
    return stored, int(aggregated), {r["parcela_id"]: int(r["n"]) for r in tasks}


async def _replicas(urls: str) -> dict[str, int]:
    nc = await nats.connect(urls.split(","))
    try:
        js = nc.jetstream()
        return {name: (await js.stream_info(name)).config.num_replicas or 1 for name in ("INGEST", "AGRO", "BRAIN")}
    finally:
        await nc.close()


async def _drained(urls: str) -> bool:
    nc = await nats.connect(urls.split(","))
    try:
        info = await nc.jetstream().consumer_info("INGEST", "brain-readings")
        return bool(info.num_pending == 0 and info.num_ack_pending == 0)
    finally:
        await nc.close()


@pytest.mark.stack  # a cluster of its own: three NATS nodes, two replicas of three services
@pytest.mark.timeout(420)
def test_readings_survive_a_nats_node_and_a_brain_replica_dying(cluster: Cluster) -> None:
    stack = cluster.stack
    gateway = stack.url("gateway")
    account = {"email": "cluster@example.com", "password": "una-clave-segura"}
    assert httpx.post(f"{gateway}/users/", json=account).status_code == 200
    login = httpx.post(f"{gateway}/api/auth/login", json={"username": account["email"], **account})
    admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
    nodes = _setup(gateway, admin)
    ingest = [stack.url("ingest"), cluster.replicas["ingest-2"]]
    probe = {"codigo_nodo_maestro": nodes[-1][1], "parcela_id": nodes[-1][0], "lecturas": []}
    for url in ingest:  # both replicas know the last node
        knows_the_node = partial(_answers_400, f"{url}/api/nodes/ingest/", probe, nodes[-1][2])
        assert eventually(knows_the_node, 20)

    assert asyncio.run(_replicas(stack.nats_url)) == {"INGEST": 3, "AGRO": 3, "BRAIN": 3}

    posters = Posters(ingest, nodes)
    posters.start()
    time.sleep(3)
    brain_one_batches = _metric(stack.url("brain"), "brain_readings_batch_posts_count")
    victim = cluster.servers[0]
    victim.process.kill()  # SIGKILL a NATS node, whichever streams it leads
    victim.process.wait(5)
    time.sleep(2)
    stack.stop_service("brain", kill=True)  # and one brain replica, mid-batch or not
    time.sleep(4)
    cluster.servers[0] = restart_nats(victim)
    time.sleep(4)
    posters.stop.set()
    posters.join(30)

    unexpected = set(posters.statuses) - {201, 503, 0}
    assert not unexpected, posters.statuses
    assert len(posters.accepted) > 500, posters.statuses

    dsn = stack.superuser_dsn
    assert eventually(lambda: asyncio.run(_drained(stack.nats_url)), 90), "brain-2 did not take over the readings"
    stored, aggregated, tasks = asyncio.run(_state(dsn))
    assert posters.accepted <= stored  # every 201 stored ...
    assert stored <= posters.posted  # ... nothing made up ...
    assert aggregated == len(stored)  # ... each counted once
    # brain's suggestions reach agro as events after the readings are stored: wait for them,
    # then a moment more for any duplicate a redelivery would make.
    assert eventually(lambda: len(asyncio.run(_state(dsn))[2]) == FIELDS, 60), "agro never created the ia tasks"
    time.sleep(2)
    tasks = asyncio.run(_state(dsn))[2]
    assert sorted(tasks.values()) == [1] * FIELDS, tasks  # one `ia` task per field, not two

    brain_two_batches = _metric(cluster.replicas["brain-2"], "brain_readings_batch_posts_count")
    ingest_two = _metric(cluster.replicas["ingest-2"], "ingest_lecturas_total")
    ingest_one = _metric(stack.url("ingest"), "ingest_lecturas_total")
    assert brain_one_batches > 0
    assert brain_two_batches > 0
    assert ingest_one > 0
    assert ingest_two > 0
    print(
        f"cluster: posted {len(posters.posted)} readings, acknowledged {len(posters.accepted)}, stored {len(stored)}, "
        f"duplicates {aggregated - len(stored)}, longest gap in acknowledgements {posters.longest_gap():.2f} s, "
        f"answers {posters.statuses}; brain batches before the kill {brain_one_batches:.0f} (replica 1), "
        f"{brain_two_batches:.0f} (replica 2)"
    )
