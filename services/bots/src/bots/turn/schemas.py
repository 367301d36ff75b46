"""Chat bodies and answers: 002's `/api/chat`, 004's `/api/ai/chat/`."""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from shared.validation import Finite, InputModel

Question = Annotated[str, Field(min_length=1, max_length=20_000)]


class ChatCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"conversation_id": "conv_123", "message": "Lista las instancias EC2", "stream": True}]
        }
    )

    conversation_id: Annotated[str, Field(pattern=r"^conv_\d{1,18}$", examples=["conv_123"])] | None = None
    message: Question = Field(examples=["Lista las instancias EC2"])
    # Server-Sent Events (`thinking`, `tool_call`, `tool_result`, `message`, `done`) or one JSON answer.
    stream: bool = False
    # A new conversation may be answered by a bot of the workspace (its prompt and toolbox).
    bot_id: int | None = Field(default=None, ge=1)
    model: Annotated[str, Field(min_length=1, max_length=200)] | None = None


class AgentChatCreate(InputModel):
    """A question to an agent (000): its conversation goes on when `conversation_id` is given."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"message": "¿Cada cuánto riego el tomate en floración?", "stream": False}]}
    )

    message: Question = Field(examples=["¿Cada cuánto riego el tomate en floración?"])
    conversation_id: Annotated[str, Field(pattern=r"^conv_\d{1,18}$", examples=["conv_123"])] | None = None
    stream: bool = False


class ConfirmationCreate(InputModel):
    """The user's decision on the tool calls an answer waits on (`done` with status `pending`)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"approve": True, "stream": False}]})

    approve: bool = True
    stream: bool = False


class Tokens(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"input": 412, "output": 96}]})

    input: int
    output: int


class AnswerRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "conversation_id": "conv_123",
                    "content": "Regar el tomate en floración cada 2 o 3 días [1].",
                    "status": "complete",
                    "model": "gpt-4o",
                    "provider": "openai",
                    "tokens": {"input": 412, "output": 96},
                    "citations": [
                        {
                            "tool_call": "call_1",
                            "document_id": 3,
                            "document": "Manual de riego",
                            "chunk_id": 41,
                            "position": 0,
                            "start": 0,
                            "end": 66,
                        }
                    ],
                }
            ]
        }
    )

    conversation_id: str | None
    content: str
    status: str
    model: str | None
    provider: str | None
    tokens: Tokens
    # Beyond 002: the knowledge chunks the answer drew from (document, chunk, offsets).
    citations: list[dict[str, Any]] = Field(default_factory=list)


class AiChatCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "prompt": "¿Qué cultivo conviene en suelo arcilloso?",
                    "model": "claude-3.5",
                    "context": "Parcela en Huaral, riego por goteo",
                    "temperature": 0.2,
                }
            ]
        }
    )

    prompt: Question
    model: Annotated[str, Field(min_length=1, max_length=200, examples=["claude-3.5", "ollama:llama3"])] | None = None
    context: Annotated[str, Field(max_length=20_000)] | None = None
    temperature: Annotated[Finite, Field(ge=0, le=2)] | None = None


class AiChatRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "text": "En suelo arcilloso conviene el arroz o la alfalfa...",
                    "model": "claude-3.5",
                    "tokens": {"input": 12, "output": 128},
                }
            ]
        }
    )

    text: str
    model: str
    tokens: Tokens
