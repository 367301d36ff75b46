"""Inbound events: every subscribable subject's batch consumer turns its events into deliveries;
a guest's erasure drops the deliveries about their chats."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import BatchHandler, Envelope
from webhooks import events
from webhooks.delivery import service


def fan_out_of(subject: str) -> BatchHandler:
    """The handler of `subject`'s batch consumer (one per subject: `catalog.sources()`)."""

    async def fan_out(session: AsyncSession, batch: Sequence[tuple[Envelope, Any]]) -> None:
        await service.fan_out(session, subject=subject, batch=batch)

    return fan_out


async def on_guest_erased(session: AsyncSession, envelope: Envelope, event: events.GuestErased) -> None:
    if envelope.tenant_id is not None:
        await service.forget_rooms(session, tenant_id=envelope.tenant_id, room_ids=event.chat_room_ids)
