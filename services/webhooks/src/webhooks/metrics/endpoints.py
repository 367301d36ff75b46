"""002's `GET /api/metrics`, per workspace."""

from fastapi import APIRouter

from shared.sessions import SessionDep
from webhooks.access import Staff
from webhooks.config import settings
from webhooks.metrics import service
from webhooks.metrics.schemas import MetricsRead

router = APIRouter(tags=["metrics"])


@router.get("/api/metrics", response_model=MetricsRead)
async def get_metrics(principal: Staff, session: SessionDep) -> MetricsRead:
    """AlertCountsRead of the last day by severity, what the workspace runs, and the agent's figures."""
    return await service.metrics(session, principal, window_seconds=settings.metrics_alert_window_seconds)
