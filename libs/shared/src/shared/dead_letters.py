"""Every service's dead letters for platform admins: `/api/v1/events/<service>/dead-letters/`.

Mounted by `create_service_app` in each service with durable consumers (each has its line in
`shared.routes`): a replay must run where the durable's handler is (`shared.events.deadletters`).
"""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from shared.errors import documented
from shared.events.deadletters import DeadLetter, DeadLetterGone, DeadLetters, StillFailing
from shared.security import PlatformAdmin
from shared.validation import INT64_MAX, Id

__all__ = ["DeadLetterList", "DeadLetterRead", "dead_letter_router", "dead_letters_path"]


_EXAMPLE: JsonDict = {
    "id": 42,
    "durable": "brain-agro-field-upserted",
    "subject": "agro.field.upserted",
    "reason": "exhausted",
    "deliveries": 5,
    "dead_lettered_at": "2026-12-05T10:15:00Z",
    "payload": {"id": "0193a1f2-7c4e-7d2a-9b1e-3f5c8a2d4e61", "subject": "agro.field.upserted", "data": {"id": 7}},
}


class DeadLetterRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE]})

    id: int = Field(description="Secuencia en el stream DEADLETTER: con ella se reprocesa")
    durable: str = Field(description="El consumidor durable que se rindió")
    subject: str | None = Field(description="El asunto original del evento")
    reason: str | None = Field(description="`malformed` (no se ajusta al modelo) o `exhausted` (falló cada entrega)")
    deliveries: int | None = Field(description="Entregas intentadas antes de rendirse")
    dead_lettered_at: datetime | None
    payload: Any = Field(description="El sobre del evento (JSON), o su texto si no es JSON")


class DeadLetterList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"count": 1, "results": [_EXAMPLE]}]})

    count: int = Field(description="Cartas muertas conservadas (del durable pedido, o de todos los del servicio)")
    results: list[DeadLetterRead]


def dead_letters_path(service: str) -> str:
    return f"/api/v1/events/{service}/dead-letters"


def _read(letter: DeadLetter) -> DeadLetterRead:
    return DeadLetterRead(
        id=letter.seq, durable=letter.durable, subject=letter.subject, reason=letter.reason,
        deliveries=letter.deliveries, dead_lettered_at=letter.dead_lettered_at, payload=letter.payload,
    )  # fmt: skip


def _dead_letters(request: Request) -> DeadLetters:
    return DeadLetters(request.app.state.js, request.app.state.consumers)


def dead_letter_router(service: str) -> APIRouter:
    """The listing and the replay of `service`'s dead letters (`app.state.consumers`' durables)."""
    router = APIRouter(prefix=dead_letters_path(service), tags=["events"])

    # One router per service, so each operation is named and titled after its service: ids and
    # summaries are unique across the suite's merged document.
    @router.get(
        "/", response_model=DeadLetterList, operation_id=f"list_{service}_dead_letters",
        summary=f"Listar cartas muertas de {service}",
    )  # fmt: skip
    async def list_dead_letters(
        request: Request,
        admin: PlatformAdmin,
        durable: Annotated[str | None, Query(description="Solo las de este consumidor")] = None,
        after: Annotated[int, Query(ge=0, le=INT64_MAX - 1, description="Las posteriores a esta `id`")] = 0,
        limit: Annotated[int, Query(ge=1, le=100)] = 50,
    ) -> DeadLetterList:
        """Los eventos que los consumidores de este servicio no pudieron procesar (mal formados, o
        fallidos en cada entrega), del más antiguo al más reciente, con su asunto, su motivo y su
        contenido; se conservan `DEAD_LETTER_RETENTION_SECONDS` (14 días). Solo administradores
        de la plataforma (403 para los demás)."""
        letters = _dead_letters(request)
        found = await letters.list(durable=durable, after=after, limit=limit)
        return DeadLetterList(count=await letters.count(durable), results=[_read(letter) for letter in found])

    refusals = documented(DeadLetterGone, StillFailing)

    @router.post(
        "/{letter_id}/replay/", response_model=DeadLetterRead, responses=refusals,
        operation_id=f"replay_{service}_dead_letter", summary=f"Reprocesar una carta muerta de {service}",
    )  # fmt: skip
    async def replay_dead_letter(request: Request, admin: PlatformAdmin, letter_id: Id) -> DeadLetterRead:
        """Procesa el evento otra vez, solo en el consumidor que se rindió (ningún otro consumidor
        de su asunto lo vuelve a ver), y borra la carta. Si vuelve a fallar: 409, y la carta se
        conserva; si ya no existe: 404. Solo administradores de la plataforma."""
        return _read(await _dead_letters(request).replay(letter_id))

    @router.delete(
        "/{letter_id}/", response_model=DeadLetterRead, responses=documented(DeadLetterGone),
        operation_id=f"discard_{service}_dead_letter", summary=f"Descartar una carta muerta de {service}",
    )  # fmt: skip
    async def discard_dead_letter(request: Request, admin: PlatformAdmin, letter_id: Id) -> DeadLetterRead:
        """Borra, sin procesarla, una carta cuyo evento ya no importa; responde la carta borrada
        (404 si ya no existe). Solo administradores de la plataforma."""
        return _read(await _dead_letters(request).discard(letter_id))

    return router
