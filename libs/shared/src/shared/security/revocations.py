"""Revoked token ids, learned from `auth.token.revoked` events.

Every process replays the revocations of the last token lifetime at start-up and then
follows new ones live, so a logout reaches every service without a call to auth.
"""

import json
import logging
import time
from datetime import UTC, datetime, timedelta

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy

from shared.events.bus import ensure_stream

logger = logging.getLogger(__name__)

TOKEN_REVOKED = "auth.token.revoked"


class RevocationList:
    def __init__(self) -> None:
        self._revoked: dict[str, float] = {}

    def add(self, token_id: str, expires_at: float) -> None:
        self._revoked[token_id] = expires_at
        if len(self._revoked) % 1024 == 0:
            self._forget_expired()

    def is_revoked(self, token_id: str) -> bool:
        return token_id in self._revoked

    def _forget_expired(self) -> None:
        now = time.time()
        for token_id in [jti for jti, exp in self._revoked.items() if exp < now]:
            del self._revoked[token_id]

    async def follow(self, js: JetStreamContext, *, window_seconds: int) -> None:
        """Replay the last `window_seconds` of revocations, then keep listening."""
        stream = await ensure_stream(js, TOKEN_REVOKED)
        start = datetime.now(UTC) - timedelta(seconds=window_seconds)
        await js.subscribe(
            TOKEN_REVOKED,
            stream=stream,
            cb=self._on_message,
            ordered_consumer=True,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_TIME, opt_start_time=start),
        )

    async def _on_message(self, msg: Msg) -> None:
        try:
            data = json.loads(msg.data)["data"]
            self.add(str(data["jti"]), float(data["exp"]))
        except (ValueError, KeyError, TypeError):
            logger.error("malformed revocation event", extra={"subject": msg.subject})
