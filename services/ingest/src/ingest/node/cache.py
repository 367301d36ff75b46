"""A per-replica cache of node credentials, emptied the moment the read model changes.

Every post authenticates, and reading the credential in its own transaction was a third of
ingest's CPU. Whatever changes a node or a plan here (agro's node, field and subscription
events: a revoked or rotated token, a deleted node or field, a plan change) runs `notify()`
in its transaction; PostgreSQL delivers it at commit to every replica's listening connection,
whose callback empties the cache. So a revoked token is refused by the next post on every
replica as it was without a cache, give or take the notification's delivery (a local socket
read), well inside the second a change already takes to arrive here as an event.

Nothing is cached or served from the cache while this replica does not listen (starting, or
its connection lost: notifications are not queued for a listener that is gone), and a lookup
that read the table before an invalidation does not store what it read (`generation`). Only
found credentials are cached: an unknown token still goes to the table and waits for the read
model to catch up.
"""

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

import asyncpg
from sqlalchemy import Select, select
from sqlalchemy.engine import URL

from shared.events.wakeup import notify

logger = logging.getLogger(__name__)

CHANNEL = "ingest_credentials"
_RETRY_SECONDS = 1.0
# A bound on memory, far above the nodes a replica serves; past it the cache starts over.
MAX_ENTRIES = 100_000


T = TypeVar("T")


def notify_change() -> Select[Any]:
    """The statement a read-model change runs in its transaction to empty every replica's cache."""
    return select(notify(CHANNEL))


@dataclass(frozen=True, slots=True)
class Cached(Generic[T]):
    value: T
    version: datetime  # the node row's version: a node applied moments ago may await its plan


class CredentialCache(Generic[T]):
    """Credentials by token digest, valid while `follow` listens on `CHANNEL`."""

    def __init__(self, *, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self.listening = False
        # Bumped by every invalidation: a lookup stores its result only if none came between.
        self.generation = 0
        self._entries: dict[str, Cached[T]] = {}

    def get(self, digest: str) -> Cached[T] | None:
        return self._entries.get(digest) if self.listening else None

    def put(self, digest: str, entry: Cached[T], *, generation: int) -> None:
        """Keep what a lookup that started at `generation` read, unless the table changed since."""
        if not self.listening or generation != self.generation:
            return
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[digest] = entry

    def invalidate(self) -> None:
        self.generation += 1
        self._entries.clear()

    async def follow(self, url: URL) -> None:
        """Listen for changes until cancelled, reconnecting when the connection breaks."""
        while True:
            try:
                await self._listen_once(url)
                logger.warning("credential listener lost; reading every token from the table meanwhile")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("cannot listen for credential changes", extra={"error": repr(exc)})
            finally:
                self._stop_listening()
            await asyncio.sleep(_RETRY_SECONDS)

    async def _listen_once(self, url: URL) -> None:
        connection = await asyncpg.connect(
            host=url.host,
            port=url.port,
            user=url.username,
            password=url.password,
            database=url.database,
            server_settings={"application_name": "ingest-credentials"},
        )
        try:
            lost = asyncio.Event()
            connection.add_termination_listener(lambda _: self._lost(lost))
            await connection.add_listener(CHANNEL, self._notified)
            self.invalidate()  # nothing read before LISTEN is kept
            self.listening = True
            await lost.wait()
        finally:
            with contextlib.suppress(Exception):
                await connection.close(timeout=2)

    def _notified(self, connection: object, pid: int, channel: str, payload: str) -> None:
        self.invalidate()

    def _lost(self, lost: asyncio.Event) -> None:
        self._stop_listening()  # at once, before the listen loop gets to run again
        lost.set()

    def _stop_listening(self) -> None:
        self.listening = False
        self.invalidate()
