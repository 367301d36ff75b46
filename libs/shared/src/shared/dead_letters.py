"""Every service's dead letters for platform admins: `/api/v1/events/<service>/dead-letters/`.

Mounted by `create_service_app` in each service with durable consumers (each has its line in
`shared.routes`): a replay must run where the durable's handler is (`shared.events.deadletters`).
"""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from shared.errors import documented
from shared.events.deadletters import DeadLetter, DeadLetterGone, DeadLetters, StillFailing
from shared.security import PlatformAdmin
from shared.validation import INT64_MAX, Id

__all__ = ["DeadLetterList", "DeadLetterRead", "dead_letter_router", "dead_letters_path"]


class DeadLetterRead(BaseModel):
    id: int = Field(description="Secuencia en el stream DEADLETTER: con ella se reprocesa")
    durable: str = Field(description="El consumidor durable que se rindió")
    subject: str | None = Field(description="El asunto original del evento")
    reason: str | None = Field(description="`malformed` (no se ajusta al modelo) o `exhausted` (falló cada entrega)")
    deliveries: int | None = Field(description="Entregas intentadas antes de rendirse")
    dead_lettered_at: datetime | None
    payload: Any = Field(description="El sobre del evento (JSON), o su texto si no es JSON")


class DeadLetterList(BaseModel):
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

    @router.get("/", response_model=DeadLetterList)
    async def list_dead_letters(
        request: Request,
        admin: PlatformAdmin,
        durable: Annotated[str | None, Query(description="Solo las de este consumidor")] = None,
        after: Annotated[int, Query(ge=0, le=INT64_MAX - 1, description="Las posteriores a esta `id`")] = 0,
        limit: Annotated[int, Query(ge=1, le=100)] = 50,
    ) -> DeadLetterList:
        """The dead letters kept for this service's consumers, oldest first (platform admins)."""
        letters = _dead_letters(request)
        found = await letters.list(durable=durable, after=after, limit=limit)
        return DeadLetterList(count=await letters.count(durable), results=[_read(letter) for letter in found])

    refusals = documented(DeadLetterGone, StillFailing)

    @router.post("/{letter_id}/replay/", response_model=DeadLetterRead, responses=refusals)
    async def replay_dead_letter(request: Request, admin: PlatformAdmin, letter_id: Id) -> DeadLetterRead:
        """Handle the event again, through the one consumer that gave up on it (no other
        consumer of its subject sees it again), then remove the letter. Refused with 409, and
        kept, when it fails again."""
        return _read(await _dead_letters(request).replay(letter_id))

    @router.delete("/{letter_id}/", response_model=DeadLetterRead, responses=documented(DeadLetterGone))
    async def discard_dead_letter(request: Request, admin: PlatformAdmin, letter_id: Id) -> DeadLetterRead:
        """Remove a letter whose event no longer matters, without handling it."""
        return _read(await _dead_letters(request).discard(letter_id))

    return router
