"""Chat bodies and answers: 002's `/api/chat`, 004's `/api/ai/chat/`."""

from typing import Annotated, Any

from pydantic import BaseModel, Field

from shared.validation import Finite, InputModel

Question = Annotated[str, Field(min_length=1, max_length=20_000)]


class ChatCreate(InputModel):
    conversation_id: Annotated[str, Field(pattern=r"^conv_\d{1,18}$", examples=["conv_123"])] | None = None
    message: Question = Field(examples=["Lista las instancias EC2"])
    # Server-Sent Events (`thinking`, `tool_call`, `tool_result`, `message`, `done`) or one JSON answer.
    stream: bool = False
    # A new conversation may be answered by a bot of the workspace (its prompt and toolbox).
    bot_id: int | None = Field(default=None, ge=1)
    model: Annotated[str, Field(min_length=1, max_length=200)] | None = None


class AgentChatCreate(InputModel):
    """A question to an agent (000): its conversation goes on when `conversation_id` is given."""

    message: Question = Field(examples=["¿Cada cuánto riego el tomate en floración?"])
    conversation_id: Annotated[str, Field(pattern=r"^conv_\d{1,18}$", examples=["conv_123"])] | None = None
    stream: bool = False


class ConfirmationCreate(InputModel):
    """The user's decision on the tool calls an answer waits on (`done` with status `pending`)."""

    approve: bool = True
    stream: bool = False


class Tokens(BaseModel):
    input: int
    output: int


class AnswerRead(BaseModel):
    conversation_id: str | None
    content: str
    status: str
    model: str | None
    provider: str | None
    tokens: Tokens
    # Beyond 002: the knowledge chunks the answer drew from (document, chunk, offsets).
    citations: list[dict[str, Any]] = Field(default_factory=list)


class AiChatCreate(InputModel):
    prompt: Question
    model: Annotated[str, Field(min_length=1, max_length=200, examples=["claude-3.5", "ollama:llama3"])] | None = None
    context: Annotated[str, Field(max_length=20_000)] | None = None
    temperature: Annotated[Finite, Field(ge=0, le=2)] | None = None


class AiChatRead(BaseModel):
    text: str
    model: str
    tokens: Tokens
