"""The models the SDK answers: every schema of the gateway's document, generated
(`models._generated`, see `agent_client._generate`), on `Model` (unknown fields kept; fields
read as attributes or by their JSON names), and the events of a streamed answer.

One shape per kind of answer: a chat's answer is `ChatAnswer` whether it comes from
`chat.send`, `agents.chat_with_agent` or `conversations.confirm`; a stream yields `ChatEvent`s."""

from typing import Any

from agent_client.models._base import Model
from agent_client.models._generated import AnswerRead, ToolCallRead, ToolRead

ChatAnswer = AnswerRead  # 002's answer of `/api/chat` (an agent's chat, a confirmation)
ToolRun = ToolCallRead  # what `tools.execute` answers
Tool = ToolRead  # one tool of `GET /api/tools`


class ChatEvent(Model):
    """One Server-Sent Event of a streamed answer: `thinking`, `tool_call`, `tool_result`,
    `message` (a text delta in `content`), `error` or `done`; `id` resumes after it."""

    type: str
    id: str | None = None
    content: str | None = None
    tool: str | None = None
    params: dict[str, Any] | None = None
    result: Any = None
    status: str | None = None
    conversation_id: str | None = None


__all__ = ["ChatAnswer", "ChatEvent", "Model", "Tool", "ToolRun"]
