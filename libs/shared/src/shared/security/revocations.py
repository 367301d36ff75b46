"""Revoked credentials, learned from auth's events.

Four events revoke: `auth.token.revoked` (a logout: one token id, and the login session it
belongs to), `auth.user.tokens_revoked` (a role change or a removal: every token of a user
issued before that moment), `auth.apikey.revoked` (one API key) and `auth.tenant.deactivated`
(every token of a workspace issued before that moment). Every process replays the last token
lifetime of them at start-up and then follows new ones live, so a revocation reaches every
service without a call to auth. Long-lived connections wait on `wait_for_change` and re-check.
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
from shared.events.follower import follow_subjects
from shared.security.principal import Principal

__all__ = [
    "APIKEY_REVOKED",
    "TENANT_DEACTIVATED",
    "TOKEN_REVOKED",
    "USER_TOKENS_REVOKED",
    "ApiKeyRevoked",
    "RevocationList",
    "TenantDeactivated",
    "TokenRevoked",
    "UserTokensRevoked",
]

logger = logging.getLogger(__name__)

# A pull request waits this long for a revocation (the server answers as soon as one comes);
# then the follower checks that the server still has its consumer. A NATS restart loses the
# waiting request and the consumer: the follower's client reconnecting ends the wait at once.
# A consumer lost without a reconnection (its cluster node died) is found within this bound.
_WAIT_SECONDS = 5.0
_RETRY_SECONDS = 0.5
_SWEEP_EVERY = 1024


class TokenRevoked(Event):
    """A token was revoked (a logout): every service refuses it from now on.

    Published by auth; its model lives here because every process follows it.
    """

    subject = "auth.token.revoked"
    jti: str
    exp: int = Field(description="When the token would have expired (Unix time)")
    user_id: int
    sid: str | None = Field(
        default=None, description="The login session (refresh-token family): every token of it is refused"
    )


class UserTokensRevoked(Event):
    """Every token a user was issued up to `revoked_at` is refused (a role change, a removal).

    Published by auth; its model lives here because every process follows it. API keys are
    not tokens: they are revoked one by one (`auth.apikey.revoked`).
    """

    subject = "auth.user.tokens_revoked"
    user_id: int
    tenant_id: int
    revoked_at: float = Field(description="Unix time")
    reason: str = Field(default="", description="role_changed, removed, ...")


class ApiKeyRevoked(Event):
    """An API key was revoked (or its maker removed): every service refuses it from now on."""

    subject = "auth.apikey.revoked"
    key_id: str
    tenant_id: int


class TenantDeactivated(Event):
    """A workspace was deactivated: every token of it issued up to `deactivated_at` is refused.

    Published by auth; its model lives here because every process follows it.
    """

    subject = "auth.tenant.deactivated"
    tenant_id: int
    deactivated_at: float = Field(description="Unix time")


TOKEN_REVOKED = TokenRevoked.subject
USER_TOKENS_REVOKED = UserTokensRevoked.subject
APIKEY_REVOKED = ApiKeyRevoked.subject
TENANT_DEACTIVATED = TenantDeactivated.subject
_SUBJECTS = [TOKEN_REVOKED, USER_TOKENS_REVOKED, APIKEY_REVOKED, TENANT_DEACTIVATED]


class RevocationList:
    def __init__(self) -> None:
        # token ids, session ids and `key:<id>`s -> when they may be forgotten (Unix time)
        self._revoked: dict[str, float] = {}
        # tenant id -> Unix time it was deactivated; tokens issued up to then are refused.
        self._tenants_closed: dict[int, float] = {}
        # user id -> Unix time of their last role change or removal; likewise.
        self._users_closed: dict[int, float] = {}
        self._changed = asyncio.Event()
        self._follower: asyncio.Task[None] | None = None
        self._next_sweep = _SWEEP_EVERY

    def add(self, token_id: str, expires_at: float, *, session_id: str | None = None) -> None:
        self._revoked[token_id] = expires_at
        if session_id:
            self._revoked[session_id] = max(expires_at, self._revoked.get(session_id, 0.0))
        if len(self._revoked) >= self._next_sweep:
            self._forget_expired()
        self._notify()

    def revoke_key(self, key_id: str) -> None:
        self._revoked[f"key:{key_id}"] = float("inf")
        self._notify()

    def close_tenant(self, tenant_id: int, at: float) -> None:
        # Reactivation needs no event: logins are refused while closed, so every token issued
        # after `at` was issued after the workspace reopened.
        self._tenants_closed[tenant_id] = max(at, self._tenants_closed.get(tenant_id, 0.0))
        self._notify()

    def close_user(self, user_id: int, at: float) -> None:
        self._users_closed[user_id] = max(at, self._users_closed.get(user_id, 0.0))
        self._notify()

    def revokes(self, principal: Principal) -> bool:
        """Whether `principal`'s credential has been revoked, one way or another."""
        if principal.token_id in self._revoked:
            return True
        if principal.session_id is not None and principal.session_id in self._revoked:
            return True
        closed_at = self._tenants_closed.get(principal.tenant_id)
        if closed_at is not None and principal.issued_at <= closed_at:
            return True
        if principal.api_key_id is None:
            closed_at = self._users_closed.get(principal.user_id)
            if closed_at is not None and principal.issued_at <= closed_at:
                return True
        return False

    async def wait_for_change(self, timeout: float) -> None:
        """Return after the next revocation of any kind, or after `timeout` seconds."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)

    def _notify(self) -> None:
        # Wake every waiter once, then arm again for the next change.
        self._changed.set()
        self._changed = asyncio.Event()

    def _forget_expired(self) -> None:
        now = time.time()
        for token_id in [jti for jti, exp in self._revoked.items() if exp < now]:
            del self._revoked[token_id]
        # Next sweep once as many again have come: amortised O(1) per revocation, never unbounded.
        self._next_sweep = max(_SWEEP_EVERY, 2 * len(self._revoked))

    async def follow(self, js: JetStreamContext, *, window_seconds: int) -> None:
        """Replay the last `window_seconds` of revocations, then keep listening, across NATS restarts."""
        since = datetime.now(UTC) - timedelta(seconds=window_seconds)
        stream = await ensure_stream(js, TOKEN_REVOKED)  # every subject above lives in auth's stream
        self._follower = asyncio.create_task(self._follow(js, stream, since))

    async def aclose(self) -> None:
        if self._follower is not None:
            self._follower.cancel()
            await asyncio.gather(self._follower, return_exceptions=True)

    async def _follow(self, js: JetStreamContext, stream: str, since: datetime) -> None:
        # A pull consumer of our own (`shared.events.follower`), re-created from the next unseen
        # sequence whenever the server loses it (a restart) or the connection breaks. nats-py's
        # ordered consumer is not enough: its re-creation after a restart asks for a start time
        # and a start sequence together, which the server refuses (err_code 10094), ending the
        # follow.
        next_seq: int | None = None

        def apply(msg: Msg) -> None:
            nonlocal next_seq
            self._apply(msg)
            next_seq = msg.metadata.sequence.stream + 1

        await follow_subjects(
            js._nc,  # nats-py's JetStream context keeps its connection there (no public accessor)
            js,
            TOKEN_REVOKED,
            stream=stream,
            config=lambda: _from(since, next_seq),
            apply=apply,
            what="revocations",
            wait_seconds=_WAIT_SECONDS,
            retry_seconds=_RETRY_SECONDS,
        )

    def _apply(self, msg: Msg) -> None:
        try:
            data = Envelope.model_validate_json(msg.data).data
            if msg.subject == TENANT_DEACTIVATED:
                closed = TenantDeactivated.model_validate(data)
                self.close_tenant(closed.tenant_id, closed.deactivated_at)
            elif msg.subject == USER_TOKENS_REVOKED:
                user = UserTokensRevoked.model_validate(data)
                self.close_user(user.user_id, user.revoked_at)
            elif msg.subject == APIKEY_REVOKED:
                self.revoke_key(ApiKeyRevoked.model_validate(data).key_id)
            elif msg.subject == TOKEN_REVOKED:
                revoked = TokenRevoked.model_validate(data)
                self.add(revoked.jti, revoked.exp, session_id=revoked.sid)
        except ValidationError:
            logger.error("malformed revocation event", extra={"subject": msg.subject})


def _from(since: datetime, next_seq: int | None) -> ConsumerConfig:
    # No acks: every process reads every revocation; the server forgets the consumer soon after we do.
    config = ConsumerConfig(
        ack_policy=AckPolicy.NONE, inactive_threshold=_WAIT_SECONDS * 6, filter_subjects=list(_SUBJECTS)
    )
    if next_seq is None:
        config.deliver_policy, config.opt_start_time = DeliverPolicy.BY_START_TIME, since
    else:
        config.deliver_policy, config.opt_start_seq = DeliverPolicy.BY_START_SEQUENCE, next_seq
    return config
