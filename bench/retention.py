"""A year of readings kept per plan: brain's partitions, roll-ups and retention, then history.

Starts its own engines and services on free ports (brain's scheduled maintenance off, so that
it runs only when measured), registers one real field (so brain knows who may read it), then:
- has brain make a partition for every day of the past year (`brain.retention`, as its store
  does for a day it has none for), and loads --days of readings ending now straight into
  `brain.readings` with COPY: 100 fields x --parameters parameters, one reading every
  --every minutes (60: the Básico plan's `frecuencia_minutos`), the real field among them;
  builds the hourly and daily aggregates brain keeps as readings arrive (3,504,000 readings
  by default, 2.5 to 3 minutes in all on the shared 2-core machine; `--parameters 2 --every 180`,
  8 a day as the Básico plan's daily limit allows, loads 584,000 in about one);
- runs brain's two maintenance jobs once, timed (`readings.partitions` drops every day past
  the default 30 days of raw readings; `readings.aggregates` prunes hours past 12 months);
- asks the gateway, one request at a time, for a year of daily history of one field and
  parameter (target p50 < 50 ms), and other shapes for comparison.
Prints the sizes before and after maintenance; the last line is the summary.
Usage: .venv/bin/python bench/retention.py [--days 365] [--parameters 4] [--every 60] [--requests 100]
"""

import argparse
import asyncio
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _suite import UNLIMITED, suite
from history import PARAMETERS, partitions, register_field, roll_up

from brain.retention import service as retention
from devstack.stack import Stack
from shared.db import create_engine, create_sessionmaker

FIELDS = 100

SIZES = """
    SELECT count(*) FILTER (WHERE c.relname LIKE 'readings_p%'),
        coalesce(sum(pg_total_relation_size(c.oid)), 0)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'brain' AND c.relkind = 'r'
        AND (c.relname LIKE 'readings_p%' OR c.relname IN ('hourly', 'daily'))
"""


async def load(dsn: str, field_id: int, args: argparse.Namespace) -> tuple[int, float, float]:
    """COPY the readings and build their hourly and daily aggregates; (rows, seconds to COPY, in all)."""
    step = timedelta(minutes=args.every)
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    per_series = int(timedelta(days=args.days) / step)
    start = end - step * per_series
    parameters = PARAMETERS[: args.parameters]
    fields = [field_id] + [10_000_000 + i for i in range(FIELDS - 1)]
    connection = await asyncpg.connect(dsn)
    started = time.perf_counter()
    try:
        for parcela in fields:
            rows = [
                (parcela, parameter, start + step * i, "N1", 20.0 + (i % 24) / 10, "%", 0)
                for parameter in parameters
                for i in range(per_series)
            ]
            await connection.copy_records_to_table(
                "readings", schema_name="brain", records=rows,
                columns=["parcela_id", "parametro", "t", "nodo_codigo", "valor", "unidad", "tenant_id"],
            )  # fmt: skip
        copied = time.perf_counter() - started
        await roll_up(connection)
        total = await connection.fetchval("SELECT count(*) FROM brain.readings")
    finally:
        await connection.close()
    return int(total), copied, time.perf_counter() - started


async def sizes(dsn: str) -> tuple[int, int, float]:
    """(raw rows, raw partitions, MB of the partitions, `hourly` and `daily` with their indexes)."""
    connection = await asyncpg.connect(dsn)
    try:
        rows = await connection.fetchval("SELECT count(*) FROM brain.readings")
        count, size = await connection.fetchrow(SIZES)
    finally:
        await connection.close()
    return int(rows), int(count), float(size) / 1e6


async def maintenance(dsn: str) -> tuple[int, float]:
    """brain's two jobs, once each, as its runner calls them; returns (rows removed, seconds)."""
    engine = create_engine(dsn.replace("postgresql://", "postgresql+asyncpg://"), schema="brain")
    sessionmaker = create_sessionmaker(engine)
    started = time.perf_counter()
    try:
        removed = await retention.keep_partitions(sessionmaker) + await retention.prune_aggregates(sessionmaker)
    finally:
        await engine.dispose()
    return removed, time.perf_counter() - started


def timed(client: httpx.Client, url: str, headers: dict[str, str], requests: int) -> tuple[float, float, int, str]:
    latencies = []
    body: dict[str, object] = {}
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        latencies.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
        body = response.json()
    latencies.sort()
    points = body.get("series", body.get("points", []))
    count = len(points) if isinstance(points, list) else 0
    return statistics.median(latencies), latencies[int(len(latencies) * 0.99) - 1], count, str(body.get("nivel"))


def measure(stack: Stack, args: argparse.Namespace) -> None:
    gateway, dsn = stack.url("gateway"), stack.superuser_dsn
    field_id, headers = asyncio.run(register_field(gateway))
    today = datetime.now(UTC).date()
    made = asyncio.run(partitions(dsn, today - timedelta(days=args.days + 1), today))
    total, copied, seconds = asyncio.run(load(dsn, field_id, args))
    print(f"loaded {total:,} readings ({FIELDS} fields x {args.parameters} parameters every {args.every} min "
          f"for {args.days} days) and their hourly and daily aggregates in {seconds:.0f} s "
          f"(COPY {copied:.0f} s; the year's partitions made first in {made:.1f} s)")  # fmt: skip
    rows, count, megabytes = asyncio.run(sizes(dsn))
    print(f"before maintenance: raw {rows:,} rows in {count} partitions, tables {megabytes:,.0f} MB")
    removed, took = asyncio.run(maintenance(dsn))
    rows, count, megabytes = asyncio.run(sizes(dsn))
    print(f"after maintenance ({took:.1f} s, {removed:,} rows removed, estimated for partitions): "
          f"raw {rows:,} rows in {count} partitions, tables {megabytes:,.0f} MB")  # fmt: skip

    now = datetime.now(UTC)

    def span(days: int) -> str:
        return f"from={(now - timedelta(days=days)).isoformat()}&to={now.isoformat()}".replace("+00:00", "Z")

    base = f"/api/brain/history/?parcela_id={field_id}&parametro={PARAMETERS[0]}"
    cases = [
        ("daily, 365 days, one parameter", f"{base}&bucket=day&{span(365)}"),
        ("daily, 365 days, America/Lima", f"{base}&bucket=day&tz=America/Lima&{span(365)}"),
        ("hourly, 60 days (past raw: from hours)", f"{base}&bucket=hour&{span(60)}"),
        ("series, 7 days", f"/api/brain/series/?parcela_id={field_id}&parametro={PARAMETERS[0]}&{span(7)}"),
    ]
    print(f"-- through the gateway, one request at a time, {args.requests} requests each")
    results = {}
    with httpx.Client(base_url=gateway, timeout=30) as client:
        for label, url in cases:
            p50, p99, points, nivel = timed(client, url, headers, args.requests)
            results[label] = p50
            print(f"{label:<40} p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   ({points} points, nivel {nivel})")
    print(
        f"retention: raw {rows} rows, tables {megabytes:.0f} MB, year history p50 {results[cases[0][0]]:.1f} ms, "
        f"maintenance {took:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--parameters", type=int, default=4, choices=range(1, len(PARAMETERS) + 1))
    parser.add_argument("--every", type=int, default=60, help="minutes between two readings of a sensor")
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    with suite(GATEWAY_RATE_LIMIT_PER_MINUTE=UNLIMITED, BRAIN_MAINTENANCE_ENABLED="false") as stack:
        measure(stack, args)


if __name__ == "__main__":
    main()
