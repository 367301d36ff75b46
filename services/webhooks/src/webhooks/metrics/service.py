"""A workspace's metrics from webhooks' own read models (no other service's tables).

`total_messages` counts the questions and answers of bots' conversations and AI chat
(`bots.answer.completed`), `tools_executed` the tools run (`bots.tool.executed`); the
cloud-provider counts stay 0 until cloud integrations land and are consumed here.
"""

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.security import Principal
from webhooks.metrics.schemas import AgentStats, Alerts, Infrastructure, Metrics
from webhooks.models import AgentCount, AlertSeen, Asset

STARTED = time.monotonic()


async def metrics(session: AsyncSession, principal: Principal, *, window_seconds: int) -> Metrics:
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
    return Metrics(
        alerts=Alerts(
            critical=by_severity.get("critical", 0),
            warning=by_severity.get("warning", 0),
            ok=sum(cleared for _, _, cleared in raised),
        ),
        infrastructure=Infrastructure(parcelas=assets.get("parcela", 0), nodos=assets.get("nodo", 0)),
        agent_stats=AgentStats(
            total_messages=counts.messages if counts else 0,
            tools_executed=counts.tools if counts else 0,
            uptime_seconds=int(time.monotonic() - STARTED),
        ),
    )
