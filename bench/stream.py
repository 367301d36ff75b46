"""Streaming overhead of the platform: time to first token and per-event latency of an answer
streamed through the gateway and bots (SSE), against the same loopback provider called
directly, in the same run.

Starts its own engines and services on free ports and a loopback OpenAI-compatible provider
(bots.testing) that sends a word every 20 ms. Each run asks the same question --runs times
both ways. "ttft" is the time from sending the request to the first text; "per-event" the
time from the provider sending a piece to the client reading it. The summary line gives what
the platform adds (p50 through the gateway minus p50 direct). Target (issue 25): under 5 ms
and 0.5 ms.
Usage: .venv/bin/python bench/stream.py [--runs 30]
"""

import argparse
import asyncio
import json
import secrets
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _suite import CpuMeter, suite

from bots.testing import LoopbackProvider, loopback_provider
from devstack.stack import Stack

QUESTION = " ".join(f"palabra{i}" for i in range(30))
MODEL = "gpt-slow-bench"


Measured = tuple[float, float, list[float]]


async def direct(provider: LoopbackProvider) -> Measured:
    """(ttft, time until the provider had the request, per-piece latencies) calling the
    provider's own streaming API."""
    body = {"model": MODEL, "stream": True, "messages": [{"role": "user", "content": QUESTION}]}
    latencies: list[float] = []
    first = 0.0
    async with httpx.AsyncClient(timeout=30) as client:
        started = time.monotonic()
        async with client.stream("POST", f"{provider.openai_url}/chat/completions", json=body) as response:
            async for line in response.aiter_lines():
                if not line.startswith("data: {"):
                    continue
                chunk = json.loads(line[6:])
                if chunk["choices"] and chunk["choices"][0]["delta"].get("content"):
                    now = time.monotonic()
                    first = first or now - started
                    latencies.append(now - provider.sent_at[-1][len(latencies)])
    return first, provider.asked_at[-1] - started, latencies


async def platform(client: httpx.AsyncClient, provider: LoopbackProvider, bot_id: int) -> Measured:
    """The same through the gateway: POST /api/chat with stream true."""
    latencies: list[float] = []
    first = 0.0
    body = {"message": QUESTION, "bot_id": bot_id, "stream": True}
    started = time.monotonic()
    async with client.stream("POST", "/api/chat", json=body) as response:
        async for line in response.aiter_lines():
            if not line.startswith("data:"):
                continue
            event = json.loads(line[5:])
            if event["type"] == "message":
                now = time.monotonic()
                first = first or now - started
                latencies.append(now - provider.sent_at[-1][len(latencies)])
    return first, provider.asked_at[-1] - started, latencies


async def measure(stack: Stack, provider: LoopbackProvider, runs: int) -> None:
    email, password = f"stream-{secrets.token_hex(4)}@example.com", "bench-password"
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=60) as client:
        registered = await client.post("/users/", json={"email": email, "password": password})
        assert registered.status_code == 200, registered.text
        login = await client.post("/api/auth/login", json={"username": email, "password": password})
        assert login.status_code == 200, login.text
        client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        integration = {
            "nombre": "loopback",
            "provider": "openai",
            "api_key": "sk-bench",
            "base_url": provider.openai_url,
        }
        assert (await client.post("/api/ai/config/", json=integration)).status_code == 201
        bot = await client.post("/bots/", json={"name": "bench"})
        bot_id = bot.json()["id"]
        model = {"provider": "openai", "model_id": MODEL, "task_type": "simple"}
        assert (await client.post(f"/bots/{bot_id}/models/", json=model)).status_code == 200
        # The bots service itself, without the gateway: where the added time goes.
        service = httpx.AsyncClient(base_url=stack.url("bots"), timeout=60, headers=dict(client.headers))
        # By way: ttfts, times until the provider was asked, per-event latencies (ms).
        results: dict[str, tuple[list[float], list[float], list[float]]] = {
            "direct": ([], [], []),
            "bots": ([], [], []),
            "gateway": ([], [], []),
        }
        # CPU time per answer through bots (its own runs and the gateway's), which other load on
        # the machine changes far less than the latencies.
        meter = CpuMeter(stack)
        for run in range(runs + 3):
            if run == 3:
                meter = CpuMeter(stack)
            for name in results:
                if name == "direct":
                    first, asked, latencies = await direct(provider)
                else:
                    first, asked, latencies = await platform(client if name == "gateway" else service, provider, bot_id)
                if run >= 3:  # the first runs warm connections and caches
                    results[name][0].append(first * 1000)
                    results[name][1].append(asked * 1000)
                    results[name][2].extend(x * 1000 for x in latencies)
        cpu = {name: seconds * 1000 for name, seconds in meter.spent().items()}
        await service.aclose()
    p50 = {name: tuple(map(statistics.median, figures)) for name, figures in results.items()}
    every = provider.slow_seconds * 1000
    print(f"{runs} answers of {len(QUESTION.split()) + 3} words each way, a word every {every:.0f} ms; "
          "engines, services, provider and client on the same cores")  # fmt: skip
    for name, (ttft, asked, event) in p50.items():
        print(f"{name:8} ttft p50 {ttft:7.1f} ms (provider asked after {asked:5.1f} ms)   "
              f"per-event latency p50 {event:6.2f} ms")  # fmt: skip
    print(f"CPU per answer: bots {cpu['bots'] / (2 * runs):.1f} ms (its own and the gateway's runs), "
          f"gateway {cpu['gateway'] / runs:.1f} ms")  # fmt: skip
    added_ttft = p50["gateway"][0] - p50["direct"][0]
    added_event = p50["gateway"][2] - p50["direct"][2]
    print(f"stream: ttft added p50 {added_ttft:.1f} ms, per-event p50 {added_event:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with loopback_provider() as provider, suite(BOTS_OUTBOUND_ALLOWED_NETWORKS='["127.0.0.1/32"]') as stack:
        provider.slow_seconds = 0.02
        asyncio.run(measure(stack, provider, args.runs))


if __name__ == "__main__":
    main()
