"""bots' maintenance in-process, each test in a rolled-back transaction: the sweeper of answers
left streaming by a dead process, the streamers' leases, and the usage rows' retention."""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bots.conversation.service import public_id
from bots.main import create_app
from bots.maintenance import STREAMER_ID, close_orphaned_answers, delete_old_usage, renew_lease
from bots.models import Conversation, Message, Streamer, Usage, outbox_table
from devstack.inprocess import InProcess, in_process
from devstack.stack import Stack

TENANT = 900_000_022
LEASE = timedelta(seconds=60)


@dataclass
class Bots:
    harness: InProcess
    sessionmaker: async_sessionmaker[AsyncSession]

    @property
    def session(self) -> AsyncSession:
        return self.harness.session


@pytest.fixture
async def bots(platform_database: Stack) -> AsyncIterator[Bots]:
    url = platform_database.superuser_dsn.replace("postgresql://", "postgresql+asyncpg://")
    app = create_app()
    async with in_process(app, database_url=url, schema="bots") as harness:
        yield Bots(harness, app.state.sessionmaker)


async def _answer(bots: Bots, conversation: Conversation, *, owner: uuid.UUID | None, age: timedelta) -> Message:
    answer = Message(
        conversation_id=conversation.id, role="assistant", content="", status="streaming", owner=owner,
        turn_id=uuid.uuid4(), created_at=datetime.now(UTC) - age,
    )  # fmt: skip
    bots.session.add(answer)
    await bots.session.flush()
    return answer


async def test_answers_left_streaming_by_a_dead_process_are_closed_as_interrupted(bots: Bots) -> None:
    now = datetime.now(UTC)
    conversation = Conversation(tenant_id=TENANT, owner_id=7, title="t")
    alive, dead, starting = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    bots.session.add_all([
        conversation,
        Streamer(id=alive, renewed_at=now),
        Streamer(id=dead, renewed_at=now - timedelta(minutes=10)),
    ])  # fmt: skip
    await bots.session.flush()
    orphan = await _answer(bots, conversation, owner=dead, age=timedelta(minutes=5))
    live = await _answer(bots, conversation, owner=alive, age=timedelta(minutes=5))
    # A process that has just started: no lease row yet, its answer younger than a lease.
    young = await _answer(bots, conversation, owner=starting, age=timedelta(seconds=1))
    unowned_old = await _answer(bots, conversation, owner=None, age=timedelta(hours=2))
    unowned_recent = await _answer(bots, conversation, owner=None, age=timedelta(minutes=10))
    done = await _answer(bots, conversation, owner=dead, age=timedelta(minutes=5))
    done.status = "complete"
    await bots.session.flush()

    # The database is the suite's: a running bots' answers may be among those it closes.
    assert await close_orphaned_answers(bots.sessionmaker, lease=LEASE, batch_size=1) >= 2

    answers = select(Message.id, Message.status).where(Message.conversation_id == conversation.id)
    statuses = {row.id: row.status for row in await bots.session.execute(answers)}
    assert statuses == {
        orphan.id: "interrupted", live.id: "streaming", young.id: "streaming", unowned_old.id: "interrupted",
        unowned_recent.id: "streaming", done.id: "complete",
    }  # fmt: skip
    said = (await bots.session.scalars(select(outbox_table.c.payload).where(
        outbox_table.c.subject == "bots.answer.completed",
        outbox_table.c.payload["tenant_id"].as_integer() == TENANT,
    ))).all()  # fmt: skip
    assert [(p["data"]["conversation_id"], p["data"]["status"]) for p in said] == [
        (public_id(conversation.id), "interrupted")
    ] * 2
    # The dead process's lease goes with its last answer; the live one's stays.
    assert set((await bots.session.scalars(select(Streamer.id).where(Streamer.id.in_([alive, dead])))).all()) == {alive}

    # Nothing of this conversation left to close: a second pass changes nothing of it.
    await close_orphaned_answers(bots.sessionmaker, lease=LEASE)
    assert {row.id: row.status for row in await bots.session.execute(answers)} == statuses


async def test_a_process_renews_one_lease_of_its_own(bots: Bots) -> None:
    await renew_lease(bots.sessionmaker)
    await renew_lease(bots.sessionmaker)
    assert (await bots.session.scalars(select(Streamer.id).where(Streamer.id == STREAMER_ID))).all() == [STREAMER_ID]


async def test_usage_rows_past_their_retention_are_deleted_and_the_rest_kept(bots: Bots) -> None:
    now = datetime.now(UTC)
    ages = {"ancient": 500, "expired": 401, "kept": 399, "today": 0}
    bots.session.add_all(
        Usage(tenant_id=TENANT, provider="openai", model=name, input_tokens=1, output_tokens=1,
              at=now - timedelta(days=days))
        for name, days in ages.items()
    )  # fmt: skip
    await bots.session.flush()

    assert await delete_old_usage(bots.sessionmaker, older_than=timedelta(days=400), batch_size=1) == 2

    left = (await bots.session.scalars(select(Usage.model).where(Usage.tenant_id == TENANT))).all()
    assert sorted(left) == ["kept", "today"]
