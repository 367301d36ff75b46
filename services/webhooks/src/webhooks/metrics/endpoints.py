"""002's `GET /api/metrics`, per workspace."""

from fastapi import APIRouter

from shared.sessions import SessionDep
from webhooks.access import Staff
from webhooks.config import settings
from webhooks.metrics import service
from webhooks.metrics.schemas import MetricsRead

router = APIRouter(tags=["metrics"])


@router.get("/api/metrics", response_model=MetricsRead, summary="Obtener métricas")
async def get_metrics(principal: Staff, session: SessionDep) -> MetricsRead:
    """Las alertas del último día por gravedad, lo que el espacio de trabajo tiene en marcha
    (parcelas, nodos, instancias) y las cifras del agente (mensajes, tools ejecutados, tiempo
    en marcha). Para quien ve todo el espacio de trabajo (administrador, técnico)."""
    return await service.metrics(session, principal, window_seconds=settings.metrics_alert_window_seconds)
