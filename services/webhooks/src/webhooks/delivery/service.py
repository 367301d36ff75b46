"""Deliveries: events become one row per matching active webhook of their workspace; a sent
attempt is recorded, retried later with growing delays, or given up; a webhook failing every
delivery for long enough is disabled and its owner told.

Never commits: the batch consumer (fan-out) and the sender (outcomes) own the transactions.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import Envelope
from shared.ids import uuid7
from webhooks import events
from webhooks.catalog import names_for
from webhooks.config import Settings
from webhooks.delivery import repository
from webhooks.hook.service import public_id


@dataclass(frozen=True)
class Claimed:
    """A due delivery the sender leased, with what sending it takes."""

    id: UUID
    webhook_id: int
    event_id: UUID
    payload: dict[str, Any]
    attempts: int
    created_at: datetime
    url: str
    secret_sealed: bytes
    active: bool
    traceparent: str | None


@dataclass(frozen=True)
class Outcome:
    delivery: Claimed
    status_code: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def render(name: str, envelope: Envelope) -> dict[str, Any]:
    """The body receivers get, in Standard Webhooks' recommended shape."""
    return {"type": name, "timestamp": envelope.occurred_at.isoformat(), "data": envelope.data}


async def fan_out(session: AsyncSession, *, subject: str, batch: Sequence[tuple[Envelope, Any]]) -> None:
    """One pending delivery per (event, subscribed active webhook of the event's workspace).

    A redelivered event adds nothing (the unique (webhook, event) index), so no inbox row is needed.
    """
    wanted = [
        (envelope, names)
        for envelope, _ in batch
        if envelope.tenant_id is not None and (names := names_for(subject, envelope.data))
    ]
    if not wanted:
        return
    tenants = {envelope.tenant_id for envelope, _ in wanted if envelope.tenant_id is not None}
    every_name = sorted({name for _, names in wanted for name in names})
    hooks = await repository.subscribed_webhooks(session, tenants=tenants, names=every_name)
    rows = []
    for envelope, names in wanted:
        for webhook_id, tenant_id, subscribed in hooks:
            name = next((n for n in names if n in subscribed), None)
            if tenant_id != envelope.tenant_id or name is None:
                continue
            rows.append({
                "id": uuid7(), "webhook_id": webhook_id, "tenant_id": tenant_id, "event_id": envelope.id,
                "event_type": name, "payload": render(name, envelope), "status": "pending", "attempts": 0,
                "traceparent": envelope.traceparent,
            })  # fmt: skip
    if rows:
        await repository.add_deliveries(session, rows)


async def claim_due(session: AsyncSession, *, lease_seconds: float, limit: int) -> list[Claimed]:
    return [Claimed(*row) for row in await repository.claim_due(session, lease_seconds=lease_seconds, limit=limit)]


async def seconds_until_due(session: AsyncSession) -> float | None:
    """Seconds until the earliest pending delivery falls due (0 when one is); None with none pending."""
    due = await repository.next_due(session)
    return None if due is None else max((due - datetime.now(UTC)).total_seconds(), 0.0)


def retry_delay(attempts: int, settings: Settings) -> float:
    """Exponential in the attempts made, capped, with full jitter on the upper half."""
    ceiling = min(settings.retry_max_seconds, settings.retry_base_seconds * 2 ** max(0, attempts - 1))
    return random.uniform(ceiling / 2, ceiling)


async def record(session: AsyncSession, *, outcomes: Sequence[Outcome], settings: Settings) -> None:
    """A round's outcomes: every success in two statements, each failure with its next attempt."""
    delivered = [outcome for outcome in outcomes if outcome.delivered]
    if delivered:
        await record_delivered(session, delivered=delivered)
    for outcome in outcomes:
        if not outcome.delivered:
            await record_failure(session, outcome=outcome, settings=settings)


async def record_delivered(session: AsyncSession, *, delivered: Sequence[Outcome]) -> None:
    await repository.mark_delivered(
        session,
        ids=[outcome.delivery.id for outcome in delivered],
        codes=[outcome.status_code for outcome in delivered],
    )
    await repository.clear_failing(session, sorted({outcome.delivery.webhook_id for outcome in delivered}))


async def record_failure(session: AsyncSession, *, outcome: Outcome, settings: Settings) -> None:
    """A failed attempt: retry later, or give up once past the retry window."""
    delivery, now = outcome.delivery, datetime.now(UTC)
    retry_at = now + timedelta(seconds=retry_delay(delivery.attempts + 1, settings))
    window_ends = delivery.created_at + timedelta(seconds=settings.retry_window_seconds)
    gave_up = not delivery.active or retry_at > window_ends
    values: dict[str, Any] = {
        "attempts": delivery.attempts + 1, "last_status_code": outcome.status_code, "last_error": outcome.error,
        **({"status": "failed"} if gave_up else {"next_attempt_at": retry_at}),
    }  # fmt: skip
    await note_failure(session, webhook_id=delivery.webhook_id, now=now, settings=settings)
    await repository.update_delivery(session, delivery.id, values)


async def note_failure(session: AsyncSession, *, webhook_id: int, now: datetime, settings: Settings) -> None:
    """A webhook failing every delivery for `disable_after_seconds` is disabled, its owner told."""
    webhook = await repository.webhook_for_update(session, webhook_id)
    if webhook is None or not webhook.active:
        return
    if webhook.failing_since is None:
        webhook.failing_since = now
    elif now - webhook.failing_since >= timedelta(seconds=settings.disable_after_seconds):
        webhook.active, webhook.disabled_at = False, now
        reason = f"Todas las entregas fallaron desde {webhook.failing_since.isoformat()}."
        event = events.WebhookDisabled(
            webhook_id=public_id(webhook.id), owner_id=webhook.owner_id, url=webhook.url, reason=reason
        )
        await events.outbox.emit(session, event, tenant_id=webhook.tenant_id)
    await session.flush()


async def forget_rooms(session: AsyncSession, *, tenant_id: int, room_ids: Sequence[str]) -> int:
    """A guest was erased (`chat.guest.erased`): the log keeps no delivery naming their rooms,
    sent or pending (the room no longer exists to tell anyone about). Returns how many went."""
    if not room_ids:
        return 0
    return await repository.delete_about_rooms(session, tenant_id=tenant_id, room_ids=room_ids)


async def delete_old(session: AsyncSession, *, older_than_seconds: float, limit: int) -> int:
    """One batch of the retention job: deliveries past WEBHOOKS_DELIVERY_RETENTION_SECONDS."""
    return await repository.delete_old(session, older_than_seconds=older_than_seconds, limit=limit)
