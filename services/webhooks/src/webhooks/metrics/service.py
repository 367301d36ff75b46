"""A workspace's metrics from webhooks' own read models (no other service's tables).

`total_messages` counts the questions and answers of bots' conversations and AI chat
(`bots.answer.completed`), `tools_executed` the tools run (`bots.tool.executed`); the
cloud-provider counts stay 0 until cloud integrations land and are consumed here. The read
models' writes are here too, called by `handlers.py`.
"""

import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.repository import apply_deletion, apply_newer
from shared.security import Principal
from webhooks import events
from webhooks.metrics.schemas import AgentStatsRead, AlertCountsRead, InfrastructureRead, MetricsRead
from webhooks.models import AgentCount, AlertSeen, Asset

STARTED = time.monotonic()


async def metrics(session: AsyncSession, principal: Principal, *, window_seconds: int) -> MetricsRead:
    since = datetime.now(UTC) - timedelta(seconds=window_seconds)
    raised = (
        await session.execute(
            select(AlertSeen.severity, func.count(), func.count(AlertSeen.cleared_at))
            .where(AlertSeen.tenant_id == principal.tenant_id, AlertSeen.raised_at >= since)
            .group_by(AlertSeen.severity)
        )
    ).all()
    by_severity = {severity: count for severity, count, _ in raised}
    assets = dict(
        (
            await session.execute(
                select(Asset.kind, func.count())
                .where(Asset.tenant_id == principal.tenant_id, ~Asset.deleted)
                .group_by(Asset.kind)
            )
        ).all()
    )
    counts = await session.get(AgentCount, principal.tenant_id)
    return MetricsRead(
        alerts=AlertCountsRead(
            critical=by_severity.get("critical", 0),
            warning=by_severity.get("warning", 0),
            ok=sum(cleared for _, _, cleared in raised),
        ),
        infrastructure=InfrastructureRead(parcelas=assets.get("parcela", 0), nodos=assets.get("nodo", 0)),
        agent_stats=AgentStatsRead(
            total_messages=counts.messages if counts else 0,
            tools_executed=counts.tools if counts else 0,
            uptime_seconds=int(time.monotonic() - STARTED),
        ),
    )


async def record_alerts_raised(
    session: AsyncSession, *, raised: Sequence[tuple[int, events.AlertRaised, datetime]]
) -> None:
    """(tenant, alert, raised at) for a batch, in one statement: the alert id makes a redelivery add nothing."""
    rows = [
        {"alerta_id": alert.alerta_id, "tenant_id": tenant_id, "severity": alert.severity, "raised_at": raised_at}
        for tenant_id, alert, raised_at in raised
    ]
    await session.execute(insert(AlertSeen).on_conflict_do_nothing(), rows)


async def record_alert_cleared(session: AsyncSession, *, alerta_id: int, cleared_at: datetime) -> None:
    await session.execute(update(AlertSeen).where(AlertSeen.alerta_id == alerta_id).values(cleared_at=cleared_at))


async def record_asset(
    session: AsyncSession,
    *,
    tenant_id: int,
    kind: Literal["parcela", "nodo"],
    asset_id: int,
    deleted: bool,
    as_of: datetime,
) -> None:
    """A field or node seen or deleted; versioned, so a late event never undoes a newer one."""
    key = {"kind": kind, "asset_id": asset_id}
    if deleted:
        await apply_deletion(session, Asset, key, as_of, tenant_id=tenant_id)
    else:
        await apply_newer(session, Asset, key, {"tenant_id": tenant_id}, as_of)


async def count_agent_work(session: AsyncSession, *, tenant_id: int, messages: int = 0, tools: int = 0) -> None:
    added = insert(AgentCount).values(tenant_id=tenant_id, messages=messages, tools=tools)
    await session.execute(
        added.on_conflict_do_update(
            index_elements=[AgentCount.tenant_id],
            set_={"messages": AgentCount.messages + messages, "tools": AgentCount.tools + tools},
        )
    )
