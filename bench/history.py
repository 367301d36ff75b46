"""Brain's history API with 10 million readings stored.

Starts its own engines and services on free ports, registers one real field (so brain knows
who may read it), then loads --readings readings straight into brain's tables with COPY
(100 fields x 10 parameters every 5 minutes, the real field among them) and builds the
hourly aggregates brain keeps as readings arrive. Then it asks the gateway, one request at
a time, for hourly history over 30 days of one field and parameter (target p50 < 150 ms),
and for the other shapes for comparison. The last line is the summary.
Usage: .venv/bin/python bench/history.py [--readings 10000000] [--requests 200]
"""

import argparse
import asyncio
import secrets
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _suite import UNLIMITED, suite

from brain.retention import service as retention
from devstack.stack import Stack
from shared.db import create_engine, create_sessionmaker

PARAMETERS = ["humedad_suelo", "temperatura", "ph", "luz", "co2", "humedad_aire", "presion", "conductividad",
              "velocidad_viento", "radiacion_solar"]  # fmt: skip
FIELDS = 100
STEP = timedelta(minutes=5)


async def register_field(gateway: str) -> tuple[int, dict[str, str]]:
    email, password = f"history-{secrets.token_hex(4)}@example.com", "bench-password"
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:
        await client.post("/users/", json={"email": email, "password": password})
        login = await client.post("/api/auth/login", json={"username": email, "password": password})
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        field = await client.post(
            "/api/parcelas/", json={"nombre": "Historia", "tamano_hectareas": "3"}, headers=headers
        )
        field_id = int(field.json()["parcela_id"])
        while (await client.get(f"/api/brain/history/?parcela_id={field_id}", headers=headers)).status_code != 200:
            await asyncio.sleep(0.1)  # brain learns the field from agro's event
    return field_id, headers


async def partitions(dsn: str, first: date, last: date) -> float:
    """brain's own function makes a partition for each day of the range; returns seconds."""
    engine = create_engine(dsn.replace("postgresql://", "postgresql+asyncpg://"), schema="brain")
    sessionmaker = create_sessionmaker(engine)
    started = time.perf_counter()
    try:
        for offset in range((last - first).days + 1):
            async with sessionmaker() as session, session.begin():  # a transaction each: few locks held
                await retention.ensure_partitions(session, days=[first + timedelta(days=offset)])
    finally:
        await engine.dispose()
    return time.perf_counter() - started


async def roll_up(connection: asyncpg.Connection) -> None:
    """The hourly and daily aggregates brain keeps as readings arrive, built at once after a COPY."""
    await connection.execute("""
        INSERT INTO brain.hourly (parcela_id, parametro, hour, n, total, lo, hi)
        SELECT parcela_id, parametro, date_trunc('hour', t), count(*), sum(valor), min(valor), max(valor)
        FROM brain.readings GROUP BY 1, 2, 3
        ON CONFLICT (parcela_id, parametro, hour) DO NOTHING
    """)
    await connection.execute("""
        INSERT INTO brain.daily (parcela_id, parametro, day, n, total, lo, hi)
        SELECT parcela_id, parametro, date_trunc('day', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
            sum(n), sum(total), min(lo), max(hi)
        FROM brain.hourly GROUP BY 1, 2, 3
        ON CONFLICT (parcela_id, parametro, day) DO NOTHING
    """)
    await connection.execute("ANALYZE brain.readings; ANALYZE brain.hourly; ANALYZE brain.daily")


async def load(dsn: str, field_id: int, tenant_id: int, readings: int) -> tuple[int, float]:
    """COPY `readings` rows (ending now) and build their hourly aggregates; returns (rows, seconds)."""
    per_series = readings // (FIELDS * len(PARAMETERS))
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    start = end - STEP * per_series
    fields = [field_id] + [10_000_000 + i for i in range(FIELDS - 1)]
    await partitions(dsn, start.date(), end.date())  # readings are partitioned by day: COPY needs them
    connection = await asyncpg.connect(dsn)
    started = time.perf_counter()
    try:
        for parcela in fields:
            rows = [
                (parcela, parameter, start + STEP * i, "N1", 20.0 + (i % 288) / 10, "%", tenant_id)
                for parameter in PARAMETERS
                for i in range(per_series)
            ]
            await connection.copy_records_to_table(
                "readings", schema_name="brain", records=rows,
                columns=["parcela_id", "parametro", "t", "nodo_codigo", "valor", "unidad", "tenant_id"],
            )  # fmt: skip
        await roll_up(connection)
        total = await connection.fetchval("SELECT count(*) FROM brain.readings")
    finally:
        await connection.close()
    return int(total), time.perf_counter() - started


def timed(client: httpx.Client, url: str, headers: dict[str, str], requests: int) -> tuple[float, float, int]:
    latencies = []
    points = 0
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        latencies.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
        body = response.json()
        points = len(body.get("series", body.get("points", [])))
    latencies.sort()
    return statistics.median(latencies), latencies[int(len(latencies) * 0.99) - 1], points


def measure(stack: Stack, args: argparse.Namespace) -> None:
    gateway = stack.url("gateway")
    field_id, headers = asyncio.run(register_field(gateway))
    tenant_id = 0  # the loaded rows' tenant is not read by the history API (the field's is)
    total, seconds = asyncio.run(load(stack.superuser_dsn, field_id, tenant_id, args.readings))
    print(f"loaded {total:,} readings ({FIELDS} fields x {len(PARAMETERS)} parameters every 5 min) "
          f"and their hourly aggregates in {seconds:.0f} s")  # fmt: skip
    now = datetime.now(UTC)
    month = f"from={(now - timedelta(days=30)).isoformat()}&to={now.isoformat()}".replace("+00:00", "Z")
    day = f"from={(now - timedelta(days=1)).isoformat()}&to={now.isoformat()}".replace("+00:00", "Z")
    base = f"/api/brain/history/?parcela_id={field_id}&parametro=humedad_suelo"
    cases = [
        ("hourly, 30 days, one parameter", f"{base}&bucket=hour&{month}"),
        ("daily, 30 days, America/Lima", f"{base}&bucket=day&tz=America/Lima&{month}"),
        ("daily, 30 days, Asia/Kolkata (from readings)", f"{base}&bucket=day&tz=Asia/Kolkata&{month}"),
        ("hourly, 30 days, every parameter", f"/api/brain/history/?parcela_id={field_id}&bucket=hour&{month}"),
        ("by minute, 1 day", f"{base}&bucket=minute&{day}"),
        ("series, 1 day", f"/api/brain/series/?parcela_id={field_id}&parametro=humedad_suelo&{day}"),
    ]
    print(f"-- through the gateway, one request at a time, {args.requests} requests each")
    results = {}
    with httpx.Client(base_url=gateway, timeout=30) as client:
        for label, url in cases:
            p50, p99, points = timed(client, url, headers, args.requests)
            results[label] = p50
            print(f"{label:<46} p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   ({points} points)")
    print(f"history: p50 {results[cases[0][0]]:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--readings", type=int, default=10_000_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with suite(GATEWAY_RATE_LIMIT_PER_MINUTE=UNLIMITED) as stack:
        measure(stack, args)


if __name__ == "__main__":
    main()
