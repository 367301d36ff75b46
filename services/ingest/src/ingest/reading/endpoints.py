"""004's `POST /api/nodes/ingest/`, authenticated with `Authorization: Node <token>`."""

from datetime import UTC, datetime

from fastapi import APIRouter, Request

from ingest.access import AuthenticatedNode
from ingest.config import settings
from ingest.errors import DailyLimitReached, NodeMismatch, NodeNotAuthenticated
from ingest.reading import service
from ingest.reading.schemas import IngestCreate, IngestRead
from shared.errors import ServiceUnavailable, documented
from shared.sessions import SessionDep

router = APIRouter(tags=["ingesta"])


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
