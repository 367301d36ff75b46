"""A workspace's metrics from webhooks' own read models (no other service's tables).

The cloud-provider counts and the agent's message and tool counts stay 0 until the services
that publish them (bots' integrations, conversations and tools) land and are consumed here.
"""

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.security import Principal
from webhooks.metrics.schemas import AgentStats, Alerts, Infrastructure, Metrics
from webhooks.models import AlertSeen, Asset

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
    return Metrics(
        alerts=Alerts(
            critical=by_severity.get("critical", 0),
            warning=by_severity.get("warning", 0),
            ok=sum(cleared for _, _, cleared in raised),
        ),
        infrastructure=Infrastructure(parcelas=assets.get("parcela", 0), nodos=assets.get("nodo", 0)),
        agent_stats=AgentStats(uptime_seconds=int(time.monotonic() - STARTED)),
    )
