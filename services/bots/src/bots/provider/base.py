"""What every provider speaks: a prompt in (with the tools the model may call), text deltas,
tool calls and a usage figure out, or a failure that says whether the next model of the
toolbox should be tried."""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from types import ModuleType
from typing import Any, Literal, NotRequired, Protocol, TypedDict

from bots.errors import ProviderFailed

Role = Literal["user", "assistant"]


@dataclass(frozen=True)
class ToolCall:
    """The model asks to run a tool (native tool calling of both protocols)."""

    id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class ToolResult:
    call_id: str
    name: str
    content: str  # JSON text of the result, or of the error


@dataclass(frozen=True)
class Turn:
    role: Role
    content: str
    # An assistant turn that called tools, and the user-side turn that carries their results.
    tool_calls: tuple[ToolCall, ...] = ()
    tool_results: tuple[ToolResult, ...] = ()


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    parameters: dict[str, Any]


class Citation(TypedDict):
    """Where an answer drew from: a chunk of a document and the offsets used in its text.
    `n` when the chunk was given in the prompt as [n]; `tool_call` when a knowledge search
    found it."""

    document_id: int
    document: str
    chunk_id: int
    position: int
    start: int
    end: int
    n: NotRequired[int]
    tool_call: NotRequired[str]


@dataclass(frozen=True)
class Source:
    """A knowledge chunk put in front of the model, numbered `[n]` for it to cite."""

    n: int
    document_id: int
    document: str
    chunk_id: int
    position: int
    start: int  # offsets of the chunk in its document's text
    end: int
    content: str

    def citation(self, start: int | None = None, end: int | None = None) -> Citation:
        """What an answer stores and streams: the document, the chunk and the offsets used."""
        return {"n": self.n, "document_id": self.document_id, "document": self.document, "chunk_id": self.chunk_id,
                "position": self.position, "start": self.start if start is None else start,
                "end": self.end if end is None else end}  # fmt: skip


@dataclass(frozen=True)
class Cited:
    """The local provider quoted `source` between these offsets of its document."""

    source: Source
    start: int
    end: int


@dataclass(frozen=True)
class Prompt:
    system: str | None
    turns: list[Turn]
    temperature: float | None = None
    max_tokens: int = 1024
    # Text the local provider may quote (the system prompt, the conversation, knowledge).
    knowledge: list[str] = field(default_factory=list)
    tools: tuple[ToolSpec, ...] = ()
    # Knowledge chunks found for the question (also in `system`, numbered for citing).
    sources: tuple[Source, ...] = ()

    @property
    def question(self) -> str:
        return next((t.content for t in reversed(self.turns) if t.role == "user" and not t.tool_results), "")

    def followed_by(self, *turns: Turn) -> "Prompt":
        return replace(self, turns=[*self.turns, *turns])


@dataclass(frozen=True)
class Usage:
    input_tokens: int
    output_tokens: int


class Provider(Protocol):
    kind: str

    def stream(self, model: str, prompt: Prompt) -> AsyncIterator[str | ToolCall | Usage | Cited]:
        """Text deltas as they come, the tool calls asked for (the local provider: what it
        quoted), then one Usage. Raises ProviderFailed."""
        ...


def retryable_status(status: int) -> bool:
    return status == 429 or status >= 500


def failure_of(exc: Exception, sdk: ModuleType) -> ProviderFailed:
    """One translation of both SDKs' errors (`openai` and `anthropic` share their shape), and of
    the SSRF guard's refusal, into ProviderFailed."""
    if isinstance(exc, sdk.APIStatusError):
        status = exc.status_code
        return ProviderFailed(f"HTTP {status}", retryable=retryable_status(status), status=status)
    if isinstance(exc, sdk.APITimeoutError):
        return ProviderFailed("tiempo de espera agotado", retryable=True)
    if isinstance(exc, sdk.APIConnectionError):
        return ProviderFailed("sin conexión con el proveedor", retryable=True)
    return ProviderFailed(getattr(exc, "message", str(exc)), retryable=True)  # the SSRF guard refused it
