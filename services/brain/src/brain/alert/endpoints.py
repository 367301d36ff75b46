"""A field's alerts with their acknowledgement trail.

Not in 004: additions under `/api/brain/`, for the console's farm pages (issue 26).
"""

from typing import Annotated

from fastapi import APIRouter, Query

from brain.alert import service
from brain.alert.schemas import AlertAckCreate, AlertRead
from shared.security import CurrentPrincipal
from shared.sessions import SessionDep
from shared.validation import INT64_MAX, Id

router = APIRouter(prefix="/api/brain", tags=["brain"])

FieldId = Annotated[int, Query(ge=1, le=INT64_MAX, description="Parcela")]


@router.get("/alertas/", response_model=list[AlertRead], summary="Alertas de una parcela")
async def list_field_alerts(
    principal: CurrentPrincipal,
    session: SessionDep,
    parcela_id: FieldId,
    activas: Annotated[bool, Query(description="Solo las que siguen activas")] = True,
) -> list[AlertRead]:
    """Las alertas más recientes de la parcela (reglas incumplidas, sensores sin reportar), de la
    más nueva a la más vieja, cada una con quién la reconoció, cuándo y con qué nota.
    `activas=false` incluye las ya resueltas. Solo parcelas visibles para el usuario (404 si no).
    \f
    At most `service.ALERTS_LISTED`, newest first."""
    return await service.alerts_of_field(session, principal, parcela_id=parcela_id, active_only=activas)


@router.post("/alertas/{id}/reconocer/", response_model=AlertRead, summary="Reconocer una alerta")
async def acknowledge_alert(
    id: Id, body: AlertAckCreate, principal: CurrentPrincipal, session: SessionDep
) -> AlertRead:
    """Deja constancia de que el usuario vio la alerta, con una nota opcional; cada
    reconocimiento se conserva (quién, cuándo, nota). 404 si la alerta no es de una parcela
    visible para el usuario."""
    return await service.acknowledge(session, principal, alert_id=id, nota=body.nota)
