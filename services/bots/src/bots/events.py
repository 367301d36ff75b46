"""What bots publishes. Consumers keep views of these in their own `events.py`."""

from bots.models import outbox_table
from shared.events import Event, Outbox

outbox = Outbox(outbox_table, source="bots")


class ConversationCreated(Event):
    """002's `conversation.created` webhook event."""

    subject = "bots.conversation.created"
    conversation_id: str
    owner_id: int
    title: str
    bot_id: int | None = None


class AnswerCompleted(Event):
    """An answer was stored (complete, interrupted or failed), with the tokens it used."""

    subject = "bots.answer.completed"
    conversation_id: str | None
    bot_id: int | None
    provider: str
    model: str
    status: str
    input_tokens: int
    output_tokens: int


class ToolExecuted(Event):
    """002's `tool.executed` webhook event: a tool ran (directly or for the agent)."""

    subject = "bots.tool.executed"
    tool: str
    category: str
    ok: bool
    error: str | None = None
    conversation_id: str | None = None
    user_id: int


class ApiLearned(Event):
    """002's `api.learned` webhook event: an API's operations became the workspace's tools."""

    subject = "bots.api.learned"
    api_id: str
    name: str
    endpoints: int


class ApiForgotten(Event):
    """A learned API was forgotten: its operations are no longer the workspace's tools. Every
    bots replica follows it (with `bots.api.learned`) to drop the workspace's cached tools."""

    subject = "bots.api.forgotten"
    api_id: str
    name: str


PUBLISHED: list[type[Event]] = [ConversationCreated, AnswerCompleted, ToolExecuted, ApiLearned, ApiForgotten]
