"""004's `POST /api/nodes/ingest/`, authenticated with `Authorization: Node <token>`."""

from datetime import UTC, datetime

from fastapi import APIRouter, Request

from ingest.config import settings
from ingest.dependencies import AuthenticatedNode
from ingest.nodes import NodeNotAuthenticated
from ingest.quota import DailyLimitReached
from ingest.readings import service
from ingest.readings.schemas import IngestAccepted, IngestIn
from shared.errors import ServiceUnavailable, documented
from shared.sessions import SessionDep

router = APIRouter(tags=["ingesta"])


@router.post(
    "/api/nodes/ingest/",
    status_code=201,
    response_model=IngestAccepted,
    responses=documented(NodeNotAuthenticated, service.NodeMismatch, DailyLimitReached, ServiceUnavailable),
)
async def ingest(body: IngestIn, node: AuthenticatedNode, request: Request, session: SessionDep) -> IngestAccepted:
    """Ingesta de datos desde nodo maestro: 201 once JetStream holds every lectura."""
    state = request.app.state
    inserted = await service.accept(session, state.nats, node, body, settings, datetime.now(UTC), state.sessionmaker)
    return IngestAccepted(inserted=inserted)
