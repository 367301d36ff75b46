"""002's `/api/metrics` answer, with the agro platform's counts beside the cloud ones."""

from pydantic import BaseModel, ConfigDict, Field


class AlertCountsRead(BaseModel):
    critical: int = Field(description="Alertas críticas emitidas en la ventana")
    warning: int = Field(description="Advertencias emitidas en la ventana")
    ok: int = Field(description="Alertas emitidas en la ventana que ya se resolvieron")


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
    """002's own answer ("Obtener Métricas"), with the agro counts beside the cloud ones."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "alerts": {"critical": 2, "warning": 5, "ok": 120},
                    "infrastructure": {
                        "aws_instances": 15,
                        "azure_vms": 8,
                        "gcp_instances": 0,
                        "parcelas": 12,
                        "nodos": 20,
                    },
                    "agent_stats": {"total_messages": 1250, "tools_executed": 3420, "uptime_seconds": 86400},
                }
            ]
        }
    )

    alerts: AlertCountsRead
    infrastructure: InfrastructureRead
    agent_stats: AgentStatsRead
