"""The metrics' read models, from events: alerts by severity, fields and nodes per workspace."""

from collections.abc import Sequence

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import Envelope
from shared.repository import apply_deletion, apply_newer
from webhooks import events
from webhooks.models import AgentCount, AlertSeen, Asset


async def on_alerts_raised(session: AsyncSession, batch: Sequence[tuple[Envelope, events.AlertRaised]]) -> None:
    """A batch per statement: alerts come in bursts, and the alert id makes a redelivery add nothing."""
    rows = [
        {"alerta_id": event.alerta_id, "tenant_id": envelope.tenant_id or 0, "severity": event.severity,
         "raised_at": envelope.occurred_at}
        for envelope, event in batch
    ]  # fmt: skip
    await session.execute(insert(AlertSeen).on_conflict_do_nothing(), rows)


async def on_alert_cleared(session: AsyncSession, envelope: Envelope, event: events.AlertCleared) -> None:
    await session.execute(
        update(AlertSeen).where(AlertSeen.alerta_id == event.alerta_id).values(cleared_at=envelope.occurred_at)
    )


async def _asset(session: AsyncSession, envelope: Envelope, kind: str, asset_id: int, *, deleted: bool) -> None:
    key = {"kind": kind, "asset_id": asset_id}
    if deleted:
        await apply_deletion(session, Asset, key, envelope.occurred_at, tenant_id=envelope.tenant_id or 0)
    else:
        await apply_newer(session, Asset, key, {"tenant_id": envelope.tenant_id or 0}, envelope.occurred_at)


async def on_field_upserted(session: AsyncSession, envelope: Envelope, event: events.FieldUpserted) -> None:
    await _asset(session, envelope, "parcela", event.parcela_id, deleted=False)


async def on_field_deleted(session: AsyncSession, envelope: Envelope, event: events.FieldDeleted) -> None:
    await _asset(session, envelope, "parcela", event.parcela_id, deleted=True)


async def on_node_upserted(session: AsyncSession, envelope: Envelope, event: events.NodeUpserted) -> None:
    await _asset(session, envelope, "nodo", event.nodo_id, deleted=False)


async def on_node_deleted(session: AsyncSession, envelope: Envelope, event: events.NodeDeleted) -> None:
    await _asset(session, envelope, "nodo", event.nodo_id, deleted=True)


async def on_answer_completed(session: AsyncSession, envelope: Envelope, event: events.AnswerCompleted) -> None:
    """An answer and the question it answered: two messages (the inbox makes it count once)."""
    added = insert(AgentCount).values(tenant_id=envelope.tenant_id or 0, messages=2, tools=0)
    await session.execute(
        added.on_conflict_do_update(index_elements=[AgentCount.tenant_id], set_={"messages": AgentCount.messages + 2})
    )


async def on_tool_executed(session: AsyncSession, envelope: Envelope, event: events.ToolExecuted) -> None:
    added = insert(AgentCount).values(tenant_id=envelope.tenant_id or 0, messages=0, tools=1)
    await session.execute(
        added.on_conflict_do_update(index_elements=[AgentCount.tenant_id], set_={"tools": AgentCount.tools + 1})
    )
