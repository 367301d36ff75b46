"""`/healthz` (the process is alive), `/readyz` (its database and NATS answer and are recent
enough: `shared.requirements`), `/metrics`."""

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from shared.observability import metrics_response
from shared.requirements import OK

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


async def _database_ok(request: Request) -> bool:
    engine = getattr(request.app.state, "engine", None)
    if engine is None:
        return True
    try:
        async with asyncio.timeout(2.0), engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    nc = getattr(request.app.state, "nats", None)
    checks: dict[str, Any] = {
        "database": await _database_ok(request),
        "nats": nc is None or nc.is_connected,
    }
    requirements = getattr(request.app.state, "requirements", None)
    if requirements is not None:  # server versions and features (shared.requirements)
        checks.update(await requirements.report())
    ready = all(value is True or value == OK for value in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status_code=200 if ready else 503,
    )


@router.get("/metrics")
async def metrics() -> Response:
    return metrics_response()
