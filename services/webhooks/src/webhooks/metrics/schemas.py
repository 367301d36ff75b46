"""002's `/api/metrics` answer, with the agro platform's counts beside the cloud ones."""

from pydantic import BaseModel, Field


class AlertCountsRead(BaseModel):
    critical: int = Field(description="Critical alerts raised in the window")
    warning: int = Field(description="Warnings raised in the window")
    ok: int = Field(description="AlertCountsRead raised in the window that have cleared since")


class InfrastructureRead(BaseModel):
    aws_instances: int = 0
    azure_vms: int = 0
    gcp_instances: int = 0
    parcelas: int = 0
    nodos: int = 0


class AgentStatsRead(BaseModel):
    total_messages: int = 0
    tools_executed: int = 0
    uptime_seconds: int


class MetricsRead(BaseModel):
    alerts: AlertCountsRead
    infrastructure: InfrastructureRead
    agent_stats: AgentStatsRead
