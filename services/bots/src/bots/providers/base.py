"""What every provider speaks: a prompt in, text deltas and a usage figure out, or a failure
that says whether the next model of the toolbox should be tried."""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Literal, Protocol

Role = Literal["user", "assistant"]


@dataclass(frozen=True)
class Turn:
    role: Role
    content: str


@dataclass(frozen=True)
class Prompt:
    system: str | None
    turns: list[Turn]
    temperature: float | None = None
    max_tokens: int = 1024
    # Text the local provider may quote (the system prompt, the conversation, knowledge).
    knowledge: list[str] = field(default_factory=list)

    @property
    def question(self) -> str:
        return next((t.content for t in reversed(self.turns) if t.role == "user"), "")


@dataclass(frozen=True)
class Usage:
    input_tokens: int
    output_tokens: int


class ProviderFailed(Exception):
    """A provider did not answer. `retryable`: a 429, a 5xx, a timeout or a broken connection,
    after the SDK's own retries; the next model of the toolbox is tried then."""

    def __init__(self, reason: str, *, retryable: bool, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.status = status


class Provider(Protocol):
    kind: str

    def stream(self, model: str, prompt: Prompt) -> AsyncIterator[str | Usage]:
        """Text deltas as they come, then one Usage. Raises ProviderFailed."""
        ...


def retryable_status(status: int) -> bool:
    return status == 429 or status >= 500
