"""002's webhook bodies and answers. A webhook's id is "wh_<n>", like 002's "conv_123"."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from shared.validation import InputModel, PatchModel
from webhooks.catalog import BY_NAME


def _known(names: list[str]) -> list[str]:
    unknown = sorted(set(names) - set(BY_NAME))
    if unknown:
        raise ValueError(f"Eventos desconocidos: {', '.join(unknown)}. Disponibles: {', '.join(BY_NAME)}.")
    return sorted(set(names))


EventNames = Annotated[list[Annotated[str, Field(max_length=64)]], Field(min_length=1, max_length=50),
                       AfterValidator(_known)]  # fmt: skip
Url = Annotated[str, Field(min_length=8, max_length=2000, examples=["https://tu-servidor.com/webhook"])]

_WEBHOOK: dict[str, Any] = {
    "id": "wh_1",
    "url": "https://tu-servidor.com/webhook",
    "events": ["alert.critical", "tool.executed"],
    "active": True,
    "disabled_at": None,
    "created_at": "2026-01-16T09:30:00Z",
    "updated_at": "2026-01-16T09:30:00Z",
}


class WebhookCreate(InputModel):
    """002's own body ("Configurar Webhook")."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "url": "https://tu-servidor.com/webhook",
                    "events": ["alert.critical", "tool.executed"],
                    "secret": "tu-secreto",
                }
            ]
        }
    )

    url: Url
    events: EventNames = Field(examples=[["alert.critical", "tool.executed"]])
    # `whsec_<base64>` as Standard Webhooks writes it, or any text (used as its UTF-8 bytes).
    # Omitted: one is generated and shown once.
    secret: str | None = Field(default=None, min_length=8, max_length=200)


class WebhookUpdate(PatchModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"active": True}, {"events": ["alert.critical"]}]})

    url: Url | None = None
    events: EventNames | None = None
    secret: str | None = Field(default=None, min_length=8, max_length=200)
    # Re-enable a webhook the platform disabled after a day of failures.
    active: bool | None = None


class WebhookRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_WEBHOOK]})

    id: str
    url: str
    events: list[str]
    active: bool
    disabled_at: datetime | None
    created_at: datetime
    updated_at: datetime


class NewWebhookRead(WebhookRead):
    model_config = ConfigDict(json_schema_extra={"examples": [{**_WEBHOOK, "secret": "tu-secreto"}]})

    secret: str = Field(description="Solo se muestra en esta respuesta")


class WebhookList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"webhooks": [_WEBHOOK]}]})

    webhooks: list[WebhookRead]


class DeliveryRead(BaseModel):
    id: str
    event_type: str
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None
    payload: dict[str, Any]


class DeliveryList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "deliveries": [
                        {
                            "id": "0b9f3c52-6a1e-4f0e-9d4a-2c7e81f5a913",
                            "event_type": "alert.critical",
                            "status": "delivered",
                            "attempts": 1,
                            "last_status_code": 200,
                            "last_error": None,
                            "next_attempt_at": None,
                            "created_at": "2026-01-16T10:02:00Z",
                            "delivered_at": "2026-01-16T10:02:01Z",
                            "payload": {
                                "type": "alert.critical",
                                "timestamp": "2026-01-16T10:02:00+00:00",
                                "data": {
                                    "alerta_id": 31,
                                    "parcela_id": 7,
                                    "severity": "critical",
                                    "parametro": "humedad_suelo",
                                    "mensaje": "humedad_suelo=12.0 fuera de rango (20.0-35.0)",
                                    "nodo_codigo": "N1",
                                    "regla_id": 5,
                                },
                            },
                        }
                    ]
                }
            ]
        }
    )

    deliveries: list[DeliveryRead]


class TestDeliveryRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"delivery_id": "5d1c7a0e-3b8f-4e42-a6d9-9f0b2e4c7d18", "status": "pending"}]}
    )

    delivery_id: str
    status: Literal["pending"] = "pending"


class EventNameRead(BaseModel):
    name: str
    description: str


class EventNameList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "events": [
                        {"name": "alert.critical", "description": "Alerta crítica detectada"},
                        {"name": "tool.executed", "description": "Tool ejecutado"},
                    ]
                }
            ]
        }
    )

    events: list[EventNameRead]
