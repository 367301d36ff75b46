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

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.engine import URL

from shared.events.wakeup import Listener, notify

CHANNEL = "ingest_credentials"
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
    """Credentials by token digest, valid while `follow` listens on `CHANNEL` (the shared
    `Listener`: its connection, its loss and its retries)."""

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
        listener = Listener(
            url,
            CHANNEL,
            on_notify=lambda _: self.invalidate(),
            on_listening=self._listening,
            application_name="ingest-credentials",
        )
        await listener.run()

    def _listening(self, listening: bool) -> None:
        # Both ways nothing read so far is kept: before LISTEN held, changes went unheard; once
        # it is lost (told at once, before the loop runs again), they go unheard again.
        self.invalidate()
        self.listening = listening
