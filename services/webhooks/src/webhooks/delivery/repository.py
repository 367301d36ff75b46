"""The deliveries' queries: the fan-out's insert, the sender's claim and outcomes, the backlog,
the retention and erasure deletes."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import CursorResult, Delete, Row, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events.wakeup import notify
from webhooks.models import DUE_CHANNEL, Delivery, Webhook

_CLAIM = text("""
    UPDATE deliveries d SET next_attempt_at = now() + make_interval(secs => CAST(:lease AS float8))
    FROM webhooks w
    WHERE w.id = d.webhook_id AND d.id IN (
        SELECT id FROM deliveries WHERE status = 'pending' AND next_attempt_at <= now()
        ORDER BY next_attempt_at LIMIT :n FOR UPDATE SKIP LOCKED
    )
    RETURNING d.id, d.webhook_id, d.event_id, d.payload, d.attempts, d.created_at, w.url, w.secret_sealed, w.active,
        d.traceparent
""")

_DELIVERED = text("""
    UPDATE deliveries d SET status = 'delivered', delivered_at = now(), attempts = d.attempts + 1,
        last_status_code = u.code, last_error = NULL
    FROM unnest(CAST(:ids AS uuid[]), CAST(:codes AS int[])) AS u(id, code)
    WHERE d.id = u.id
""")

# Both on the partial index of pending deliveries (`ix_deliveries_due`).
_BACKLOG = text("""
    SELECT count(*) AS pending,
           count(*) FILTER (WHERE next_attempt_at <= now()) AS due,
           COALESCE(EXTRACT(EPOCH FROM now() - min(next_attempt_at) FILTER (WHERE next_attempt_at <= now())), 0) AS age
    FROM deliveries WHERE status = 'pending'
""")


async def subscribed_webhooks(
    session: AsyncSession, *, tenants: set[int], names: list[str]
) -> Sequence[Row[int, int, list[str]]]:
    """(id, tenant_id, events) of the active webhooks of `tenants` subscribed to any of `names`."""
    return (
        await session.execute(
            select(Webhook.id, Webhook.tenant_id, Webhook.events).where(
                Webhook.tenant_id.in_(tenants), Webhook.active, Webhook.events.overlap(names)
            )
        )
    ).all()


async def add_deliveries(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """A (webhook, event) pair already there adds nothing: the unique index is the idempotency key."""
    # executemany: one compiled statement whatever the batch's size (SQLAlchemy batches the rows)
    await session.execute(insert(Delivery).on_conflict_do_nothing(), rows)
    await session.execute(select(notify(DUE_CHANNEL)))


async def next_due(session: AsyncSession) -> datetime | None:
    """When the earliest pending delivery falls due (retries, expiring leases); on `ix_deliveries_due`."""
    return await session.scalar(select(func.min(Delivery.next_attempt_at)).where(Delivery.status == "pending"))


async def claim_due(session: AsyncSession, *, lease_seconds: float, limit: int) -> list[tuple[Any, ...]]:
    """Up to `limit` due deliveries with their webhook's address and secret, leased for `lease_seconds`:
    (id, webhook_id, event_id, payload, attempts, created_at, url, secret_sealed, active, traceparent)."""
    return [tuple(row) for row in await session.execute(_CLAIM, {"lease": lease_seconds, "n": limit})]


async def mark_delivered(session: AsyncSession, *, ids: list[UUID], codes: list[int | None]) -> None:
    await session.execute(_DELIVERED, {"ids": ids, "codes": codes})


async def clear_failing(session: AsyncSession, webhook_ids: list[int]) -> None:
    await session.execute(
        update(Webhook)
        .where(Webhook.id.in_(webhook_ids), Webhook.failing_since.is_not(None))
        .values(failing_since=None)
    )


async def update_delivery(session: AsyncSession, delivery_id: UUID, values: dict[str, Any]) -> None:
    await session.execute(update(Delivery).where(Delivery.id == delivery_id).values(**values))


async def webhook_for_update(session: AsyncSession, webhook_id: int) -> Webhook | None:
    return await session.get(Webhook, webhook_id, with_for_update=True)


async def backlog(session: AsyncSession) -> Row[Any]:
    """(pending, due, age): pending deliveries, those due now, and how long the oldest has been due."""
    return (await session.execute(_BACKLOG)).one()


async def _rowcount(session: AsyncSession, statement: Delete) -> int:
    result = await session.execute(statement.execution_options(synchronize_session=False))
    return cast(CursorResult[Any], result).rowcount


async def delete_old(session: AsyncSession, *, older_than_seconds: float, limit: int) -> int:
    """Up to `limit` deliveries made more than `older_than_seconds` ago, whatever their status; a
    row the sender holds is skipped (next pass)."""
    doomed = (
        select(Delivery.id)
        .where(Delivery.created_at < func.now() - func.make_interval(0, 0, 0, 0, 0, 0, older_than_seconds))
        .limit(limit).with_for_update(skip_locked=True)
    )  # fmt: skip
    statement = delete(Delivery).where(Delivery.id.in_(doomed.scalar_subquery()))
    return await _rowcount(session, statement)


async def delete_about_rooms(session: AsyncSession, *, tenant_id: int, room_ids: Sequence[str]) -> int:
    """The workspace's deliveries whose event names one of these chat rooms."""
    hooks = select(Webhook.id).where(Webhook.tenant_id == tenant_id)
    statement = delete(Delivery).where(
        Delivery.webhook_id.in_(hooks.scalar_subquery()), Delivery.tenant_id == tenant_id,
        Delivery.payload["data"]["chat_room_id"].astext.in_(list(room_ids)),
    )  # fmt: skip
    return await _rowcount(session, statement)
