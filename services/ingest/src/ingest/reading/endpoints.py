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
)
async def ingest(body: IngestCreate, node: AuthenticatedNode, request: Request, session: SessionDep) -> IngestRead:
    """Ingesta de datos desde nodo maestro: 201 once JetStream holds every lectura."""
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
