"""Sending due deliveries: claim a batch, sign each per Standard Webhooks, post, record.

Claiming moves a delivery's `next_attempt_at` past the send's timeout (a lease) in its own
transaction, so replicas never send one at once and a process that dies mid-send leaves it
due again after the lease. A receiver that answered 2xx before such a crash gets the event
again: receivers deduplicate by `webhook-id`, as the specification asks.
"""

import asyncio
import json
import logging
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import httpx
from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks.webhooks import Webhook as Signer

from shared.crypto import SecretCipher
from shared.observability.tracing import continued_span
from shared.outbound import OutboundPolicy, UnsafeURL, guarded_request
from webhooks import events
from webhooks.config import Settings
from webhooks.delivery import backlog
from webhooks.hooks.service import public_id
from webhooks.models import Delivery, Webhook

logger = logging.getLogger(__name__)

_DELIVERED = text("""
    UPDATE deliveries d SET status = 'delivered', delivered_at = now(), attempts = d.attempts + 1,
        last_status_code = u.code, last_error = NULL
    FROM unnest(CAST(:ids AS uuid[]), CAST(:codes AS int[])) AS u(id, code)
    WHERE d.id = u.id
""")

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


@dataclass(frozen=True)
class Claimed:
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


def signer_for(secret: str) -> Signer:
    """`whsec_<base64>` as the specification writes secrets; any other text as its UTF-8 bytes."""
    return Signer(secret) if secret.startswith("whsec_") else Signer(secret.encode())


def retry_delay(attempts: int, settings: Settings) -> float:
    """Exponential in the attempts made, capped, with full jitter on the upper half."""
    ceiling = min(settings.retry_max_seconds, settings.retry_base_seconds * 2 ** max(0, attempts - 1))
    return random.uniform(ceiling / 2, ceiling)


class Receivers:
    """One small connection pool (an httpx transport) per receiver (host and port): httpcore
    checks every pooled connection on each request, so one big pool costs more the more
    receivers there are; and a slow receiver fills only its own few slots, never the others'."""

    PER_RECEIVER = 4

    def __init__(self) -> None:
        self._pools: dict[str, tuple[httpx.AsyncHTTPTransport, asyncio.Semaphore]] = {}

    def for_url(self, url: str) -> tuple[httpx.AsyncHTTPTransport, asyncio.Semaphore]:
        key = urlsplit(url).netloc.lower()
        if key not in self._pools:
            limits = httpx.Limits(max_connections=self.PER_RECEIVER, max_keepalive_connections=self.PER_RECEIVER)
            self._pools[key] = (httpx.AsyncHTTPTransport(limits=limits), asyncio.Semaphore(self.PER_RECEIVER))
        return self._pools[key]

    async def aclose(self) -> None:
        for transport, _ in self._pools.values():
            await transport.aclose()
        self._pools.clear()


class Sender:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        receivers: Receivers,
        cipher: SecretCipher,
        policy: OutboundPolicy,
        settings: Settings,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.receivers = receivers
        self.cipher = cipher
        self.policy = policy
        self.settings = settings
        # Opened secrets by sealed value: a changed secret is a new key, an old one ages out.
        self._signers: dict[bytes, Signer] = {}

    # How often `run` samples the backlog gauges (`delivery/backlog.py`).
    sample_seconds = 5.0

    async def run(self) -> None:
        next_sample = 0.0
        while True:
            try:
                if time.monotonic() >= next_sample:
                    next_sample = time.monotonic() + self.sample_seconds
                    await self.sample_backlog()
                sent = await self.send_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("delivery round failed")
                sent = 0
            if sent < self.settings.delivery_batch:
                await asyncio.sleep(self.settings.poll_seconds)

    async def sample_backlog(self) -> None:
        async with self.sessionmaker() as session:
            await backlog.sample(session)

    async def send_due(self) -> int:
        """Claim, send and record one batch; returns how many were sent."""
        lease = self.settings.delivery_timeout_seconds * 2 + 5
        async with self.sessionmaker() as session, session.begin():
            rows = (await session.execute(_CLAIM, {"lease": lease, "n": self.settings.delivery_batch})).all()
        if not rows:
            return 0
        outcomes = await asyncio.gather(*(self.send(Claimed(*row)) for row in rows))
        delivered = [outcome for outcome in outcomes if outcome.delivered]
        async with self.sessionmaker() as session, session.begin():
            if delivered:
                await self.record_delivered(session, delivered)
            for outcome in outcomes:
                if not outcome.delivered:
                    await self.record(session, outcome)
        return len(rows)

    def signer(self, sealed: bytes) -> Signer:
        signer = self._signers.get(sealed)
        if signer is None:
            if len(self._signers) > 10_000:
                self._signers.clear()
            signer = self._signers[sealed] = signer_for(self.cipher.open(sealed).decode())
        return signer

    async def record_delivered(self, session: AsyncSession, delivered: list[Outcome]) -> None:
        """Every success of a batch in two statements."""
        ids = [outcome.delivery.id for outcome in delivered]
        codes = [outcome.status_code for outcome in delivered]
        await session.execute(_DELIVERED, {"ids": ids, "codes": codes})
        webhooks = sorted({outcome.delivery.webhook_id for outcome in delivered})
        await session.execute(
            update(Webhook)
            .where(Webhook.id.in_(webhooks), Webhook.failing_since.is_not(None))
            .values(failing_since=None)
        )

    async def send(self, delivery: Claimed) -> Outcome:
        transport, slots = self.receivers.for_url(delivery.url)
        async with slots:
            # One span per attempt, in the trace of the event it delivers; httpx's span is its child.
            with continued_span(
                "webhook deliver",
                delivery.traceparent,
                attributes={"webhook.id": delivery.webhook_id, "webhook.attempt": delivery.attempts + 1},
            ):
                return await self._send(transport, delivery)

    async def _send(self, transport: httpx.AsyncHTTPTransport, delivery: Claimed) -> Outcome:
        if not delivery.active:
            return Outcome(delivery, None, "webhook desactivado")
        body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False)
        message_id = f"msg_{delivery.event_id}"
        now = datetime.now(UTC)
        signature = self.signer(delivery.secret_sealed).sign(message_id, now, body)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "platform-webhooks/0.1",
            "webhook-id": message_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signature,
        }
        try:
            response, _ = await guarded_request(
                transport, "POST", delivery.url, self.policy, headers=headers, content=body.encode()
            )
        except UnsafeURL as exc:
            return Outcome(delivery, None, exc.message)
        except (httpx.HTTPError, TimeoutError) as exc:
            return Outcome(delivery, None, type(exc).__name__)
        return Outcome(delivery, response.status_code, None if response.is_success else f"HTTP {response.status_code}")

    async def record(self, session: AsyncSession, outcome: Outcome) -> None:
        """A failed attempt: retry later, or give up once past the retry window."""
        delivery, now = outcome.delivery, datetime.now(UTC)
        retry_at = now + timedelta(seconds=retry_delay(delivery.attempts + 1, self.settings))
        window_ends = delivery.created_at + timedelta(seconds=self.settings.retry_window_seconds)
        gave_up = not delivery.active or retry_at > window_ends
        values: dict[str, Any] = {
            "attempts": delivery.attempts + 1, "last_status_code": outcome.status_code, "last_error": outcome.error,
            **({"status": "failed"} if gave_up else {"next_attempt_at": retry_at}),
        }  # fmt: skip
        await self.note_failure(session, delivery.webhook_id, now)
        await session.execute(update(Delivery).where(Delivery.id == delivery.id).values(**values))

    async def note_failure(self, session: AsyncSession, webhook_id: int, now: datetime) -> None:
        """A webhook failing every delivery for `disable_after_seconds` is disabled, its owner told."""
        webhook = await session.get(Webhook, webhook_id, with_for_update=True)
        if webhook is None or not webhook.active:
            return
        if webhook.failing_since is None:
            webhook.failing_since = now
        elif now - webhook.failing_since >= timedelta(seconds=self.settings.disable_after_seconds):
            webhook.active, webhook.disabled_at = False, now
            reason = f"Todas las entregas fallaron desde {webhook.failing_since.isoformat()}."
            event = events.WebhookDisabled(
                webhook_id=public_id(webhook.id), owner_id=webhook.owner_id, url=webhook.url, reason=reason
            )
            await events.outbox.emit(session, event, tenant_id=webhook.tenant_id)
        await session.flush()
