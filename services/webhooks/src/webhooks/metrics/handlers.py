"""Inbound events: the metrics' read models (alerts by severity, fields and nodes, the agent's work)."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import Envelope
from webhooks import events
from webhooks.metrics import service


async def on_alerts_raised(session: AsyncSession, batch: Sequence[tuple[Envelope, events.AlertRaised]]) -> None:
    """A batch per statement: alerts come in bursts."""
    raised = [(envelope.tenant_id or 0, event, envelope.occurred_at) for envelope, event in batch]
    await service.record_alerts_raised(session, raised=raised)


async def on_alert_cleared(session: AsyncSession, envelope: Envelope, event: events.AlertCleared) -> None:
    await service.record_alert_cleared(session, alerta_id=event.alerta_id, cleared_at=envelope.occurred_at)


async def on_field_upserted(session: AsyncSession, envelope: Envelope, event: events.FieldUpserted) -> None:
    await service.record_asset(
        session, tenant_id=envelope.tenant_id or 0, kind="parcela", asset_id=event.parcela_id, deleted=False,
        as_of=envelope.occurred_at,
    )  # fmt: skip


async def on_field_deleted(session: AsyncSession, envelope: Envelope, event: events.FieldDeleted) -> None:
    await service.record_asset(
        session, tenant_id=envelope.tenant_id or 0, kind="parcela", asset_id=event.parcela_id, deleted=True,
        as_of=envelope.occurred_at,
    )  # fmt: skip


async def on_node_upserted(session: AsyncSession, envelope: Envelope, event: events.NodeUpserted) -> None:
    await service.record_asset(
        session, tenant_id=envelope.tenant_id or 0, kind="nodo", asset_id=event.nodo_id, deleted=False,
        as_of=envelope.occurred_at,
    )  # fmt: skip


async def on_node_deleted(session: AsyncSession, envelope: Envelope, event: events.NodeDeleted) -> None:
    await service.record_asset(
        session, tenant_id=envelope.tenant_id or 0, kind="nodo", asset_id=event.nodo_id, deleted=True,
        as_of=envelope.occurred_at,
    )  # fmt: skip


async def on_answer_completed(session: AsyncSession, envelope: Envelope, event: events.AnswerCompleted) -> None:
    """An answer and the question it answered: two messages (the inbox makes it count once)."""
    await service.count_agent_work(session, tenant_id=envelope.tenant_id or 0, messages=2)


async def on_tool_executed(session: AsyncSession, envelope: Envelope, event: events.ToolExecuted) -> None:
    await service.count_agent_work(session, tenant_id=envelope.tenant_id or 0, tools=1)
