"""The gateway's operator endpoints on a port of their own.

The gateway is the one process reachable from the internet, so its readiness and metrics
(which name routes, upstreams and error rates) are not answered on the API port: a second
uvicorn server in the same process serves `/healthz`, `/readyz` and `/metrics` on
`GATEWAY_ADMIN_PORT` for the kubelet and Prometheus. Services behind it keep theirs on
their own port, which only the cluster reaches.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator

import uvicorn
from fastapi import FastAPI
from nats.aio.client import Client as NATS

from shared.health import router as health_router
from shared.requirements import Requirements
from shared.serve import QuietServer

__all__ = ["serving_admin"]


class _EmbeddedServer(QuietServer):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # The main server owns the process's signals; this one stops with its lifespan.
        yield


@contextlib.asynccontextmanager
async def serving_admin(
    host: str, port: int | None, nats: NATS, requirements: Requirements | None = None
) -> AsyncIterator[None]:
    """Serve the admin endpoints on `host:port` for as long as the block runs (nothing when port is None)."""
    if port is None:
        yield
        return
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.include_router(health_router)
    app.state.nats = nats  # /readyz: the gateway has no database; NATS carries rate limits and revocations
    app.state.requirements = requirements
    config = uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False, lifespan="off")
    server = _EmbeddedServer(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()  # the port was taken: fail the start, saying why
                raise RuntimeError(f"admin server on {host}:{port} did not start")
            await asyncio.sleep(0.01)
        yield
    finally:
        server.stop()
        await asyncio.gather(task, return_exceptions=True)
