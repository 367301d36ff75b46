"""002's `/api/metrics` answer, with the agro platform's counts beside the cloud ones."""

from pydantic import BaseModel, Field


class Alerts(BaseModel):
    critical: int = Field(description="Critical alerts raised in the window")
    warning: int = Field(description="Warnings raised in the window")
    ok: int = Field(description="Alerts raised in the window that have cleared since")


class Infrastructure(BaseModel):
    aws_instances: int = 0
    azure_vms: int = 0
    gcp_instances: int = 0
    parcelas: int = 0
    nodos: int = 0


class AgentStats(BaseModel):
    total_messages: int = 0
    tools_executed: int = 0
    uptime_seconds: int


class Metrics(BaseModel):
    alerts: Alerts
    infrastructure: Infrastructure
    agent_stats: AgentStats
