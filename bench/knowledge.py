"""Knowledge indexing and search: documents cut into chunks and indexed for Spanish
full-text search, then questions asked through the gateway.

Starts its own engines and the auth, bots and gateway services on free ports. Indexing runs
bots' own code (`bots.knowledge.service.add_document`: extract, chunk, one INSERT per
document with the text-search vectors) on --workers concurrent sessions, without HTTP, and
reports chunks per second. Search asks --queries natural questions one after another through
`GET /api/v1/knowledge/{id}/search/` and reports their latency. Target: search p99 under 50 ms.
Usage: .venv/bin/python bench/knowledge.py [--documents 10000] [--queries 500] [--workers 4]
"""

import argparse
import asyncio
import random
import secrets
import statistics
import sys
import time
from pathlib import Path

import httpx
import jwt
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

sys.path.insert(0, str(Path(__file__).parent))
from _suite import UNLIMITED, suite

from bots.knowledge.embeddings import Embedder
from bots.knowledge.service import add_document, get_base
from devstack.stack import Stack
from shared.security import Principal

CROPS = ["tomate", "papa", "maíz", "palta", "arándano", "uva", "espárrago", "cebolla", "ají", "quinua", "café", "cacao"]
STAGES = ["germinación", "crecimiento vegetativo", "floración", "cuajado", "maduración", "cosecha"]
TOPICS = [
    "En {stage} el {crop} se riega cada {n} días, temprano por la mañana, y el riego por goteo ahorra agua.",
    "La humedad del suelo del {crop} debe quedar entre {n}0 y {m}0 por ciento durante la {stage}.",
    "El {crop} pide abono de potasio en {stage}: {n} kilos por hectárea repartidos en dos aplicaciones.",
    "La mosca blanca ataca al {crop} en {stage}; se controla con trampas amarillas y revisando el envés.",
    "Una helada por debajo de {n} grados daña al {crop} en {stage}: cubre las plantas al atardecer.",
    "La poda de brotes del {crop} se hace cada {n} semanas hasta la {stage}.",
    "El pH ideal del suelo para el {crop} está entre {n} y {m}; corrige con cal si baja.",
    "La conductividad eléctrica del agua de riego del {crop} no debe pasar de {n} dS/m en {stage}.",
]
QUESTIONS = [
    "¿Cada cuánto se riega el {crop} en {stage}?",
    "¿Qué abono necesita el {crop}?",
    "¿Cómo controlo la mosca blanca en el {crop}?",
    "¿Qué pH necesita el suelo del {crop}?",
    "¿Cuándo podar los brotes del {crop}?",
    "¿Qué temperatura de helada daña el {crop} en {stage}?",
]


def document(rng: random.Random, number: int) -> bytes:
    """About 2,400 characters of agronomy in Spanish: three chunks."""
    crop = rng.choice(CROPS)
    paragraphs = [f"Ficha técnica {number}: {crop}."]
    for _ in range(6):
        sentences = [
            rng.choice(TOPICS).format(crop=crop, stage=rng.choice(STAGES), n=rng.randint(2, 9), m=rng.randint(6, 9))
            for _ in range(3)
        ]
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs).encode()


async def index(stack: Stack, principal: Principal, base_id: int, documents: int, workers: int) -> tuple[int, float]:
    engine = create_async_engine(
        stack.superuser_dsn.replace("postgresql://", "postgresql+asyncpg://"), pool_size=workers
    )
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    rng = random.Random(7)
    corpus = [document(rng, i) for i in range(documents)]
    queue: asyncio.Queue[tuple[int, bytes]] = asyncio.Queue()
    for item in enumerate(corpus):
        queue.put_nowait(item)
    chunks = 0
    no_vectors = Embedder(providers=None, enabled=False)  # type: ignore[arg-type]  # the base has no embedding model

    async def worker() -> None:
        nonlocal chunks
        while not queue.empty():
            number, data = queue.get_nowait()
            async with sessions() as session, session.begin():
                base = await get_base(session, principal.tenant_id, base_id)
                added = await add_document(session, principal, base, data, title=f"Ficha {number}",
                                           filename=f"ficha-{number}.txt", content_type="text/plain",
                                           embedder=no_vectors)  # fmt: skip
                chunks += added.chunk_count

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    seconds = time.perf_counter() - started
    async with engine.connect() as connection:
        await connection.exec_driver_sql("ANALYZE bots.chunks")
    await engine.dispose()
    return chunks, seconds


async def measure(stack: Stack, args: argparse.Namespace) -> None:
    email, password = f"kb-{secrets.token_hex(4)}@example.com", "bench-password"
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=60) as client:
        assert (await client.post("/users/", json={"email": email, "password": password})).status_code == 200
        login = await client.post("/api/auth/login", json={"username": email, "password": password})
        assert login.status_code == 200, login.text
        client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        base = await client.post("/api/v1/knowledge/", json={"name": "Fichas técnicas"})
        assert base.status_code == 201, base.text
        base_id = base.json()["id"]
        me = await client.get(f"/api/v1/knowledge/{base_id}/")
        assert me.status_code == 200, me.text
        # The owner of a fresh workspace; indexing runs as them (tenant and user from the token).
        claims = jwt.decode(login.json()["access_token"], options={"verify_signature": False})
        principal = Principal(user_id=int(claims["sub"]), tenant_id=int(claims["tenant"]), role="administrador",
                              token_id="bench", expires_at=int(claims["exp"]))  # fmt: skip
        chunks, seconds = await index(stack, principal, base_id, args.documents, args.workers)
        print(f"indexed {args.documents} documents, {chunks} chunks in {seconds:.1f} s "
              f"({args.workers} workers, same cores as the engines)")  # fmt: skip

        rng = random.Random(11)
        url = f"/api/v1/knowledge/{base_id}/search/"
        latencies: list[float] = []
        empty = 0
        for i in range(args.queries + 20):
            question = rng.choice(QUESTIONS).format(crop=rng.choice(CROPS), stage=rng.choice(STAGES))
            started = time.perf_counter()
            response = await client.get(url, params={"q": question})
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, response.text
            if i >= 20:  # warm-up
                latencies.append(elapsed)
                empty += not response.json()["results"]
        ordered = sorted(latencies)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        print(f"{args.queries} questions through the gateway: p50 {statistics.median(ordered):.1f} ms, "
              f"p99 {p99:.1f} ms, {empty} without results")  # fmt: skip
        print(f"knowledge: index {chunks / seconds:,.0f} chunks/s, search p99 {p99:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    with suite(only={"auth", "bots", "gateway"}, GATEWAY_RATE_LIMIT_PER_MINUTE=UNLIMITED) as stack:
        asyncio.run(measure(stack, args))


if __name__ == "__main__":
    main()
