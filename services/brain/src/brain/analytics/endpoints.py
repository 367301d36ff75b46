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


@router.get("/history/", response_model=HistoryRead)
async def history(
    principal: CurrentPrincipal,
    session: SessionDep,
    parcela_id: FieldId,
    parametro: Parameter | None = None,
    start: From = None,
    end: To = None,
    bucket: Bucket = "hour",
    tz: Annotated[Text | None, Query(max_length=64, description="Zona IANA de los días, p.ej. America/Lima")] = None,
) -> HistoryRead:
    """Historial agrupado: avg, min y max por intervalo y parámetro."""
    return await service.history(
        session, principal, parcela_id, parametro=parametro, start=start, end=end, bucket=bucket, tz=tz
    )


@router.get("/series/", response_model=SeriesRead)
async def series(
    principal: CurrentPrincipal,
    session: SessionDep,
    parcela_id: FieldId,
    parametro: Parameter,
    start: From = None,
    end: To = None,
) -> SeriesRead:
    """Serie temporal de un parámetro de la parcela (cada lectura)."""
    return await service.series(session, principal, parcela_id, parametro=parametro, start=start, end=end)


@router.get("/kpis/", response_model=KpisRead)
async def kpis(
    principal: CurrentPrincipal,
    session: SessionDep,
    scope: Scope = "user",
    days: Annotated[int, Query(ge=1, le=366)] = 7,
) -> KpisRead:
    """KPIs de tareas (las del usuario, o de toda la plataforma con scope=global)."""
    return await service.kpis(session, principal, scope=scope, days=days)
