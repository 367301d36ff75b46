"""Revoked tokens, learned from auth's events.

Two events revoke: `auth.token.revoked` (a logout: one token id) and `auth.tenant.deactivated`
(every token of a workspace issued before that moment). Every process replays the last token
lifetime of both at start-up and then follows new ones live, so a revocation reaches every
service without a call to auth.
"""

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime, timedelta

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from pydantic import Field, ValidationError

from shared.events.bus import ensure_stream
from shared.events.catalogue import Event
from shared.events.envelope import Envelope

__all__ = ["TENANT_DEACTIVATED", "TOKEN_REVOKED", "RevocationList", "TenantDeactivated", "TokenRevoked"]

logger = logging.getLogger(__name__)

_POLL_SECONDS = 1.0
_RETRY_SECONDS = 0.5


class TokenRevoked(Event):
    """A token was revoked (a logout): every service refuses it from now on.

    Published by auth; its model lives here because every process follows it.
    """

    subject = "auth.token.revoked"
    jti: str
    exp: int = Field(description="When the token would have expired (Unix time)")
    user_id: int


class TenantDeactivated(Event):
    """A workspace was deactivated: every token of it issued up to `deactivated_at` is refused.

    Published by auth; its model lives here because every process follows it.
    """

    subject = "auth.tenant.deactivated"
    tenant_id: int
    deactivated_at: float = Field(description="Unix time")


TOKEN_REVOKED = TokenRevoked.subject
TENANT_DEACTIVATED = TenantDeactivated.subject


class RevocationList:
    def __init__(self) -> None:
        self._revoked: dict[str, float] = {}
        # tenant id -> Unix time it was deactivated; tokens issued up to then are refused.
        self._tenants_closed: dict[int, float] = {}
        self._followers: list[asyncio.Task[None]] = []

    def add(self, token_id: str, expires_at: float) -> None:
        self._revoked[token_id] = expires_at
        if len(self._revoked) % 1024 == 0:
            self._forget_expired()

    def close_tenant(self, tenant_id: int, at: float) -> None:
        # Reactivation needs no event: logins are refused while closed, so every token issued
        # after `at` was issued after the workspace reopened.
        self._tenants_closed[tenant_id] = max(at, self._tenants_closed.get(tenant_id, 0.0))

    def is_revoked(self, token_id: str, *, tenant_id: int | None = None, issued_at: float | None = None) -> bool:
        if token_id in self._revoked:
            return True
        if tenant_id is None or issued_at is None:
            return False
        closed_at = self._tenants_closed.get(tenant_id)
        return closed_at is not None and issued_at <= closed_at

    def _forget_expired(self) -> None:
        now = time.time()
        for token_id in [jti for jti, exp in self._revoked.items() if exp < now]:
            del self._revoked[token_id]

    async def follow(self, js: JetStreamContext, *, window_seconds: int) -> None:
        """Replay the last `window_seconds` of revocations, then keep listening, across NATS restarts."""
        since = datetime.now(UTC) - timedelta(seconds=window_seconds)
        for subject in (TOKEN_REVOKED, TENANT_DEACTIVATED):
            stream = await ensure_stream(js, subject)
            self._followers.append(asyncio.create_task(self._follow(js, stream, subject, since)))

    async def aclose(self) -> None:
        for task in self._followers:
            task.cancel()
        await asyncio.gather(*self._followers, return_exceptions=True)

    async def _follow(self, js: JetStreamContext, stream: str, subject: str, since: datetime) -> None:
        # A pull consumer of our own, re-created from the next unseen sequence whenever the
        # server loses it (a restart) or the connection breaks. nats-py's ordered consumer is
        # not enough: its re-creation after a restart asks for a start time and a start
        # sequence together, which the server refuses (err_code 10094), ending the follow.
        next_seq: int | None = None
        subscription: JetStreamContext.PullSubscription | None = None
        try:
            while True:
                try:
                    if subscription is None:
                        subscription = await js.pull_subscribe(subject, stream=stream, config=_from(since, next_seq))
                    try:
                        messages = await subscription.fetch(256, timeout=_POLL_SECONDS)
                    except TimeoutError:
                        await subscription.consumer_info()  # NotFoundError once the server forgot it
                        continue
                    for msg in messages:
                        self._apply(msg)
                        next_seq = msg.metadata.sequence.stream + 1
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    logger.warning("revocation follower restarting", extra={"subject": subject, "error": repr(exc)})
                    subscription = None
                    await asyncio.sleep(_RETRY_SECONDS)
        finally:
            # Leaves nothing pending on the connection, so draining it at shutdown is quick.
            if subscription is not None:
                with contextlib.suppress(Exception):
                    await subscription.unsubscribe()

    def _apply(self, msg: Msg) -> None:
        try:
            data = Envelope.model_validate_json(msg.data).data
            if msg.subject == TENANT_DEACTIVATED:
                closed = TenantDeactivated.model_validate(data)
                self.close_tenant(closed.tenant_id, closed.deactivated_at)
            else:
                revoked = TokenRevoked.model_validate(data)
                self.add(revoked.jti, revoked.exp)
        except ValidationError:
            logger.error("malformed revocation event", extra={"subject": msg.subject})


def _from(since: datetime, next_seq: int | None) -> ConsumerConfig:
    # No acks: every process reads every revocation; the server forgets the consumer soon after we do.
    config = ConsumerConfig(ack_policy=AckPolicy.NONE, inactive_threshold=_POLL_SECONDS * 10)
    if next_seq is None:
        config.deliver_policy, config.opt_start_time = DeliverPolicy.BY_START_TIME, since
    else:
        config.deliver_policy, config.opt_start_seq = DeliverPolicy.BY_START_SEQUENCE, next_seq
    return config
