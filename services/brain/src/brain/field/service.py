"""brain's read model of agro: fields, growth stages, rules and plan subscriptions.

Each row keeps the `occurred_at` of the event that last wrote it (`shared.repository.apply_newer`),
so a redelivered older event changes nothing and a deleted row stays a tombstone.
"""

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from brain.alert import service as alerts
from brain.models import Field, Rule, Stage, Subscription
from brain.node import service as nodes
from brain.reading import service as readings
from shared.repository import apply_deletion, apply_newer


async def keep_field(
    session: AsyncSession,
    *,
    parcela_id: int,
    tenant_id: int | None,
    usuario_id: int,
    variedad_id: int | None,
    fecha_siembra: date | None,
    etapa_fijada_id: int | None,
    at: datetime,
) -> None:
    values = {
        "tenant_id": tenant_id,
        "usuario_id": usuario_id,
        "variedad_id": variedad_id,
        "fecha_siembra": fecha_siembra,
        "etapa_fijada_id": etapa_fijada_id,
    }
    await apply_newer(session, Field, {"parcela_id": parcela_id}, values, at)


async def forget_field(session: AsyncSession, *, parcela_id: int, tenant_id: int | None, at: datetime) -> None:
    placeholders = {"tenant_id": tenant_id or 0, "usuario_id": 0}
    await apply_deletion(session, Field, {"parcela_id": parcela_id}, at, **placeholders)
    # Its tasks went with it: nothing of it is open any more.
    await alerts.close_suggestions_of_field(session, parcela_id=parcela_id, at=at)
    await readings.forget_sensors(session, parcela_id=parcela_id)
    await nodes.forget_field(session, parcela_id=parcela_id)


async def keep_stage(
    session: AsyncSession,
    *,
    etapa_id: int,
    variedad_id: int,
    nombre: str,
    orden: int,
    duracion_dias: int,
    inicio_dias: int | None,
    at: datetime,
) -> None:
    """`inicio_dias` is None only in an event from before agro published it: the start day
    already stored (the migration's, or a later event's) is kept rather than erased."""
    values: dict[str, object] = {
        "variedad_id": variedad_id,
        "nombre": nombre,
        "orden": orden,
        "duracion_dias": duracion_dias,
    }
    if inicio_dias is not None:
        values["inicio_dias"] = inicio_dias
    await apply_newer(session, Stage, {"etapa_id": etapa_id}, values, at)


async def forget_stage(session: AsyncSession, *, etapa_id: int, at: datetime) -> None:
    placeholders = {"variedad_id": 0, "nombre": "", "orden": 0, "duracion_dias": 0}
    await apply_deletion(session, Stage, {"etapa_id": etapa_id}, at, **placeholders)


async def keep_rule(
    session: AsyncSession,
    *,
    regla_id: int,
    etapa_id: int,
    parametro: str,
    minimo: float,
    maximo: float,
    accion_si_menor: str,
    accion_si_mayor: str,
    activo: bool,
    at: datetime,
) -> None:
    values = {
        "etapa_id": etapa_id,
        "parametro": parametro,
        "minimo": minimo,
        "maximo": maximo,
        "accion_si_menor": accion_si_menor,
        "accion_si_mayor": accion_si_mayor,
        "activo": activo,
    }
    await apply_newer(session, Rule, {"regla_id": regla_id}, values, at)


async def forget_rule(session: AsyncSession, *, regla_id: int, at: datetime) -> None:
    placeholders = {
        "etapa_id": 0,
        "parametro": "",
        "minimo": 0.0,
        "maximo": 0.0,
        "accion_si_menor": "",
        "accion_si_mayor": "",
        "activo": False,
    }
    await apply_deletion(session, Rule, {"regla_id": regla_id}, at, **placeholders)


async def keep_subscription(
    session: AsyncSession,
    *,
    suscripcion_id: int,
    parcela_id: int,
    estado: str,
    frecuencia_minutos: int | None,
    retencion_lecturas_dias: int | None = None,
    retencion_horaria_meses: int | None = None,
    retencion_diaria_anios: int | None = None,
    at: datetime,
) -> None:
    """The retention fields are null in an event from before agro sent them: the defaults apply."""
    values = {
        "parcela_id": parcela_id,
        "estado": estado,
        "frecuencia_minutos": frecuencia_minutos,
        "retencion_lecturas_dias": retencion_lecturas_dias,
        "retencion_horaria_meses": retencion_horaria_meses,
        "retencion_diaria_anios": retencion_diaria_anios,
    }
    await apply_newer(session, Subscription, {"suscripcion_id": suscripcion_id}, values, at)
