"""The built-in `local` provider: no network and no language model. It answers by quoting the
sentences of what it was given (the bot's system prompt, the conversation, knowledge) that
share the most words with the question, and says plainly that it is the local provider.
Its usage counts words, not tokens."""

import re
import unicodedata
from collections.abc import AsyncIterator

from bots.providers.base import Prompt, ToolCall, Usage

PREFIX = "[Proveedor local, sin modelo de lenguaje] "
_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE = re.compile(r"(?<=[.!?¡¿\n])\s+")


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def keywords(text: str) -> set[str]:
    """Words of four letters or more, without accents: enough to tell what a question is about."""
    return {w for w in _WORD.findall(_plain(text)) if len(w) >= 4}


def answer(prompt: Prompt, *, best: int = 2) -> str:
    wanted = keywords(prompt.question)
    sentences = [s.strip() for text in prompt.knowledge for s in _SENTENCE.split(text) if s.strip()]
    scored = sorted(
        ((len(wanted & keywords(s)), -i, s) for i, s in enumerate(sentences) if s != prompt.question.strip()),
        reverse=True,
    )
    chosen = [s for score, _, s in scored[:best] if score > 0]
    if not chosen:
        return (
            f"{PREFIX}Solo respondo con lo que conozco de este bot y de la conversación, "
            "y no encontré nada sobre tu pregunta. Configura un proveedor (OpenAI, Anthropic u Ollama) "
            "para respuestas generadas."
        )
    return PREFIX + " ".join(chosen)


class Local:
    kind = "local"

    async def stream(self, model: str, prompt: Prompt) -> AsyncIterator[str | ToolCall | Usage]:
        text = answer(prompt)
        words = text.split(" ")
        for i, word in enumerate(words):
            yield word if i == 0 else " " + word
        asked = sum(len(_WORD.findall(t.content)) for t in prompt.turns) + len(_WORD.findall(prompt.system or ""))
        yield Usage(asked, len(words))
