"""Gateway overhead: a small authenticated GET straight to auth and through the gateway.

Starts its own engines and services on free ports (like the tests), then prints req/s and
p50/p99 of both paths and their ratio, from the Python load generator and, when the `wrk`
package is installed, from wrk too. Target (issue 25): through-gateway throughput >= 85% of
direct, added p50 latency < 0.7 ms. The last line is the summary.
Usage: .venv/bin/python bench/gateway.py [--seconds 5] [--concurrency 16]
"""

import argparse
import asyncio
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _load import run_load, sequential_latency
from _suite import UNLIMITED, CpuMeter, suite

from devstack.stack import Stack


async def measure(stack: Stack, seconds: float, concurrency: int) -> None:
    email = f"bench-{secrets.token_hex(4)}@example.com"
    async with httpx.AsyncClient(base_url=stack.url("gateway")) as client:
        await client.post("/users/", json={"email": email, "password": "bench-password"})
        token = (await client.post("/api/auth/login", json={"username": email, "password": "bench-password"})).json()[
            "access_token"
        ]
    headers = {"Authorization": f"Bearer {token}"}
    path = "/auth/me/"
    direct_url, gateway_url = stack.url("auth") + path, stack.url("gateway") + path
    # Throughput under load; latency one request at a time, where queueing does not hide it.
    direct = await run_load("direct (auth)", direct_url, headers, concurrency=concurrency, seconds=seconds)
    # CPU time per request, which other load on the machine changes far less than the rates do.
    meter = CpuMeter(stack)
    through = await run_load("through gateway", gateway_url, headers, concurrency=concurrency, seconds=seconds)
    # run_load's 0.5 s warm-up is not counted in its figures: its requests are estimated at the same rate.
    total = max(1.0, len(through.latencies_ms) * (1 + 0.5 / seconds))
    spent = meter.spent()
    gateway_cpu, auth_cpu = spent["gateway"] / total * 1e6, spent["auth"] / total * 1e6
    direct_one = sequential_latency("direct (auth)", direct_url, headers, seconds=seconds)
    through_one = sequential_latency("through gateway", gateway_url, headers, seconds=seconds)
    print(f"GET {path}; one process per service and the load generator share the same 2 cores")
    print(f"-- throughput, {concurrency} concurrent clients, {seconds:.0f} s each")
    print(direct.line())
    print(through.line())
    print("-- latency, 1 blocking client (gateway answers carry Content-Length, so they are read exactly)")
    print(direct_one.line())
    print(through_one.line())
    print(f"throughput ratio (gateway / direct): {through.rps / direct.rps:.0%}   (target >= 85%)")
    print(f"CPU per request through the gateway: gateway {gateway_cpu:.0f} us, auth {auth_cpu:.0f} us")
    added = through_one.percentile(0.5) - direct_one.percentile(0.5)
    print(f"added p50 latency (1 client): {added:.2f} ms   (target < 0.7 ms)")
    ratio = through.rps / direct.rps
    wrk_ratio = wrk_throughput(direct_url, gateway_url, headers, seconds=seconds, concurrency=concurrency)
    if wrk_ratio is not None:
        print(f"throughput ratio with wrk (gateway / direct): {wrk_ratio:.0%}")
    print(f"gateway: {ratio:.0%} of direct, added p50 {added:.2f} ms, gateway CPU {gateway_cpu:.0f} us/request")


def wrk_throughput(
    direct_url: str, gateway_url: str, headers: dict[str, str], *, seconds: float, concurrency: int
) -> float | None:
    """The same load from wrk (C, one thread): requests/s that are the servers' rather than Python's."""
    wrk = shutil.which("wrk")
    if wrk is None:
        print("-- wrk not installed (Debian package `wrk`; `make bench` installs it): skipped")
        return None
    print(f"-- throughput with wrk, 1 thread, {concurrency} connections, {seconds:.0f} s each")
    rates = []
    for label, url in (("direct (auth)", direct_url), ("through gateway", gateway_url)):
        argv = [wrk, "-t1", f"-c{concurrency}", f"-d{max(1, int(seconds))}s", "--latency"]
        argv += [arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")]
        output = subprocess.run([*argv, url], capture_output=True, text=True, check=True).stdout
        found = re.search(r"Requests/sec:\s+([\d.]+)", output)
        p50 = re.search(r"50%\s+([\d.]+\w+)", output)
        rates.append(float(found.group(1)) if found else 0.0)
        print(f"{label:<22} {rates[-1]:9.0f} req/s   p50 {p50.group(1) if p50 else '?'}")
    return rates[1] / rates[0] if rates[0] else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    # The load generator competes for the same cores; keep the gateway's rate limit out of the way.
    with suite(GATEWAY_RATE_LIMIT_PER_MINUTE=UNLIMITED) as stack:
        asyncio.run(measure(stack, args.seconds, args.concurrency))


if __name__ == "__main__":
    main()
