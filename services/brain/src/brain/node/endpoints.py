"""A field's master nodes and sensors, and when each last reported.

Not in 004: additions under `/api/brain/`, for the console's nodes page (issue 26).
"""

from typing import Annotated

from fastapi import APIRouter, Query

from brain.node import service
from brain.node.schemas import NodeSeenRead, SensorRead
from shared.security import CurrentPrincipal
from shared.sessions import SessionDep
from shared.validation import INT64_MAX

router = APIRouter(prefix="/api/brain", tags=["brain"])

FieldId = Annotated[int, Query(ge=1, le=INT64_MAX, description="Parcela")]


@router.get("/nodos/", response_model=list[NodeSeenRead], summary="Última conexión de los nodos de una parcela")
async def list_field_nodes_seen(
    principal: CurrentPrincipal, session: SessionDep, parcela_id: FieldId
) -> list[NodeSeenRead]:
    """Cada nodo maestro que publicó lecturas de la parcela: cuándo se aceptó su última
    publicación y si lleva más tiempo callado del que su plan permite (`stale`). Solo parcelas
    visibles para el usuario (404 si no)."""
    return await service.nodes_of_field(session, principal, parcela_id=parcela_id)


@router.get("/sensores/", response_model=list[SensorRead], summary="Sensores de una parcela")
async def list_field_sensors(principal: CurrentPrincipal, session: SessionDep, parcela_id: FieldId) -> list[SensorRead]:
    """Cada sensor de la parcela (nodo secundario y parámetro): el instante de su lectura más
    reciente y desde cuándo no reporta, si lleva más tiempo callado del que su plan permite
    (`stale`). Solo parcelas visibles para el usuario (404 si no)."""
    return await service.sensors_of_field(session, principal, parcela_id=parcela_id)
