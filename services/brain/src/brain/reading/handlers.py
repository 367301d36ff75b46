"""Inbound events: ingest's posts of readings, a batch per transaction (see `shared.events.batch`)."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from brain.events import ReadingsReceived
from brain.node import service as nodes
from brain.reading import service
from shared.events import Envelope


async def on_readings_received(session: AsyncSession, batch: Sequence[tuple[Envelope, ReadingsReceived]]) -> None:
    await service.record(session, posts=[(envelope.tenant_id or 0, post) for envelope, post in batch])
    await nodes.record_posts(session, batch=batch)
