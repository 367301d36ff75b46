"""Rules into suggestions and alerts, and sensors that went silent.

A value under a rule's `minimo` suggests `accion_si_menor`, over its `maximo`
`accion_si_mayor`. One suggestion per field and rule stays open until agro reports it
decided or deleted (a unique partial index makes that hold across replicas); each new one
is published as `brain.task.suggested` and `brain.alert.raised`.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from brain import events
from brain.agronomy import Rulebook
from brain.config import settings
from brain.models import Alert, Rule, Suggestion

if TYPE_CHECKING:
    from brain.readings import Stored


def severity(rule: Rule, valor: float) -> events.Severity:
    """`critical` when the value is outside the band by more than `critical_fraction` of its width."""
    width = rule.maximo - rule.minimo
    margin = settings.critical_fraction * (width if width > 0 else max(abs(rule.minimo), abs(rule.maximo), 1.0))
    beyond = rule.minimo - valor if valor < rule.minimo else valor - rule.maximo
    return "critical" if beyond > margin else "warning"


def describe(action: str, rule: Rule, valor: float) -> str:
    """004's wording: "Regar 30 min (regla 5) — parametro=humedad_suelo, valor=18.2"."""
    return f"{action} (regla {rule.regla_id}) — parametro={rule.parametro}, valor={valor:g}"


async def evaluate(session: AsyncSession, stored: Sequence["Stored"], now: datetime) -> None:
    """Check the newest new value of each field's parameter against its current stage's rules."""
    if not stored:
        return
    book = await Rulebook.load(session, {row.parcela_id for row in stored})
    for row in stored:
        for rule in book.rules_for(row.parcela_id, row.parametro, row.t.astimezone(UTC).date()):
            if rule.minimo <= row.valor <= rule.maximo:
                continue
            action = rule.accion_si_menor if row.valor < rule.minimo else rule.accion_si_mayor
            await suggest(session, row, rule, action, now)


async def suggest(session: AsyncSession, row: "Stored", rule: Rule, action: str, now: datetime) -> None:
    descripcion = describe(action, rule, row.valor)
    opened = await session.scalar(
        insert(Suggestion)
        .values(tenant_id=row.tenant_id, parcela_id=row.parcela_id, regla_id=rule.regla_id, descripcion=descripcion)
        .on_conflict_do_nothing(index_elements=["parcela_id", "regla_id"], index_where=text("closed_at IS NULL"))
        .returning(Suggestion.id)
    )
    if opened is None:
        return  # the same rule's suggestion for this field is still open
    task = events.TaskSuggested(
        parcela_id=row.parcela_id,
        regla_id=rule.regla_id,
        tipo=action[:100],
        descripcion=descripcion,
        fecha_programada=now,
    )
    await events.outbox.emit(session, task, tenant_id=row.tenant_id)
    alert = Alert(
        tenant_id=row.tenant_id,
        parcela_id=row.parcela_id,
        tipo="regla",
        severity=severity(rule, row.valor),
        regla_id=rule.regla_id,
        nodo_codigo=row.nodo_codigo,
        parametro=row.parametro,
        valor=row.valor,
        mensaje=descripcion,
    )
    await raise_alert(session, alert)


async def raise_alert(session: AsyncSession, alert: Alert) -> None:
    session.add(alert)
    await session.flush()
    columns = ("parcela_id", "tipo", "severity", "parametro", "mensaje", "regla_id", "nodo_codigo", "valor")
    raised = events.AlertRaised.model_validate({"alerta_id": alert.id, **{c: getattr(alert, c) for c in columns}})
    await events.outbox.emit(session, raised, tenant_id=alert.tenant_id)


async def close_suggestion(session: AsyncSession, parcela_id: int, regla_id: int | None, at: datetime) -> None:
    if regla_id is None:
        return
    await session.execute(
        update(Suggestion)
        .where(Suggestion.parcela_id == parcela_id, Suggestion.regla_id == regla_id, Suggestion.closed_at.is_(None))
        .values(closed_at=at)
    )


# -- stale sensors ------------------------------------------------------------------------------
_BACK = text("""
    UPDATE sensors SET stale_at = NULL
    WHERE stale_at IS NOT NULL AND last_seen > stale_at AND parcela_id = ANY(CAST(:parcela_ids AS bigint[]))
    RETURNING parcela_id, nodo_codigo, parametro
""")

# `stale_at` keeps the last_seen it was flagged at: a later reading means the sensor is back.
_GONE_STALE = text("""
    UPDATE sensors s SET stale_at = s.last_seen
    FROM (
        SELECT parcela_id, min(frecuencia_minutos) AS minutes FROM subscriptions
        WHERE estado = 'activo' AND NOT deleted AND frecuencia_minutos > 0 GROUP BY parcela_id
    ) AS plan
    WHERE s.parcela_id = plan.parcela_id AND s.stale_at IS NULL
        AND s.last_seen < CAST(:now AS timestamptz)
            - make_interval(secs => plan.minutes * 60 * CAST(:intervals AS float8))
    RETURNING s.parcela_id, s.nodo_codigo, s.parametro, s.tenant_id, s.last_seen, plan.minutes
""")


async def sensors_back(session: AsyncSession, parcela_ids: set[int]) -> None:
    """Clear the `sensor.stale` alert of each sensor of these fields that reported again."""
    back = (await session.execute(_BACK, {"parcela_ids": sorted(parcela_ids)})).all()
    for parcela_id, nodo_codigo, parametro in back:
        cleared = (
            await session.execute(
                update(Alert)
                .where(
                    Alert.parcela_id == parcela_id,
                    Alert.nodo_codigo == nodo_codigo,
                    Alert.parametro == parametro,
                    Alert.tipo == "sensor.stale",
                    Alert.cleared_at.is_(None),
                )
                .values(cleared_at=datetime.now(UTC))
                .returning(Alert.id, Alert.tenant_id)
            )
        ).all()
        for alert_id, tenant_id in cleared:
            event = events.AlertCleared(
                alerta_id=alert_id,
                parcela_id=parcela_id,
                tipo="sensor.stale",
                parametro=parametro,
                nodo_codigo=nodo_codigo,
            )
            await events.outbox.emit(session, event, tenant_id=tenant_id)


async def flag_stale_sensors(session: AsyncSession, now: datetime) -> int:
    """Raise `sensor.stale` once for each sensor silent longer than its plan allows."""
    rows = (await session.execute(_GONE_STALE, {"now": now, "intervals": settings.stale_after_intervals})).all()
    for parcela_id, nodo_codigo, parametro, tenant_id, last_seen, minutes in rows:
        mensaje = (
            f"El sensor '{parametro}' del nodo {nodo_codigo} no reporta desde {last_seen.isoformat()} "
            f"(plan: cada {minutes} min)."
        )
        alert = Alert(
            tenant_id=tenant_id,
            parcela_id=parcela_id,
            tipo="sensor.stale",
            severity="warning",
            nodo_codigo=nodo_codigo,
            parametro=parametro,
            mensaje=mensaje,
        )
        await raise_alert(session, alert)
    return len(rows)
