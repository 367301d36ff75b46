"""Sending due deliveries: claim a batch, sign each per Standard Webhooks, post, record.

Claiming moves a delivery's `next_attempt_at` past the send's timeout (a lease) in its own
transaction, so replicas never send one at once and a process that dies mid-send leaves it
due again after the lease. A receiver that answered 2xx before such a crash gets the event
again: receivers deduplicate by `webhook-id`, as the specification asks.
"""

import asyncio
import json
import logging
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks.webhooks import Webhook as Signer

from shared.crypto import SecretCipher
from shared.events.backlog import BacklogSampler
from shared.events.wakeup import Wakeup
from shared.observability.tracing import continued_span
from shared.outbound import OutboundPolicy, UnsafeURL, guarded_request
from webhooks.config import Settings
from webhooks.delivery import backlog, service
from webhooks.delivery.service import Claimed, Outcome
from webhooks.models import DUE_CHANNEL

logger = logging.getLogger(__name__)


def signer_for(secret: str) -> Signer:
    """`whsec_<base64>` as the specification writes secrets; any other text as its UTF-8 bytes."""
    return Signer(secret) if secret.startswith("whsec_") else Signer(secret.encode())


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
        # How often `run` samples the backlog gauges (`delivery/backlog.py`); less often while
        # its rounds find nothing due (the gauges then change only as retries fall due).
        self.sampling = BacklogSampler(seconds=5.0, idle_seconds=60.0)

    # The longest idle pause while notifications are heard (every insert of a delivery sends
    # one, which wakes it at once, and it wakes itself when the next retry or lease it knows of
    # falls due); it bounds how late a retry or lease another replica set is taken over when
    # that replica dies. `poll_seconds` while notifications are not heard.
    idle_seconds = 15.0

    async def run(self) -> None:
        engine = self.sessionmaker.kw.get("bind")
        wakeup = Wakeup(engine.url if engine is not None else None, DUE_CHANNEL, own=True)
        wakeup.start()
        try:
            await self._run(wakeup)
        finally:
            await wakeup.aclose()

    async def _run(self, wakeup: Wakeup) -> None:
        while True:
            try:
                if self.sampling.due():
                    await self.sample_backlog()
                sent = await self.send_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("delivery round failed")
                sent = 0
                self.sampling.busy()  # what the gauges are for
            else:
                if sent:
                    self.sampling.busy()
                else:
                    self.sampling.idle()
            if sent < self.settings.delivery_batch:
                pause = await self._pause(listening=wakeup.listening)
                # After traffic the gauges are due sooner than the next retry may be.
                await wakeup.wait(min(pause, self.sampling.seconds_until_due()))

    async def _pause(self, *, listening: bool) -> float:
        if not listening:
            return self.settings.poll_seconds
        try:
            async with self.sessionmaker() as session:
                due = await service.seconds_until_due(session)
        except Exception:
            logger.exception("next due delivery unknown")
            return self.settings.poll_seconds
        return self.idle_seconds if due is None else min(max(due, self.settings.poll_seconds), self.idle_seconds)

    async def sample_backlog(self) -> None:
        self.sampling.sampled()
        async with self.sessionmaker() as session:
            await backlog.sample(session)

    async def send_due(self) -> int:
        """Claim, send and record one batch; returns how many were sent."""
        lease = self.settings.delivery_timeout_seconds * 2 + 5
        async with self.sessionmaker() as session, session.begin():
            claimed = await service.claim_due(session, lease_seconds=lease, limit=self.settings.delivery_batch)
        if not claimed:
            return 0
        outcomes = await asyncio.gather(*(self.send(delivery) for delivery in claimed))
        async with self.sessionmaker() as session, session.begin():
            await service.record(session, outcomes=outcomes, settings=self.settings)
        return len(claimed)

    def signer(self, sealed: bytes) -> Signer:
        signer = self._signers.get(sealed)
        if signer is None:
            if len(self._signers) > 10_000:
                self._signers.clear()
            signer = self._signers[sealed] = signer_for(self.cipher.open(sealed).decode())
        return signer

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
