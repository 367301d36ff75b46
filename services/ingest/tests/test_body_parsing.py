"""The ingest route parses its body in one pass (`reading.endpoints._PostRoute`): whatever the
body, the endpoint gets what FastAPI's own parsing gave it, and a refusal is the same refusal."""

import json
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from ingest.reading.endpoints import _PostRoute
from ingest.reading.schemas import IngestCreate
from shared.errors import install_error_handlers
from shared.routes import seed_style

VALID = {
    "codigo_nodo_maestro": "NM-001",
    "parcela_id": 7,
    "timestamp": "2025-10-23T10:15:00+02:00",
    "lecturas": [
        {"nodo_codigo": "N1", "sensores": [{"sensor": "humedad_suelo", "valor": 23, "unidad": "%"}]},
        {"nodo_codigo": "N2", "timestamp": "2025-10-23T08:00:00", "sensores": [{"sensor": "ph", "valor": 6.5}]},
    ],
}
BODIES: list[bytes] = [
    json.dumps(VALID).encode(),
    json.dumps({**VALID, "extra": [1, 2]}).encode(),
    json.dumps(VALID).replace("23,", "NaN,").encode(),
    json.dumps(VALID).replace("23,", "1e400,").encode(),
    json.dumps(VALID).replace("23,", str(10**400) + ",").encode(),
    json.dumps({**VALID, "parcela_id": "7"}).encode(),
    json.dumps({**VALID, "parcela_id": 2**63}).encode(),
    json.dumps({**VALID, "codigo_nodo_maestro": "NM\u0000"}).encode(),
    json.dumps(VALID).replace('"N1"', '"N\\u00001"').encode(),
    json.dumps(VALID).replace('"humedad_suelo"', '"humedad\\u0000"').encode(),
    json.dumps(VALID).replace('"%"', '"\\u0000"').encode(),
    json.dumps(VALID).replace('"%"', '"%\x00"').encode(),
    json.dumps(VALID).replace('"N1"', '"N\\\\u0000"').encode(),
    json.dumps(VALID).replace('"N1"', '"' + "N" * 101 + '"').replace('"%"', '"' + "%" * 21 + '"').encode(),
    json.dumps(VALID).replace('"humedad_suelo"', '""').encode(),
    json.dumps({**VALID, "lecturas": []}).encode(),
    b'{"codigo_nodo_maestro": "NM-001", "codigo_nodo_maestro": "NM-002", "parcela_id": 7, "lecturas": []}',
    b'{"codigo_nodo_maestro": "\\ud800", "parcela_id": 7}',
    b"[1, 2]",
    b"null",
    b'{"parcela_id": 7,',
    b"",
]


def _app(route_class: type | None) -> FastAPI:
    router = APIRouter(route_class=route_class) if route_class else APIRouter()

    @router.post("/api/nodes/ingest/")
    async def ingest(body: IngestCreate) -> dict[str, Any]:
        return {"model": isinstance(body, IngestCreate), "body": body.model_dump(mode="json")}

    app = FastAPI()
    install_error_handlers(app, seed_style)  # refusals rendered as ingest renders them
    app.include_router(router)
    return app


@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("content_type", ["application/json", "text/plain", None])
async def test_the_endpoint_gets_and_refuses_what_fastapi_alone_would(body: bytes, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    answers = []
    for app in (_app(_PostRoute), _app(None)):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            response = await client.post("/api/nodes/ingest/", content=body, headers=headers)
        answers.append((response.status_code, response.json()))
    assert answers[0] == answers[1]
