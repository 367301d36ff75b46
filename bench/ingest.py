"""The sensor loop under load: simulated master nodes posting batches through the gateway.

Starts its own engines and services on free ports (like the tests), registers fields planted
with a variety (so brain evaluates rules) and one master node each, then:

1. throughput: every node posts batches of 100 readings (10 secondary nodes x 10 sensors),
   as fast as the suite accepts them, for --seconds; brain's consumer lag is sampled twice a
   second (the age of the oldest reading JetStream holds that brain has not stored);
2. sustained: --sustained-rate readings/s offered, paced, for --sustained-seconds, brain's lag
   sampled until it has caught up. Step 1 measures what ingest accepts; brain may store less
   (the "brain stores" figure: every reading of step 1 over the time until the last was
   stored), so whether the whole pipeline keeps up with a rate is this step's lag;
3. post-to-task: --task-rate readings/s for --task-seconds, during which each field gets one
   reading below its rule's minimum; the time from that post to agro's `ia` task is measured
   from the task's creation time;
4. ceilings: raw JetStream publishing with nats-py and raw asyncpg COPY of reading rows, on the
   same machine, and the ratio of the suite's throughput to each.

Targets on the 2-core machine (issue 25): 30,000 readings/s for 60 s with lag p99 under 1 s
(step 2); post-to-task p99 under 500 ms at 2,000 readings/s. "CPU per post" (each process
tree's CPU time while posting, over the posts accepted) says what a post costs even on a busy
machine.
Everything (engines, services, this load generator) shares the same cores. The last line is the
summary.
Usage: .venv/bin/python bench/ingest.py [--seconds 60] [--fields 100] [--concurrency 16]
       [--sustained-rate 30000] [--sustained-seconds 60]
"""

import argparse
import asyncio
import json
import random
import secrets
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import nats

sys.path.insert(0, str(Path(__file__).parent))
from _load import read_response
from _suite import UNLIMITED, CpuMeter, suite

from devstack.stack import Stack

SECONDARIES = [f"N{i}" for i in range(1, 11)]
SENSORS = {
    "humedad_suelo": ("%", 70.0), "temperatura": ("C", 24.0), "ph": ("pH", 6.5), "luz": ("lux", 20000.0),
    "co2": ("ppm", 410.0), "humedad_aire": ("%", 60.0), "presion": ("hPa", 1012.0),
    "conductividad": ("dS/m", 1.2), "velocidad_viento": ("m/s", 3.0), "radiacion_solar": ("W/m2", 500.0),
}  # fmt: skip
READINGS_PER_POST = len(SECONDARIES) * len(SENSORS)


@dataclass(frozen=True)
class Node:
    parcela_id: int
    codigo: str
    token: str


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else float("nan")


def body(node: Node, moment: datetime, soil: float = 70.0) -> bytes:
    sensors = [{"sensor": name, "valor": value, "unidad": unit} for name, (unit, value) in SENSORS.items()]
    sensors[0] = {"sensor": "humedad_suelo", "valor": soil, "unidad": "%"}
    payload = {
        "codigo_nodo_maestro": node.codigo,
        "parcela_id": node.parcela_id,
        "timestamp": moment.isoformat(),
        "lecturas": [{"nodo_codigo": code, "sensores": sensors} for code in SECONDARIES],
    }
    return json.dumps(payload).encode()


class Poster:
    """Raw keep-alive HTTP/1.1 POSTs to /api/nodes/ingest/ (httpx would cost more CPU than the servers)."""

    def __init__(self, gateway: str) -> None:
        parts = urlsplit(gateway)
        self.host, self.port, self.netloc = parts.hostname, parts.port, parts.netloc

    async def connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection(self.host, self.port)

    async def post(self, stream: tuple[asyncio.StreamReader, asyncio.StreamWriter], node: Node, data: bytes) -> int:
        reader, writer = stream
        head = (
            f"POST /api/nodes/ingest/ HTTP/1.1\r\nHost: {self.netloc}\r\nAuthorization: Node {node.token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
        ).encode()
        writer.write(head + data)
        return await read_response(reader)


@dataclass
class Throughput:
    posts: int = 0
    errors: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0
    lag_samples: list[float] = field(default_factory=list)
    # CPU milliseconds per post of each process tree (and this load generator) while posting:
    # what a post costs whatever else the machine runs, unlike readings/s.
    cpu_per_post: dict[str, float] = field(default_factory=dict)
    drained: float = 0.0  # seconds from the first post until brain had stored the last

    @property
    def readings_per_second(self) -> float:
        return self.posts * READINGS_PER_POST / self.seconds

    @property
    def stored_per_second(self) -> float:
        return self.posts * READINGS_PER_POST / self.drained


async def setup(stack: Stack, fields: int) -> list[Node]:
    gateway = stack.url("gateway")
    email, password = f"bench-{secrets.token_hex(4)}@example.com", "bench-password"
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:
        await client.post("/users/", json={"email": email, "password": password})
        token = (await client.post("/api/auth/login", json={"username": email, "password": password})).json()
        owner = {"Authorization": f"Bearer {token['access_token']}"}
        crops = (await client.get("/api/cultivos/", headers=owner)).json()
        tomate = next(c for c in crops if c["nombre"] == "Tomate")
        varieties = (await client.get(f"/api/cultivos/{tomate['id']}/variedades/", headers=owner)).json()
        cherry = next(v for v in varieties if v["nombre"] == "Cherry")
        nodes = []
        for i in range(fields):
            created = await client.post(
                "/api/parcelas/",
                json={"nombre": f"Bench {i}", "tamano_hectareas": "1", "variedad_id": cherry["id"],
                      "fecha_siembra": date.today().isoformat()},
                headers=owner,
            )  # fmt: skip
            parcela_id = created.json()["parcela_id"]
            node = await client.post(
                f"/api/parcelas/{parcela_id}/nodos/create/", json={"codigo": f"NM-{i}"}, headers=owner
            )
            nodes.append(Node(parcela_id, f"NM-{i}", node.json()["token"]))
        # Ingest learns nodes from agro's events: wait for the last one.
        probe = {"codigo_nodo_maestro": nodes[-1].codigo, "parcela_id": nodes[-1].parcela_id, "lecturas": []}
        headers = {"Authorization": f"Node {nodes[-1].token}"}
        while (await client.post("/api/nodes/ingest/", json=probe, headers=headers)).status_code == 401:
            await asyncio.sleep(0.1)
    return nodes


async def consumer_lag(js: Any) -> float:
    """Seconds since the oldest reading brain has not stored yet entered JetStream (0 when caught up)."""
    info = await js.consumer_info("INGEST", "brain-readings")
    if info.num_pending == 0 and info.num_ack_pending == 0:
        return 0.0
    oldest = await js.get_msg("INGEST", info.ack_floor.stream_seq + 1)
    return max(0.0, time.time() - oldest.time.timestamp()) if oldest.time else 0.0


async def sample_lag(nats_url: str, samples: list[float], stop: asyncio.Event) -> None:
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    try:
        while not stop.is_set():
            try:
                samples.append(await consumer_lag(js))
            except Exception:  # a message acked between the two calls: sample again
                pass
            await asyncio.sleep(0.5)
    finally:
        await nc.close()


async def throughput(stack: Stack, nodes: list[Node], seconds: float, concurrency: int) -> Throughput:
    poster = Poster(stack.url("gateway"))
    result = Throughput()
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_lag(stack.nats_url, result.lag_samples, stop))
    counter = iter(range(10**12))

    async def worker(deadline: float) -> None:
        stream = await poster.connect()
        try:
            while time.perf_counter() < deadline:
                node = nodes[next(counter) % len(nodes)]
                status = await poster.post(stream, node, body(node, datetime.now(UTC)))
                if status == 201:
                    result.posts += 1
                else:
                    result.errors[status] = result.errors.get(status, 0) + 1
        finally:
            stream[1].close()

    meter = CpuMeter(stack)
    own_before = time.process_time()  # this process alone: the services are its children
    started = time.perf_counter()
    await asyncio.gather(*(worker(started + seconds) for _ in range(concurrency)))
    result.seconds = time.perf_counter() - started
    spent = meter.spent()
    spent["load generator"] = time.process_time() - own_before
    result.cpu_per_post = {name: cpu * 1000 / max(1, result.posts) for name, cpu in spent.items()}
    await caught_up(stack, result.lag_samples)
    result.drained = time.perf_counter() - started
    stop.set()
    await sampler
    return result


async def caught_up(stack: Stack, samples: list[float]) -> None:
    """Keep sampling brain's lag until it has stored everything posted."""
    js = (nc := await nats.connect(stack.nats_url)).jetstream()
    try:
        while (lag := await consumer_lag(js)) > 0:
            samples.append(lag)
            await asyncio.sleep(0.5)
    finally:
        await nc.close()


async def paced_posts(
    stack: Stack, nodes: list[Node], rate: float, seconds: float, dry_at: dict[int, Node] | None = None
) -> tuple[int, dict[int, float]]:
    """Posts at `rate` readings/s for `seconds` (each of `dry_at`'s posts one dry reading for its
    field): the posts accepted, and when each dry post was sent, by field."""
    poster = Poster(stack.url("gateway"))
    posts_per_second = rate / READINGS_PER_POST
    total = int(posts_per_second * seconds)
    dry_at = dry_at or {}
    sent: dict[int, float] = {}
    accepted = 0
    streams = [await poster.connect() for _ in range(16)]
    lock = [asyncio.Lock() for _ in streams]
    started = time.perf_counter()

    async def one(i: int) -> None:
        nonlocal accepted
        async with lock[i % len(streams)]:
            node = dry_at.get(i, nodes[i % len(nodes)])
            moment = datetime.now(UTC)
            if i in dry_at:
                sent[node.parcela_id] = moment.timestamp()
            status = await poster.post(
                streams[i % len(streams)], node, body(node, moment, soil=10.0 if i in dry_at else 70.0)
            )
            accepted += status == 201

    pending: list[asyncio.Task[None]] = []
    for i in range(total):
        await asyncio.sleep(max(0.0, started + i / posts_per_second - time.perf_counter()))
        pending.append(asyncio.create_task(one(i)))
    await asyncio.gather(*pending)
    for _, writer in streams:
        writer.close()
    return accepted, sent


async def sustained(stack: Stack, nodes: list[Node], rate: float, seconds: float) -> tuple[float, list[float]]:
    """Readings accepted per second when `rate` is offered, and brain's lag meanwhile (sampled
    until it has caught up): whether the pipeline, not just ingest, keeps up with that rate."""
    samples: list[float] = []
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_lag(stack.nats_url, samples, stop))
    started = time.perf_counter()
    accepted, _ = await paced_posts(stack, nodes, rate, seconds)
    elapsed = time.perf_counter() - started
    await caught_up(stack, samples)
    stop.set()
    await sampler
    return accepted * READINGS_PER_POST / elapsed, samples


async def post_to_task(stack: Stack, nodes: list[Node], rate: float, seconds: float) -> list[float]:
    """Paced posts at `rate` readings/s; each field gets one dry reading at a random moment."""
    total = int(rate / READINGS_PER_POST * seconds)
    dry_at = dict(zip(random.sample(range(total), min(len(nodes), total)), nodes, strict=False))
    _, sent = await paced_posts(stack, nodes, rate, seconds, dry_at)
    await asyncio.sleep(3)  # the last suggestions on their way
    connection = await asyncpg.connect(stack.superuser_dsn)
    try:
        rows = await connection.fetch(
            "SELECT parcela_id, extract(epoch FROM created_at) AS at FROM agro.tasks WHERE origen = 'ia'"
        )
    finally:
        await connection.close()
    return [(float(row["at"]) - sent[row["parcela_id"]]) * 1000 for row in rows if row["parcela_id"] in sent]


async def post_to_stored(stack: Stack) -> tuple[float, float, int]:
    connection = await asyncpg.connect(stack.superuser_dsn)
    try:
        row = await connection.fetchrow(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM stored_at - t)) AS p50,"
            " percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM stored_at - t)) AS p99,"
            " count(*) AS n FROM brain.readings"
        )
    finally:
        await connection.close()
    return float(row["p50"]) * 1000, float(row["p99"]) * 1000, int(row["n"])


async def jetstream_ceiling(nats_url: str, seconds: float) -> float:
    """Readings/s when publishing post-sized messages (100 readings) straight to JetStream with nats-py."""
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    await js.add_stream(name="BENCHCEILING", subjects=["benchceiling.>"])
    sensors = [{"sensor": name, "valor": value, "unidad": unit} for name, (unit, value) in SENSORS.items()]
    lectura = {
        "parcela_id": 1,
        "codigo_nodo_maestro": "NM-1",
        "nodo_codigo": "N1",
        "timestamp": "x",
        "sensores": sensors,
    }
    envelope = {"id": "0" * 36, "type": "ingest.reading.received", "occurred_at": "x", "tenant_id": 1,
                "source": "ingest", "request_id": "0" * 32, "data": lectura}  # fmt: skip
    payload = json.dumps(envelope).encode()
    sent = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        await asyncio.gather(*(js.publish("benchceiling.x", payload) for _ in range(100)))
        sent += 100
    elapsed = time.perf_counter() - started
    await js.delete_stream("BENCHCEILING")
    await nc.close()
    return sent * READINGS_PER_POST / elapsed


async def copy_ceiling(dsn: str, seconds: float) -> float:
    """Reading rows/s with asyncpg COPY into an unlogged copy of brain's readings table."""
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("CREATE TEMP TABLE bench_readings (LIKE brain.readings INCLUDING ALL)")
        now = datetime.now(UTC)
        rows = 0
        started = time.perf_counter()
        while time.perf_counter() - started < seconds:
            batch = [(1, "humedad_suelo", now.replace(microsecond=0) , f"N{rows + i}", 1.0, "%", 1, now)
                     for i in range(1000)]  # fmt: skip
            await connection.copy_records_to_table("bench_readings", records=batch)
            rows += len(batch)
        return rows / (time.perf_counter() - started)
    finally:
        await connection.close()


async def measure(stack: Stack, args: argparse.Namespace) -> None:
    nodes = await setup(stack, args.fields)
    print(f"{len(nodes)} fields, one master node each; {READINGS_PER_POST} readings per post "
          f"({len(SECONDARIES)} secondary nodes x {len(SENSORS)} sensors); all on the same cores")  # fmt: skip
    run = await throughput(stack, nodes, args.seconds, args.concurrency)
    stored_p50, stored_p99, stored = await post_to_stored(stack)
    lag_p99 = percentile(run.lag_samples, 0.99)
    print(f"-- throughput, {args.concurrency} concurrent posters, {run.seconds:.0f} s")
    print(f"accepted: {run.readings_per_second:,.0f} readings/s ({run.posts / run.seconds:,.0f} posts/s), "
          f"refused: {run.errors or 'none'}; stored {stored:,} readings")  # fmt: skip
    print(f"brain consumer lag: p50 {percentile(run.lag_samples, 0.5):.2f} s, p99 {lag_p99:.2f} s, "
          f"max {max(run.lag_samples, default=0):.2f} s   (target p99 < 1 s)")  # fmt: skip
    print(f"post to stored: p50 {stored_p50:.0f} ms, p99 {stored_p99:.0f} ms; brain stored "
          f"{run.stored_per_second:,.0f} readings/s (the last {run.drained:.0f} s after the first post)")  # fmt: skip
    costs = sorted(run.cpu_per_post.items(), key=lambda item: -item[1])
    print(f"CPU per post: {sum(run.cpu_per_post.values()):.1f} ms ("
          + ", ".join(f"{name} {ms:.2f}" for name, ms in costs if ms >= 0.05) + ")")  # fmt: skip
    kept_rate, kept_lag = await sustained(stack, nodes, args.sustained_rate, args.sustained_seconds)
    kept_p99 = percentile(kept_lag, 0.99)
    print(f"-- sustained: {args.sustained_rate:,.0f} readings/s offered for {args.sustained_seconds:.0f} s: "
          f"accepted {kept_rate:,.0f}/s, brain consumer lag p50 {percentile(kept_lag, 0.5):.2f} s, "
          f"p99 {kept_p99:.2f} s (target p99 < 1 s)")  # fmt: skip
    latencies = await post_to_task(stack, nodes, args.task_rate, args.task_seconds)
    task_p99 = percentile(latencies, 0.99)
    print(f"-- post to ia task at {args.task_rate:,.0f} readings/s for {args.task_seconds:.0f} s: "
          f"{len(latencies)} tasks, p50 {percentile(latencies, 0.5):.0f} ms, p99 {task_p99:.0f} ms "
          "(target p99 < 500 ms)")  # fmt: skip
    js_ceiling = await jetstream_ceiling(stack.nats_url, 5)
    copy = await copy_ceiling(stack.superuser_dsn, 5)
    print("-- ceilings on this machine")
    print(f"raw JetStream publish (nats-py, post-sized messages, 100 in flight): {js_ceiling:,.0f} readings/s; "
          f"the suite reaches {run.readings_per_second / js_ceiling:.0%}")  # fmt: skip
    print(
        f"raw asyncpg COPY of reading rows: {copy:,.0f} rows/s; the suite reaches {run.readings_per_second / copy:.0%}"
    )
    rate = run.readings_per_second
    print(f"ingest: {rate:,.0f} readings/s accepted, brain stores {run.stored_per_second:,.0f}/s; "
          f"{kept_rate:,.0f}/s sustained, lag p99 {kept_p99:.1f} s, post-to-task p99 {task_p99:.0f} ms")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--fields", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--sustained-rate", type=float, default=30000.0)
    parser.add_argument("--sustained-seconds", type=float, default=60.0)
    parser.add_argument("--task-rate", type=float, default=2000.0)
    parser.add_argument("--task-seconds", type=float, default=20.0)
    args = parser.parse_args()
    # Setting up a hundred fields takes more than the gateway's 60 requests a minute.
    with suite(GATEWAY_RATE_LIMIT_PER_MINUTE=UNLIMITED) as stack:
        asyncio.run(measure(stack, args))


if __name__ == "__main__":
    main()
