"""002's webhook bodies and answers. A webhook's id is "wh_<n>", like 002's "conv_123"."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field

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


class WebhookCreate(InputModel):
    url: Url
    events: EventNames = Field(examples=[["alert.critical", "tool.executed"]])
    # `whsec_<base64>` as Standard Webhooks writes it, or any text (used as its UTF-8 bytes).
    # Omitted: one is generated and shown once.
    secret: str | None = Field(default=None, min_length=8, max_length=200)


class WebhookUpdate(PatchModel):
    url: Url | None = None
    events: EventNames | None = None
    secret: str | None = Field(default=None, min_length=8, max_length=200)
    # Re-enable a webhook the platform disabled after a day of failures.
    active: bool | None = None


class WebhookRead(BaseModel):
    id: str
    url: str
    events: list[str]
    active: bool
    disabled_at: datetime | None
    created_at: datetime
    updated_at: datetime


class NewWebhookRead(WebhookRead):
    secret: str = Field(description="Shown only in this answer")


class WebhookList(BaseModel):
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
    deliveries: list[DeliveryRead]


class TestDeliveryRead(BaseModel):
    delivery_id: str
    status: Literal["pending"] = "pending"


class EventNameRead(BaseModel):
    name: str
    description: str


class EventNameList(BaseModel):
    events: list[EventNameRead]
