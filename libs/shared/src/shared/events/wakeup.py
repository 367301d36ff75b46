"""Waking a worker when another process commits work for it: PostgreSQL LISTEN/NOTIFY.

A writer adds `notify(channel)` to a statement of its transaction; PostgreSQL delivers the
notification at commit (never for a rollback, once per transaction whatever the repeats). A
`Wakeup` listens on a connection of its own, outside the pool, and reconnects when it breaks;
a worker then waits on it with a long timeout instead of polling. While it is not listening
(the database away), `listening` is False and the worker polls as before.

Notifications carry this process's token: where its own commits wake a worker in-process
already (`Wakeup.set`, the outbox relay), they are not counted twice.

`Listener` is the one LISTEN loop of the code base (the connection, its loss, the retry every
second); `Wakeup` and ingest's credential cache are what it tells of notifications and of
whether it listens.
"""

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
from sqlalchemy import func
from sqlalchemy.engine import URL
from sqlalchemy.sql.functions import Function

logger = logging.getLogger(__name__)

PROCESS_TOKEN = uuid.uuid4().hex
_RETRY_SECONDS = 1.0


__all__ = ["Listener", "Wakeup", "notify"]


def notify(channel: str) -> Function[Any]:
    """`pg_notify(channel, <this process>)`: a SQL expression to add to a statement (a RETURNING
    column, a SELECT) so the transaction that runs it wakes the channel's listeners at commit."""
    return func.pg_notify(channel, PROCESS_TOKEN)


class Listener:
    """LISTEN on `channel` on a connection of its own, outside the pool, until cancelled;
    reconnecting every second while the connection cannot be opened or is lost.

    `on_listening(True)` once the LISTEN holds (every commit from then on is delivered to
    `on_notify`); `on_listening(False)` the moment the connection is known lost, from asyncpg's
    termination callback, before this loop runs again (notifications are not queued for a
    listener that is gone), and when cancelled. Both run on the event loop, never concurrently.
    """

    def __init__(
        self,
        url: URL,
        channel: str,
        *,
        on_notify: Callable[[str], None],
        on_listening: Callable[[bool], None] = lambda _: None,
        application_name: str = "listen",
    ) -> None:
        self.url = url
        self.channel = channel
        self.on_notify = on_notify
        self.on_listening = on_listening
        self.application_name = application_name
        self.listening = False

    async def run(self) -> None:
        while True:
            try:
                await self._listen_once()
                logger.warning("listen connection lost; trying again", extra={"channel": self.channel})
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("cannot listen; trying again", extra={"channel": self.channel, "error": repr(exc)})
            finally:
                self._stopped()
            await asyncio.sleep(_RETRY_SECONDS)

    async def _listen_once(self) -> None:
        """Listen until the connection is lost."""
        connection = await asyncpg.connect(**_connect_args(self.url, self.application_name))
        try:
            lost = asyncio.Event()

            def terminated(_: object) -> None:
                self._stopped()
                lost.set()

            connection.add_termination_listener(terminated)
            await connection.add_listener(self.channel, self._notified)
            self.listening = True
            self.on_listening(True)
            await lost.wait()
        finally:
            with contextlib.suppress(Exception):
                await connection.close(timeout=2)

    def _notified(self, connection: object, pid: int, channel: str, payload: str) -> None:
        self.on_notify(payload)

    def _stopped(self) -> None:
        if self.listening:
            self.listening = False
            self.on_listening(False)


class Wakeup:
    """An event set by this process (`set`) or by another process's commit on `channel`."""

    def __init__(self, url: URL | None, channel: str, *, own: bool = False) -> None:
        """`url` None: woken by `set` only (`start` then listens to nothing). `own`: this
        process's notifications wake it too (nothing else tells it of its own commits)."""
        self.channel = channel
        self.own = own
        self._event = asyncio.Event()
        self._listener = (
            None if url is None else Listener(url, channel, on_notify=self._notified, on_listening=self._listening)
        )
        self._task: asyncio.Task[None] | None = None

    @property
    def listening(self) -> bool:
        """Whether other processes' commits wake it now (else its worker polls)."""
        return self._listener is not None and self._listener.listening

    def set(self) -> None:
        self._event.set()

    async def wait(self, timeout: float) -> bool:
        """True when woken (and ready for the next wake-up), False after `timeout`."""
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
        except TimeoutError:
            return False
        self._event.clear()
        return True

    def start(self) -> None:
        if self._task is None and self._listener is not None:
            self._task = asyncio.create_task(self._listener.run(), name=f"listen-{self.channel}")

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def _notified(self, payload: str) -> None:
        if self.own or payload != PROCESS_TOKEN:
            self._event.set()

    def _listening(self, listening: bool) -> None:
        if listening:
            self._event.set()  # what was committed while nobody listened is looked at now


def _connect_args(url: URL, application_name: str) -> dict[str, Any]:
    return {
        "host": url.host,
        "port": url.port,
        "user": url.username,
        "password": url.password,
        "database": url.database,
        "server_settings": {"application_name": application_name},
    }
