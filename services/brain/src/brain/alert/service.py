"""Rules into suggestions and alerts, and sensors that went silent.

One suggestion per field and rule stays open until agro reports it decided or deleted (a
unique partial index makes that hold across replicas); each new one is published as
`brain.task.suggested` and `brain.alert.raised`.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from brain import events
from brain.alert import repository
from brain.alert.schemas import AlertAckRead, AlertRead
from brain.alert.violation import action_for, describe, severity
from brain.analytics.service import check_visible
from brain.config import settings
from brain.models import Alert, AlertAck, Rule
from shared.errors import NotFound
from shared.security import Principal


class Measured(Protocol):
    """The newest value of a field's parameter, as the readings store answers it."""

    @property
    def parcela_id(self) -> int: ...
    @property
    def parametro(self) -> str: ...
    @property
    def t(self) -> datetime: ...
    @property
    def nodo_codigo(self) -> str: ...
    @property
    def valor(self) -> float: ...
    @property
    def tenant_id(self) -> int: ...


async def evaluate(session: AsyncSession, *, values: Sequence[Measured], now: datetime) -> None:
    """Check the newest new value of each field's parameter against its current stage's rules."""
    if not values:
        return
    book = await repository.load_rulebook(session, {value.parcela_id for value in values})
    for value in values:
        for rule in book.rules_for(value.parcela_id, value.parametro, value.t.astimezone(UTC).date()):
            action = action_for(rule, value.valor)
            if action is not None:
                await suggest(session, value=value, rule=rule, action=action, now=now)


async def suggest(session: AsyncSession, *, value: Measured, rule: Rule, action: str, now: datetime) -> None:
    descripcion = describe(action, rule, value.valor)
    opened = await repository.open_suggestion(
        session,
        tenant_id=value.tenant_id,
        parcela_id=value.parcela_id,
        regla_id=rule.regla_id,
        descripcion=descripcion,
    )
    if opened is None:
        return  # the same rule's suggestion for this field is still open
    task = events.TaskSuggested(
        parcela_id=value.parcela_id,
        regla_id=rule.regla_id,
        tipo=action[:100],
        descripcion=descripcion,
        fecha_programada=now,
    )
    await events.outbox.emit(session, task, tenant_id=value.tenant_id)
    alert = Alert(
        tenant_id=value.tenant_id,
        parcela_id=value.parcela_id,
        tipo="regla",
        severity=severity(rule, value.valor, critical_fraction=settings.critical_fraction),
        regla_id=rule.regla_id,
        nodo_codigo=value.nodo_codigo,
        parametro=value.parametro,
        valor=value.valor,
        mensaje=descripcion,
    )
    await raise_alert(session, alert=alert)


async def raise_alert(session: AsyncSession, *, alert: Alert) -> None:
    session.add(alert)
    await session.flush()
    columns = ("parcela_id", "tipo", "severity", "parametro", "mensaje", "regla_id", "nodo_codigo", "valor")
    raised = events.AlertRaised.model_validate({"alerta_id": alert.id, **{c: getattr(alert, c) for c in columns}})
    await events.outbox.emit(session, raised, tenant_id=alert.tenant_id)


async def close_suggestion(session: AsyncSession, *, parcela_id: int, regla_id: int | None, at: datetime) -> None:
    """The farmer dealt with the rule's suggestion: the next violation may suggest again."""
    if regla_id is None:
        return
    await repository.close_suggestion(session, parcela_id=parcela_id, regla_id=regla_id, at=at)


async def close_suggestions_of_field(session: AsyncSession, *, parcela_id: int, at: datetime) -> None:
    """A deleted field's tasks went with it: nothing of it is open any more."""
    await repository.close_field_suggestions(session, parcela_id=parcela_id, at=at)


async def sensors_back(session: AsyncSession, *, parcela_ids: set[int]) -> None:
    """Clear the `sensor.stale` alert of each sensor of these fields that reported again."""
    for parcela_id, nodo_codigo, parametro in await repository.unflag_sensors_back(session, parcela_ids):
        cleared = await repository.clear_stale_alerts(
            session, parcela_id=parcela_id, nodo_codigo=nodo_codigo, parametro=parametro, at=datetime.now(UTC)
        )
        for alert_id, tenant_id in cleared:
            event = events.AlertCleared(
                alerta_id=alert_id,
                parcela_id=parcela_id,
                tipo="sensor.stale",
                parametro=parametro,
                nodo_codigo=nodo_codigo,
            )
            await events.outbox.emit(session, event, tenant_id=tenant_id)


async def flag_stale_sensors(session: AsyncSession, *, now: datetime) -> int:
    """Raise `sensor.stale` once for each sensor silent longer than its plan allows."""
    rows = await repository.flag_stale_sensors(session, now=now, intervals=settings.stale_after_intervals)
    for row in rows:
        mensaje = (
            f"El sensor '{row.parametro}' del nodo {row.nodo_codigo} no reporta desde {row.last_seen.isoformat()} "
            f"(plan: cada {row.minutes} min)."
        )
        alert = Alert(
            tenant_id=row.tenant_id,
            parcela_id=row.parcela_id,
            tipo="sensor.stale",
            severity="warning",
            nodo_codigo=row.nodo_codigo,
            parametro=row.parametro,
            mensaje=mensaje,
        )
        await raise_alert(session, alert=alert)
    return len(rows)


# The newest alerts a field's page lists: enough for a screen, bounded for a field that raises many.
ALERTS_LISTED = 200


async def alerts_of_field(
    session: AsyncSession, principal: Principal, *, parcela_id: int, active_only: bool
) -> list[AlertRead]:
    """A visible field's newest alerts, each with its acknowledgement trail (404 otherwise)."""
    await check_visible(session, principal, parcela_id)
    alerts, trail = await repository.alerts_of_field(
        session, parcela_id=parcela_id, active_only=active_only, limit=ALERTS_LISTED
    )
    return [_read(alert, trail.get(alert.id, [])) for alert in alerts]


async def acknowledge(session: AsyncSession, principal: Principal, *, alert_id: int, nota: str) -> AlertRead:
    """Record that the caller saw the alert (and why, in `nota`); every acknowledgement is kept."""
    alert = await session.get(Alert, alert_id)
    if alert is None or alert.tenant_id != principal.tenant_id:
        raise NotFound("Alerta no encontrada.")
    await check_visible(session, principal, alert.parcela_id)
    session.add(AlertAck(alert_id=alert.id, tenant_id=alert.tenant_id, usuario_id=principal.user_id, nota=nota))
    await session.flush()
    return _read(alert, await repository.acks_of(session, alert.id))


def _read(alert: Alert, acks: Sequence[AlertAck]) -> AlertRead:
    return AlertRead.model_validate(
        {
            **{column: getattr(alert, column) for column in AlertRead.model_fields if column != "reconocimientos"},
            "reconocimientos": [AlertAckRead.model_validate(ack) for ack in acks],
        }
    )
