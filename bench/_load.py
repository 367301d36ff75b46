"""A lean closed-loop HTTP/1.1 load generator (keep-alive, raw asyncio streams).

httpx itself costs more CPU per request than the servers under test, and on a 2-core machine
the load generator shares the cores, so it must stay cheap.
"""

import asyncio
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Figures:
    label: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))]

    def line(self) -> str:
        return (
            f"{self.label:<22} {self.rps:8.0f} req/s   p50 {self.percentile(0.5):6.2f} ms   "
            f"p99 {self.percentile(0.99):6.2f} ms   errors {self.errors}"
        )


async def read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def run_load(label: str, url: str, headers: dict[str, str], *, concurrency: int, seconds: float) -> Figures:
    parts = urlsplit(url)
    request = (
        f"GET {parts.path or '/'}{'?' + parts.query if parts.query else ''} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        + "\r\n"
    ).encode()
    latencies: list[float] = []
    errors = 0

    async def worker(deadline: float, record: bool) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
        try:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                writer.write(request)
                status = await read_response(reader)
                if record:
                    latencies.append((time.perf_counter() - started) * 1000)
                    errors += status != 200
        finally:
            writer.close()

    await asyncio.gather(*(worker(time.perf_counter() + 0.5, False) for _ in range(concurrency)))  # warm-up
    started = time.perf_counter()
    await asyncio.gather(*(worker(started + seconds, True) for _ in range(concurrency)))
    return Figures(label, len(latencies), errors, time.perf_counter() - started, latencies)


def sequential_latency(label: str, url: str, headers: dict[str, str], *, seconds: float) -> Figures:
    """One blocking client, one request at a time: latency without an event loop's own wake-ups."""
    parts = urlsplit(url)
    request = (
        f"GET {parts.path or '/'} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        + "\r\n"
    ).encode()
    latencies: list[float] = []
    errors = 0
    with socket.create_connection((parts.hostname, parts.port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        stream = sock.makefile("rb")
        deadline = time.perf_counter() + seconds
        warm_up = 20
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            sock.sendall(request)
            status = int(stream.readline().split(b" ", 2)[1])
            length = 0
            while (line := stream.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            stream.read(length)
            if warm_up:
                warm_up -= 1
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            errors += status != 200
    return Figures(label, len(latencies), errors, seconds, latencies)
