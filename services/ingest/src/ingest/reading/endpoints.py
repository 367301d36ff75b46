"""004's `POST /api/nodes/ingest/`, authenticated with `Authorization: Node <token>`."""

import json
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from pydantic import ValidationError

from ingest.access import AuthenticatedNode
from ingest.config import settings
from ingest.errors import DailyLimitReached, NodeMismatch, NodeNotAuthenticated
from ingest.reading import service
from ingest.reading.schemas import IngestCreate, IngestRead
from shared.errors import ServiceUnavailable, documented
from shared.sessions import SessionDep


class _PostRequest(Request):
    """`json()` answers the body already validated as `IngestCreate`, parsed by pydantic-core
    straight from the bytes (FastAPI's stdlib `json` then a second pass over the dicts was a
    quarter of ingest's CPU); FastAPI passes a model instance through its validation as is. A
    body this refuses is parsed as before, so FastAPI refuses it exactly as before."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                self._json = IngestCreate.model_validate_json(body)
            except ValidationError:
                self._json = json.loads(body)
        return self._json


class _PostRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def with_parsed_body(request: Request) -> Response:
            return await handler(_PostRequest(request.scope, request.receive))

        return with_parsed_body


router = APIRouter(tags=["ingesta"], route_class=_PostRoute)


@router.post(
    "/api/nodes/ingest/",
    status_code=201,
    response_model=IngestRead,
    responses=documented(NodeNotAuthenticated, NodeMismatch, DailyLimitReached, ServiceUnavailable),
    summary="Publicar lecturas de un nodo maestro",
)
async def ingest_readings(
    body: IngestCreate, node: AuthenticatedNode, request: Request, session: SessionDep
) -> IngestRead:
    """Un nodo maestro publica las lecturas de sus sensores, autenticado con
    `Authorization: Node <token_nodo>` (el token que dio su registro), no con el de un usuario.
    Cada lectura es un nodo secundario en un instante; `timestamp` vale para las que no traen el
    suyo. 201 cuando todas quedaron guardadas; `inserted` cuenta las nuevas (un reenvío cuenta
    0). Después, Brain las analiza con las reglas de la etapa y puede sugerir tareas.

    Se rechaza: 401 sin token de nodo válido, 403 si `codigo_nodo_maestro` o `parcela_id` no son
    los del nodo, 429 al alcanzar el límite diario de lecturas del plan de la parcela.
    \f
    201 once JetStream holds every lectura."""
    state = request.app.state
    inserted = await service.accept(
        session,
        nc=state.nats,
        node=node,
        body=body,
        settings=settings,
        now=datetime.now(UTC),
        sessionmaker=state.sessionmaker,
    )
    return IngestRead(inserted=inserted)
