"""Inbound events: every subscribable subject's batch consumer turns its events into deliveries."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import BatchHandler, Envelope
from webhooks.delivery import service


def fan_out_of(subject: str) -> BatchHandler:
    """The handler of `subject`'s batch consumer (one per subject: `catalog.sources()`)."""

    async def fan_out(session: AsyncSession, batch: Sequence[tuple[Envelope, Any]]) -> None:
        await service.fan_out(session, subject=subject, batch=batch)

    return fan_out
