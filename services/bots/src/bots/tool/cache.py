"""Each workspace's tools, kept per replica: a turn offers them before its first token, and
reading the learned APIs on every turn was part of that wait.

A workspace's entry is read once and kept until one of its learned APIs changes. Every replica
follows `bots.api.learned` and `bots.api.forgotten` on JetStream (published by the outbox after
the change commits) and drops that workspace's entry, so the next turn on any replica reads
again. Nothing expires on a timer. While the follower is not listening (start-up, a NATS
restart) nothing is kept: every turn reads, as before.
"""

import asyncio
import logging
from dataclasses import dataclass

from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from bots import events
from bots.learned import service as learned
from bots.learned.service import Outbound
from bots.provider.base import ToolSpec
from bots.tool.service import BUILTIN, available
from bots.tooling import Tool
from shared.events import Envelope, ensure_stream
from shared.events.follower import follow_subjects

logger = logging.getLogger(__name__)

_SUBJECTS = [events.ApiLearned.subject, events.ApiForgotten.subject]
# A pull request waits this long (answered as soon as a change comes); then the follower checks
# that the server still has its consumer, as the revocation follower does.
_WAIT_SECONDS = 5.0
_RETRY_SECONDS = 0.5
_MAX_WORKSPACES = 10_000


@dataclass(frozen=True)
class _Kept:
    specs: tuple[ToolSpec, ...]  # what the model is offered, built-ins first
    tools: dict[str, Tool]  # what an answer may run (learned APIs' only with an `Outbound`)


class WorkspaceTools:
    """The built-in tools and the operations of each workspace's learned APIs, read once."""

    def __init__(self, outbound: Outbound | None) -> None:
        self.outbound = outbound
        self._kept: dict[int, _Kept] = {}
        # Bumped by every change heard: a read that began before a change is not kept.
        self._changes = 0
        self._listening = False
        self._follower: asyncio.Task[None] | None = None

    async def specs(self, session: AsyncSession, tenant_id: int, only: frozenset[str] | None = None) -> list[ToolSpec]:
        """What the model is offered (`only`: an agent's own tools), as name, description, schema."""
        kept = await self._of(session, tenant_id)
        return [spec for spec in kept.specs if only is None or spec.name in only]

    async def tools(self, session: AsyncSession, tenant_id: int) -> dict[str, Tool]:
        return (await self._of(session, tenant_id)).tools

    def forget(self, tenant_id: int) -> None:
        self._changes += 1
        self._kept.pop(tenant_id, None)

    def forget_all(self) -> None:
        self._changes += 1
        self._kept.clear()

    async def _of(self, session: AsyncSession, tenant_id: int) -> _Kept:
        kept = self._kept.get(tenant_id)
        if kept is not None:
            return kept
        changes = self._changes
        apis = await learned.listing(session, tenant_id)
        specs = [ToolSpec(t.name, t.description, t.parameters) for t in available()]
        found = dict(BUILTIN)
        for api in apis:
            specs += [ToolSpec(learned.tool_name(api, op), op["summary"], op["parameters"]) for op in api.operations]
            if self.outbound is not None:
                found.update({tool.name: tool for tool in learned.tools_of(api, self.outbound)})
        kept = _Kept(tuple(specs), found)
        if self._listening and changes == self._changes:
            if len(self._kept) >= _MAX_WORKSPACES:
                self._kept.clear()
            self._kept[tenant_id] = kept
        return kept

    async def follow(self, nc: NATS, js: JetStreamContext) -> None:
        """Listen from now on (kept entries are dropped on every change heard), then in the background."""
        stream = await ensure_stream(js, events.ApiLearned.subject)  # both subjects live in bots' stream
        subscription = await js.pull_subscribe(_SUBJECTS[0], stream=stream, config=_config())
        self._listening = True
        self._follower = asyncio.create_task(self._follow(nc, js, stream, subscription))

    async def aclose(self) -> None:
        if self._follower is not None:
            self._follower.cancel()
            await asyncio.gather(self._follower, return_exceptions=True)

    async def _follow(
        self, nc: NATS, js: JetStreamContext, stream: str, subscription: JetStreamContext.PullSubscription
    ) -> None:
        # A pull consumer of this replica's own (`shared.events.follower`), re-created whenever
        # the server loses it (a restart) or the connection breaks; whatever was kept is dropped
        # then, since a change may have gone unheard in between.
        try:
            await follow_subjects(
                nc,
                js,
                _SUBJECTS[0],
                stream=stream,
                config=_config,
                apply=self._apply,
                what="tools cache",
                wait_seconds=_WAIT_SECONDS,
                retry_seconds=_RETRY_SECONDS,
                subscription=subscription,
                on_subscribed=self._subscribed,
                on_lost=self._lost,
            )
        finally:
            self._listening = False

    def _subscribed(self) -> None:
        self.forget_all()
        self._listening = True

    def _lost(self) -> None:
        self._listening = False
        self.forget_all()

    def _apply(self, msg: Msg) -> None:
        try:
            tenant_id = Envelope.model_validate_json(msg.data).tenant_id
        except ValidationError:
            logger.error("malformed learned-API event", extra={"subject": msg.subject})
            self.forget_all()
            return
        if tenant_id is None:
            self.forget_all()
        else:
            self.forget(tenant_id)


def _config() -> ConsumerConfig:
    # No acks: every replica hears every change; only changes from now on matter (nothing is
    # kept yet). The server forgets the consumer soon after this replica does.
    return ConsumerConfig(
        ack_policy=AckPolicy.NONE,
        deliver_policy=DeliverPolicy.NEW,
        inactive_threshold=_WAIT_SECONDS * 6,
        filter_subjects=list(_SUBJECTS),
    )
