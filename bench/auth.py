"""Identity costs: token verifications/s and logins/s, and how much of a login Argon2 is.

In-process figures run on one core (one event loop). The login figure goes through a real auth
process (started like the tests do) with one client, so it is per core too.
Targets: >= 5,000 verifications/s per core; login time dominated by Argon2; while 4 logins
run, auth's /healthz keeps a p99 under 10 ms (Argon2 runs off the event loop).
Usage: .venv/bin/python bench/auth.py [--seconds 3]
"""

import argparse
import asyncio
import secrets
import statistics
import sys
import time
import uuid
from pathlib import Path

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import generate_private_key

# Before this folder (the script's own, first on the path), where auth.py is this script.
sys.path.insert(0, str(Path(__file__).parents[1] / "services" / "auth" / "src"))
from _suite import suite

from auth.keys.ring import ALGORITHM, public_jwk
from auth.passwords import hash_password, hasher, verify_password
from devstack.stack import Stack
from shared.security import TokenVerifier


def rate(label: str, count: int, seconds: float, unit: str) -> float:
    per_second = count / seconds
    print(f"{label:<44} {per_second:10,.0f} {unit}/s   ({seconds / count * 1000:.3f} ms each)")
    return per_second


def tokens(n: int) -> tuple[dict[str, object], list[str]]:
    key = generate_private_key(public_exponent=65537, key_size=2048)
    jwks = {"keys": [public_jwk(key, "bench")]}
    now = int(time.time())
    issued = [
        jwt.encode(
            {"iss": "platform-auth", "sub": str(i), "tenant": "1", "role": "agricultor", "perms": ["parcelas:ver"],
             "jti": uuid.uuid4().hex, "iat": now, "exp": now + 3600},
            key, algorithm=ALGORITHM, headers={"kid": "bench"},
        )
        for i in range(n)
    ]  # fmt: skip
    return jwks, issued


async def verifications(seconds: float) -> None:
    jwks, issued = tokens(20_000)
    verifier = TokenVerifier("http://unused", issuer="platform-auth")
    verifier.install_keys(jwks)
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds and count < len(issued):
        await verifier.verify(issued[count])
        count += 1
    per_second = rate(f"token verification, first sight ({ALGORITHM})", count, time.perf_counter() - started, "tokens")
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        await verifier.verify(issued[count % 100])
        count += 1
    rate("token verification, seen before (cached)", count, time.perf_counter() - started, "tokens")
    print(f"  target >= 5,000/s per core on first sight: {'met' if per_second >= 5000 else 'NOT met'}")
    await verifier.aclose()


async def argon2(samples: int) -> float:
    """Median seconds of one Argon2 verification with the configured parameters."""
    print(f"Argon2id: {hasher.hash('x').split('$')[3]} (t = passes, m = KiB, p = lanes)")
    stored = await hash_password("correct-horse-battery")
    durations = []
    for _ in range(samples):
        started = time.perf_counter()
        await verify_password("correct-horse-battery", stored)
        durations.append(time.perf_counter() - started)
    median = statistics.median(durations)
    rate("Argon2 verification (in-process, median)", 1, median, "checks")
    return median


async def logins(stack: Stack, samples: int) -> float:
    """Median seconds of one `POST /api/auth/login` against a real auth process, one client."""
    email = f"bench-{secrets.token_hex(4)}@example.com"
    durations = []
    async with httpx.AsyncClient(base_url=stack.url("auth"), timeout=30) as client:
        await client.post("/users/", json={"email": email, "password": "bench-password"})
        body = {"username": email, "password": "bench-password"}
        for _ in range(samples):
            started = time.perf_counter()
            response = await client.post("/api/auth/login", json=body)
            durations.append(time.perf_counter() - started)
            assert response.status_code == 200, response.text
    median = statistics.median(durations)
    rate("login over HTTP (POST /api/auth/login, median)", 1, median, "logins")
    return median


async def probe_during_logins(stack: Stack, seconds: float, concurrent_logins: int = 4) -> float:
    """p50/p99 of auth's /healthz, idle and while `concurrent_logins` clients log in nonstop."""
    email = f"probe-{secrets.token_hex(4)}@example.com"
    async with httpx.AsyncClient(base_url=stack.url("auth"), timeout=30) as client:
        await client.post("/users/", json={"email": email, "password": "bench-password"})

        async def probe(duration: float) -> list[float]:
            found, until = [], time.perf_counter() + duration
            while time.perf_counter() < until:
                started = time.perf_counter()
                await client.get("/healthz")
                found.append((time.perf_counter() - started) * 1000)
                await asyncio.sleep(0.01)
            return found

        def report(label: str, found: list[float]) -> float:
            cuts = statistics.quantiles(found, n=100)
            print(f"{label:<44} p50 {cuts[49]:6.1f} ms   p99 {cuts[98]:6.1f} ms   ({len(found)} probes)")
            return cuts[98]

        report("auth /healthz, idle", await probe(seconds))
        stop = asyncio.Event()

        async def log_in_nonstop() -> None:
            body = {"username": email, "password": "bench-password"}
            while not stop.is_set():
                await client.post("/api/auth/login", json=body)

        workers = [asyncio.create_task(log_in_nonstop()) for _ in range(concurrent_logins)]
        await asyncio.sleep(0.5)
        busy = report(f"auth /healthz, {concurrent_logins} logins running", await probe(seconds))
        stop.set()
        await asyncio.gather(*workers)
    print(f"  target p99 < 10 ms during logins: {'met' if busy < 10 else 'NOT met'}")
    return busy


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--samples", type=int, default=15)
    args = parser.parse_args()
    asyncio.run(verifications(args.seconds))
    with suite(only={"auth"}) as stack:
        login_seconds = asyncio.run(logins(stack, args.samples))
        probe_p99 = asyncio.run(probe_during_logins(stack, args.seconds))
    argon2_seconds = asyncio.run(argon2(args.samples))
    print(f"  Argon2 share of a login: {argon2_seconds / login_seconds:.0%}")
    print(f"auth: {login_seconds * 1000:.0f} ms per login, /healthz p99 {probe_p99:.1f} ms during 4 logins")


if __name__ == "__main__":
    main()
