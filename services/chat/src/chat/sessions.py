"""The desk's unit of work for a request: `SessionDep`'s commit, then the live clients told.

A change's live events (`chat.hub.Event`) must reach WebSocket clients only once the change
is committed: nobody hears of a change that might still roll back. An endpoint that changes
the desk takes `LiveSessionDep` and hands its events to `publish_after_commit`; the dependency
commits through `shared.sessions.get_session` (still the one commit point), then publishes
them, before the response is sent.

A WebSocket has no request session: its units of work (`chat.live.service`) take the
`sessionmaker` (`SessionmakerDep`) and each owns its transaction.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from chat.hub import Event, Hub
from shared.sessions import get_session

_PENDING = "chat.live.pending"
_request_session = asynccontextmanager(get_session)  # once: wrapping it costs every request


async def _live_session(request: Request) -> AsyncIterator[AsyncSession]:
    pending: list[tuple[int, list[Event]]] = []
    async with _request_session(request) as session:
        session.info[_PENDING] = pending
        yield session
    # committed (an exception rolled back and left above): now the clients may hear of it
    hub: Hub = request.app.state.hub
    for tenant_id, items in pending:
        if items:
            await hub.publish(tenant_id, items)


LiveSessionDep = Annotated[AsyncSession, Depends(_live_session, scope="function")]


def publish_after_commit(session: AsyncSession, tenant_id: int, items: list[Event]) -> None:
    """`items` go to the workspace's live clients once the request's session commits."""
    pending: list[tuple[int, list[Event]]] | None = session.info.get(_PENDING)
    if pending is None:
        raise RuntimeError("publish_after_commit needs the session of LiveSessionDep")
    pending.append((tenant_id, items))


def _sessionmaker(connection: HTTPConnection) -> async_sessionmaker[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = connection.app.state.sessionmaker
    return sessions


SessionmakerDep = Annotated[async_sessionmaker[AsyncSession], Depends(_sessionmaker)]
