"""The one envelope every event travels in."""

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from shared.ids import uuid7
from shared.observability.request_id import current_request_id
from shared.observability.tracing import current_traceparent


class Envelope(BaseModel):
    """`id` is also the JetStream `Nats-Msg-Id`, so a re-publish is dropped as a duplicate."""

    id: UUID = Field(default_factory=uuid7)
    type: str
    occurred_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    tenant_id: int | None = None  # null for platform-wide reference data
    source: str
    # Additive to the architecture's envelope: ties an event to the request that caused it.
    request_id: str | None = Field(default_factory=current_request_id)
    # Additive too: the W3C trace context current when the event was written (null when not
    # tracing); publishers also send it as the `traceparent` NATS header, consumers continue it.
    traceparent: str | None = Field(default_factory=current_traceparent)
    data: dict[str, Any] = Field(default_factory=dict)

    def encode_with(self, data: bytes) -> bytes:
        """This envelope as JSON with `data` already serialised (a JSON object): for hot paths
        that would otherwise turn a large event into a dict only to serialise it again."""
        head = self.model_dump_json(exclude={"data"}).encode()
        return head[:-1] + b',"data":' + data + b"}"
