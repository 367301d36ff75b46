"""Webhook deliveries per second to a receiver on loopback, and event-to-delivery latency.

Starts its own engines and services on free ports, registers a workspace with one webhook
subscribed to `alert.critical`, then publishes --events `brain.alert.raised` events for that
workspace straight to JetStream (as brain's outbox relay would; no other service consumes them,
so the cores go to webhooks, the engines and the receiver) and waits until the receiver,
a minimal HTTP server in this process, has been sent every one of them, signed: the
throughput. Then it publishes 300 events/s for 10 s: the latency, from each event's
`occurred_at` to its arrival at the receiver. Target: 1,000 deliveries/s. The last line is
the summary (throughput of the backlog, p99 at the steady rate).
Usage: .venv/bin/python bench/webhooks.py [--events 20000]
"""

import argparse
import asyncio
import secrets
import sys
import time
from pathlib import Path

import httpx
import jwt
import nats

sys.path.insert(0, str(Path(__file__).parent))
from _suite import suite

from devstack.processes import free_port
from devstack.stack import Stack
from shared.events import Envelope


class Receiver:
    """Answers 204 to every POST; notes when each webhook-id first arrived."""

    def __init__(self) -> None:
        self.arrivals: dict[str, float] = {}
        self.done = asyncio.Event()
        self.expected = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                headers = dict(line.split(": ", 1) for line in head.decode("latin-1").split("\r\n")[1:] if ": " in line)
                lowered = {k.lower(): v for k, v in headers.items()}
                await reader.readexactly(int(lowered.get("content-length", "0")))
                self.arrivals.setdefault(lowered.get("webhook-id", ""), time.time())
                writer.write(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")
                if len(self.arrivals) >= self.expected:
                    self.done.set()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass  # the sender closed the connection, or the bench is over
        finally:
            writer.close()


async def measure(stack: Stack, events: int, paced_rate: float = 300.0, paced_seconds: float = 10.0) -> None:
    gateway = stack.url("gateway")
    email, password = f"hooks-{secrets.token_hex(4)}@example.com", "bench-password"
    receiver = Receiver()
    port = free_port()
    server = await asyncio.start_server(receiver.handle, "127.0.0.1", port)
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:
        registered = await client.post("/users/", json={"email": email, "password": password})
        assert registered.status_code == 200, registered.text
        login = await client.post("/api/auth/login", json={"username": email, "password": password})
        assert login.status_code == 200, login.text
        access = login.json()["access_token"]
        tenant_id = int(jwt.decode(access, options={"verify_signature": False})["tenant"])
        created = await client.post(
            "/api/webhooks",
            json={"url": f"http://127.0.0.1:{port}/hook", "events": ["alert.critical"]},
            headers={"Authorization": f"Bearer {access}"},
        )
        assert created.status_code == 201, created.text
    nc = await nats.connect(stack.nats_url)
    js = nc.jetstream()

    async def publish(count: int, per_second: float | None) -> dict[str, float]:
        """`count` events, as fast as JetStream takes them or paced; webhook-id -> publish time."""
        sent_at: dict[str, float] = {}
        began = time.time()
        for start in range(0, count, 50):
            if per_second:
                await asyncio.sleep(max(0.0, began + start / per_second - time.time()))
            batch = []
            for i in range(start, min(count, start + 50)):
                envelope = Envelope(
                    type="brain.alert.raised", tenant_id=tenant_id, source="bench",
                    data={"alerta_id": i + 1, "parcela_id": 1, "tipo": "regla", "severity": "critical",
                          "parametro": "humedad_suelo", "mensaje": "Humedad del suelo bajo el mínimo", "regla_id": 1},
                )  # fmt: skip
                sent_at[f"msg_{envelope.id}"] = envelope.occurred_at.timestamp()
                body = envelope.model_dump_json().encode()
                batch.append(js.publish("brain.alert.raised", body, headers={"Nats-Msg-Id": str(envelope.id)}))
            await asyncio.gather(*batch)
        return sent_at

    def latencies(sent_at: dict[str, float]) -> list[float]:
        return sorted((receiver.arrivals[k] - sent_at[k]) * 1000 for k in sent_at if k in receiver.arrivals)

    # 1. A backlog: throughput.
    receiver.expected = events
    started = time.time()
    backlog = await publish(events, None)
    await asyncio.wait_for(receiver.done.wait(), timeout=600)
    elapsed = max(receiver.arrivals[k] for k in backlog) - started
    rate = len(latencies(backlog)) / elapsed
    drained = latencies(backlog)
    # 2. A steady rate: latency.
    receiver.done.clear()
    receiver.expected = events + int(paced_rate * paced_seconds)
    paced = await publish(int(paced_rate * paced_seconds), paced_rate)
    await asyncio.wait_for(receiver.done.wait(), timeout=600)
    steady = latencies(paced)
    await nc.close()
    server.close()

    def p(values: list[float], q: float) -> float:
        return values[min(len(values) - 1, int(len(values) * q))]

    print(f"{events:,} events published to JetStream at once, then {len(paced):,} at {paced_rate:,.0f}/s; "
          "one webhook; engines, services and receiver on the same cores")  # fmt: skip
    print(f"backlog: delivered {len(drained):,} in {elapsed:.1f} s: {rate:,.0f} deliveries/s   (target 1,000/s); "
          f"event to delivery p99 {p(drained, 0.99):,.0f} ms while draining")  # fmt: skip
    p50, p99 = p(steady, 0.5), p(steady, 0.99)
    print(f"steady {paced_rate:,.0f} events/s: event to delivery p50 {p50:.0f} ms, p99 {p99:.0f} ms")
    print(f"webhooks: {rate:,.0f} deliveries/s, p99 event-to-delivery {p99:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    args = parser.parse_args()
    with suite(WEBHOOKS_OUTBOUND_ALLOWED_NETWORKS='["127.0.0.1/32"]') as stack:
        asyncio.run(measure(stack, args.events))


if __name__ == "__main__":
    main()
