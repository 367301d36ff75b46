"""004's `/api/brain/history/`, `/api/brain/series/`, `/api/brain/kpis/`."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from brain.analytics import service
from brain.analytics.schemas import Bucket, HistoryRead, KpisRead, Scope, SeriesRead
from shared.security import CurrentPrincipal
from shared.sessions import SessionDep
from shared.validation import INT64_MAX, Text

router = APIRouter(prefix="/api/brain", tags=["brain"])

FieldId = Annotated[int, Query(ge=1, le=INT64_MAX, description="Parcela")]
Parameter = Annotated[Text, Query(min_length=1, max_length=100, description='p.ej. "humedad_suelo"')]
From = Annotated[datetime | None, Query(alias="from", description="ISO 8601; sin zona, UTC")]
To = Annotated[datetime | None, Query(alias="to", description="ISO 8601; sin zona, UTC")]


@router.get("/history/", response_model=HistoryRead, summary="Historial de lecturas agrupado")
async def get_reading_history(
    principal: CurrentPrincipal,
    session: SessionDep,
    parcela_id: FieldId,
    parametro: Parameter | None = None,
    start: From = None,
    end: To = None,
    bucket: Bucket = "hour",
    tz: Annotated[Text | None, Query(max_length=64, description="Zona IANA de los días, p.ej. America/Lima")] = None,
) -> HistoryRead:
    """Las lecturas de una parcela agrupadas por intervalo (`bucket`: minuto, hora o día) y
    parámetro, con su media, mínimo y máximo; `from`/`to` acotan el periodo y `tz` fija en qué
    zona empiezan los días. Solo parcelas visibles para el usuario (404 si no)."""
    return await service.history(
        session, principal, parcela_id, parametro=parametro, start=start, end=end, bucket=bucket, tz=tz
    )


@router.get("/series/", response_model=SeriesRead, summary="Serie temporal de un parámetro")
async def get_reading_series(
    principal: CurrentPrincipal,
    session: SessionDep,
    parcela_id: FieldId,
    parametro: Parameter,
    start: From = None,
    end: To = None,
) -> SeriesRead:
    """Cada lectura de un parámetro de la parcela (p. ej. `temperatura`), en orden, entre
    `from` y `to` si se indican. Solo parcelas visibles para el usuario (404 si no)."""
    return await service.series(session, principal, parcela_id, parametro=parametro, start=start, end=end)


@router.get("/kpis/", response_model=KpisRead, summary="KPIs de tareas y parcelas")
async def get_kpis(
    principal: CurrentPrincipal,
    session: SessionDep,
    scope: Scope = "user",
    days: Annotated[int, Query(ge=1, le=366)] = 7,
) -> KpisRead:
    """Cuántas tareas hubo en los últimos `days` días, cuántas sugirió la IA y cuántas de esas se
    aceptaron o rechazaron, y cuántas parcelas se monitorean: las de las parcelas visibles para
    el usuario (`scope=user`) o las de toda la plataforma (`scope=global`, solo un administrador
    de la plataforma; 403 a cualquier otro)."""
    return await service.kpis(session, principal, scope=scope, days=days)
