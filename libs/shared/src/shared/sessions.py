"""The request's unit of work: one session, committed before the response is sent, and its
outbox rows relayed to JetStream before the response too (bounded, see `shared.events.outbox`)."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events.outbox import relayed

__all__ = ["SessionDep", "get_session"]


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """Commit when the endpoint returns, roll back when it raises.

    Used with `scope="function"`, so the commit happens before the response is sent and a
    failed commit can never follow a 2xx. After the commit, the events the request wrote to the
    outbox are published by the relay before the response (waiting a few hundred ms at most):
    a client that reads them elsewhere right after the answer finds them.
    """
    async with request.app.state.sessionmaker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()
            await relayed(session)


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
