"""The desk in real time: WebSocket clients spread over two chat replicas, agents' messages
posted through the gateway at a steady rate, and the delay from posting a message to each of
its room's clients reading it.

Starts its own engines, auth, the gateway and chat on free ports, plus a second chat
replica. Opens --rooms guest chats (the workspace owner takes them), then --clients guest
WebSockets, as many per room, alternately on each replica (directly, as behind a load
balancer). Posts --rate messages a second for --seconds, round-robin over the rooms, as the
agent would: over the agent's WebSockets (--agent-sockets, spread over both replicas; or
through the gateway with --via http); each carries its send time. "lost" counts (client, message) pairs never read
after a grace period. Targets: nothing lost, p99 under 100 ms. "CPU per post" is each process
tree's CPU time (and this load generator's) from the first post to the last delivery, per post.
Usage: .venv/bin/python bench/chat.py [--clients 1000] [--rooms 100] [--rate 200] [--seconds 30] [--via ws]
"""

import argparse
import asyncio
import contextlib
import json
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import jwt
from websockets.asyncio.client import ClientConnection, connect

sys.path.insert(0, str(Path(__file__).parent))
from _load import read_response
from _suite import UNLIMITED, CpuMeter, suite

from devstack.processes import eventually, free_port
from devstack.stack import Stack

VIA = {"ws": "the agent's WebSockets", "http": "the gateway"}


def _ready(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


async def open_rooms(client: httpx.AsyncClient, tenant: int, rooms: int) -> list[tuple[str, str]]:
    """(room id, guest token) of `rooms` new chats, taken by the caller."""
    found = []
    for i in range(rooms):
        started = await client.post("/api/chat/start_chat/", json={"initial_message": f"Hola {i}", "tenant": tenant})
        completed = await client.post("/api/chat/complete_chat/", json={
            "session_id": started.json()["session_id"], "email": f"g{i}@example.com", "full_name": f"Guest {i}",
            "phone_number": "+123456789",
        })  # fmt: skip
        assert completed.status_code == 201, completed.text
        room = completed.json()["chat_room_id"]
        taken = await client.post(f"/api/chat-rooms/{room}/take_chat/")
        assert taken.status_code == 200, taken.text
        found.append((room, completed.json()["guest_token"]))
    return found


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else float("nan")


class Poster:
    """Raw keep-alive HTTP/1.1 POSTs over a fixed set of connections, each post waiting its turn
    for one. httpx's pool, with hundreds of posts queued behind its connections, spent more CPU
    than chat did (its request assignment scans every queued request against every connection)."""

    def __init__(self, base: str, token: str, connections: int) -> None:
        parts = urlsplit(base)
        self.host, self.port, self.netloc, self.token = parts.hostname, parts.port, parts.netloc, token
        self.connections = connections
        self.idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()

    async def open(self) -> None:
        for _ in range(self.connections):
            self.idle.put_nowait(await asyncio.open_connection(self.host, self.port))

    async def post(self, path: str, payload: dict[str, str]) -> int:
        data = json.dumps(payload).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.netloc}\r\nAuthorization: Bearer {self.token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
        ).encode()
        reader, writer = stream = await self.idle.get()
        try:
            writer.write(head + data)
            status = await read_response(reader)
        except BaseException:
            writer.close()  # its state is unknown: a fresh connection takes its place
            self.idle.put_nowait(await asyncio.open_connection(self.host, self.port))
            raise
        self.idle.put_nowait(stream)
        return status

    def close(self) -> None:
        while not self.idle.empty():
            self.idle.get_nowait()[1].close()


class Receiver:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.seen: set[tuple[int, int]] = set()

    async def listen(self, number: int, ws: ClientConnection) -> None:
        async for frame in ws:
            item = json.loads(frame)
            if item.get("type") != "message" or not item["data"]["content"].startswith("bench|"):
                continue
            _, seq, sent = item["data"]["content"].split("|")
            self.latencies.append((time.time() - float(sent)) * 1000)
            self.seen.add((number, int(seq)))


async def measure(stack: Stack, replica: str, args: argparse.Namespace) -> None:
    gateway = stack.url("gateway")
    email, password = f"desk-{secrets.token_hex(4)}@example.com", "bench-password"
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=gateway, timeout=30, limits=limits) as client:
        assert (await client.post("/users/", json={"email": email, "password": password})).status_code == 200
        login = await client.post("/api/auth/login", json={"username": email, "password": password})
        client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        tenant = int(jwt.decode(login.json()["access_token"], options={"verify_signature": False})["tenant"])
        me = await client.patch("/api/agents/me/", json={"max_concurrent_chats": 100, "is_available": True})
        assert me.status_code == 200, me.text
        rooms = await open_rooms(client, tenant, args.rooms)
        servers = [stack.url("chat").replace("http://", "ws://"), replica.replace("http://", "ws://")]
        receiver = Receiver()
        sockets: list[ClientConnection] = []
        for number in range(args.clients):
            room, token = rooms[number % len(rooms)]
            ws = await connect(servers[number % 2] + "/api/chat/ws/", max_queue=None)
            await ws.send(json.dumps({"type": "auth", "guest_token": token, "chat_room_id": room}))
            assert json.loads(await ws.recv())["type"] == "auth_ok"
            sockets.append(ws)
        listeners = [asyncio.create_task(receiver.listen(n, ws)) for n, ws in enumerate(sockets)]
        print(f"{args.clients} WebSocket clients in {len(rooms)} rooms over 2 chat replicas; "
              f"posting {args.rate}/s for {args.seconds} s over {VIA[args.via]}")  # fmt: skip

        total = int(args.rate * args.seconds)
        failures = 0
        token = client.headers["Authorization"].split()[1]
        agents = []
        for number in range(args.agent_sockets):
            ws = await connect(servers[number % 2] + "/api/chat/ws/", max_queue=None)
            await ws.send(json.dumps({"type": "auth", "token": token}))
            assert json.loads(await ws.recv())["type"] == "auth_ok"
            agents.append(ws)
        acked = asyncio.Event()
        acks = 0

        async def drain(ws: ClientConnection) -> None:
            """An agent socket hears every message of its rooms; it counts the acks of its own."""
            nonlocal acks, failures
            async for frame in ws:
                kind = json.loads(frame)["type"]
                if kind in ("sent", "error"):
                    acks += 1
                    failures += kind == "error"
                    if acks == total:
                        acked.set()

        drains = [asyncio.create_task(drain(ws)) for ws in agents]
        poster = Poster(gateway, token, args.connections)
        if args.via == "http":
            await poster.open()

        async def post(seq: int) -> None:
            nonlocal failures
            room, _ = rooms[seq % len(rooms)]
            content = f"bench|{seq}|{time.time():.6f}"
            if args.via == "http":
                started = time.perf_counter()
                try:
                    status = await poster.post(f"/api/chat-rooms/{room}/send_message/", {"content": content})
                except (OSError, asyncio.IncompleteReadError) as exc:
                    failures += 1
                    print(f"post {seq} failed: {type(exc).__name__}")
                    return
                answered.append((time.perf_counter() - started) * 1000)
                if status != 201:
                    failures += 1
                    print(f"post {seq} refused: {status}")
            else:
                await agents[seq % len(agents)].send(json.dumps({"type": "message", "chat_room_id": room,
                                                                 "content": content}))  # fmt: skip

        # CPU of each process tree (and this load generator) from the first post until the last
        # delivery is read: what a post costs whatever else the machine runs, unlike posts/s.
        meter = CpuMeter(stack)
        own_before = time.process_time()
        began = time.time()
        posts = []
        answered: list[float] = []  # ms from sending a post to its answer (--via http)
        for seq in range(total):
            await asyncio.sleep(max(0.0, began + seq / args.rate - time.time()))
            posts.append(asyncio.create_task(post(seq)))
        await asyncio.gather(*posts)
        if args.via == "ws":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(acked.wait(), timeout=60)
        posting = time.time() - began
        per_room = args.clients / len(rooms)
        expected = int(total * per_room)
        deadline = time.time() + 10
        while len(receiver.seen) < expected and time.time() < deadline:
            await asyncio.sleep(0.2)
        spent = meter.spent()
        spent["load generator"] = time.process_time() - own_before
        for task in [*listeners, *drains]:
            task.cancel()
        for ws in [*sockets, *agents]:
            await ws.close()
        poster.close()
    ordered = sorted(receiver.latencies)
    p50 = ordered[len(ordered) // 2] if ordered else float("nan")
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else float("nan")
    lost = expected - len(receiver.seen)
    print(f"posted {total} messages over {args.via} in {posting:.1f} s ({total / posting:.0f}/s, {failures} refused); "
          f"{len(receiver.seen)} of {expected} deliveries read")  # fmt: skip
    if answered:
        # The post's own answer (edge check, proxy hop, transaction, live publish) apart from the fan-out.
        print(f"post answered: p50 {percentile(answered, 0.5):.1f} ms, p99 {percentile(answered, 0.99):.1f} ms")
    costs = sorted(((name, cpu * 1000 / max(1, total)) for name, cpu in spent.items()), key=lambda item: -item[1])
    print(f"CPU per post: {sum(ms for _, ms in costs):.1f} ms ("
          + ", ".join(f"{name} {ms:.2f}" for name, ms in costs if ms >= 0.05) + ")")  # fmt: skip
    print(f"chat: delivered p50 {p50:.1f} ms p99 {p99:.1f} ms, lost {lost}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rooms", type=int, default=100)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--via", choices=["ws", "http"], default="ws")
    parser.add_argument("--agent-sockets", type=int, default=8)
    parser.add_argument("--connections", type=int, default=64, help="keep-alive connections for --via http")
    args = parser.parse_args()
    with suite(only={"auth", "chat", "gateway"}, GATEWAY_RATE_LIMIT_PER_MINUTE=UNLIMITED,
               CHAT_CHATS_PER_HOUR="1000000") as stack:  # fmt: skip
        port = free_port()
        stack.processes["chat-2"] = stack.spawn_service("chat", port, log_name="chat-2")
        replica = f"http://127.0.0.1:{port}"
        assert eventually(lambda: _ready(f"{replica}/readyz"), 60)
        asyncio.run(measure(stack, replica, args))


if __name__ == "__main__":
    main()
