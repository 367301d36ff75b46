"""The workspace's AI settings (a row made on first use), its budget, and its token usage."""

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from bots.models import Usage, WorkspaceConfig
from bots.workspace.schemas import (
    AgentSettings,
    CloudProviders,
    Enabled,
    Llm,
    UsageRead,
    UsageRow,
    WorkspaceConfigRead,
    WorkspaceConfigUpdate,
)
from shared.errors import RateLimited

DEFAULTS = {
    "llm_provider": "local",
    "llm_model": "local",
    "autonomy_level": "semi",
    "cloud_providers": {"aws": {"enabled": False}, "azure": {"enabled": False}, "gcp": {"enabled": False}},
}


class BudgetExhausted(RateLimited):
    code = "BUDGET_EXCEEDED"
    message = "El espacio agotó su presupuesto mensual de tokens."


def default_config(tenant_id: int) -> WorkspaceConfig:
    """The settings of a workspace that never stored any (not added to a session)."""
    return WorkspaceConfig(tenant_id=tenant_id, monthly_token_budget=None, **DEFAULTS)


async def config_of(session: AsyncSession, tenant_id: int, *, for_update: bool = False) -> WorkspaceConfig:
    """The workspace's settings; the defaults are stored the first time they are asked for."""
    config = await session.get(WorkspaceConfig, tenant_id, with_for_update=for_update)
    if config is None:
        await session.execute(insert(WorkspaceConfig).values(tenant_id=tenant_id, **DEFAULTS).on_conflict_do_nothing())
        config = await session.get(WorkspaceConfig, tenant_id, with_for_update=for_update, populate_existing=True)
    assert config is not None
    return config


async def update_config(session: AsyncSession, tenant_id: int, body: WorkspaceConfigUpdate) -> WorkspaceConfig:
    config = await config_of(session, tenant_id, for_update=True)
    if body.llm is not None:
        config.llm_provider, config.llm_model = body.llm.provider, body.llm.model
    if body.agent is not None:
        config.autonomy_level = body.agent.autonomy_level
    if body.cloud_providers is not None:
        sent = body.cloud_providers.model_dump(exclude_none=True)
        config.cloud_providers = {**config.cloud_providers, **sent}
    await session.flush()
    return config


def as_out(config: WorkspaceConfig) -> WorkspaceConfigRead:
    clouds = {name: Enabled(**config.cloud_providers.get(name, {"enabled": False})) for name in ("aws", "azure", "gcp")}
    return WorkspaceConfigRead(
        llm=Llm(provider=config.llm_provider, model=config.llm_model),
        agent=AgentSettings(autonomy_level=config.autonomy_level),  # type: ignore[arg-type]
        cloud_providers=CloudProviders(**clouds),
    )


def month_start(now: datetime | None = None) -> datetime:
    now = now or datetime.now(UTC)
    return now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def check_budget(config: WorkspaceConfig, used: int) -> None:
    """Before any provider is called: a workspace at or over its budget is refused (`used`:
    this month's tokens, read with the turn's settings by `turn.repository.read_for_turn`)."""
    if config.monthly_token_budget is not None and used >= config.monthly_token_budget:
        raise BudgetExhausted(
            f"El espacio usó {used} de sus {config.monthly_token_budget} tokens de este mes; "
            "un administrador puede ampliar el presupuesto (PUT /api/ai/budget/).",
            details={"used_tokens": used, "budget_tokens": config.monthly_token_budget},
        )


async def set_budget(session: AsyncSession, tenant_id: int, monthly_tokens: int | None) -> WorkspaceConfig:
    config = await config_of(session, tenant_id, for_update=True)
    config.monthly_token_budget = monthly_tokens
    await session.flush()
    return config


async def usage(session: AsyncSession, tenant_id: int) -> UsageRead:
    config = await config_of(session, tenant_id)
    start = month_start()
    rows = (
        await session.execute(
            select(
                Usage.bot_id, Usage.provider, Usage.model, func.sum(Usage.input_tokens), func.sum(Usage.output_tokens),
                func.count(),
            )
            .where(Usage.tenant_id == tenant_id, Usage.at >= start)
            .group_by(Usage.bot_id, Usage.provider, Usage.model)
            .order_by(Usage.bot_id, Usage.provider, Usage.model)
        )
    ).all()  # fmt: skip
    by_model = [
        UsageRow(bot_id=b, provider=p, model=m, input_tokens=int(i), output_tokens=int(o), answers=int(n))
        for b, p, m, i, o, n in rows
    ]
    return UsageRead(
        month=start.strftime("%Y-%m"),
        budget_tokens=config.monthly_token_budget,
        used_tokens=sum(r.input_tokens + r.output_tokens for r in by_model),
        by_model=by_model,
    )
