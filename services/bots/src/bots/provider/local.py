"""The built-in `local` provider: no network and no language model. It answers by quoting the
sentences of what it was given (the knowledge chunks found for the question, the bot's system
prompt, the conversation) that share the most words with the question, says plainly that it
is the local provider, and cites each chunk it quoted with the quote's offsets in its
document. Its usage counts words, not tokens."""

import re
import unicodedata
from collections.abc import AsyncIterator

from bots.provider.base import Cited, Prompt, Source, ToolCall, Usage

PREFIX = "[Proveedor local, sin modelo de lenguaje] "
_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE = re.compile(r"(?<=[.!?¡¿\n])\s+")
_SPAN = re.compile(r"[^.!?\n]+[.!?]*")


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def keywords(text: str) -> set[str]:
    """Words of four letters or more, without accents: enough to tell what a question is about."""
    return {w for w in _WORD.findall(_plain(text)) if len(w) >= 4}


def _sentences(source: Source) -> list[tuple[str, Cited]]:
    """The chunk's sentences, each with its offsets in the document."""
    found = []
    for match in _SPAN.finditer(source.content):
        text = match.group().strip()
        if text:
            start = source.start + match.start() + (len(match.group()) - len(match.group().lstrip()))
            found.append((text, Cited(source, start, start + len(text))))
    return found


def answer(prompt: Prompt, *, best: int = 2) -> tuple[str, list[Cited]]:
    """The quoted sentences, and the citations of those that came from knowledge chunks."""
    wanted = keywords(prompt.question)
    candidates: list[tuple[str, Cited | None]] = [pair for source in prompt.sources for pair in _sentences(source)]
    candidates += [(s.strip(), None) for text in prompt.knowledge for s in _SENTENCE.split(text) if s.strip()]
    question = prompt.question.strip()
    # Most shared words first; among equals, the earliest (knowledge before the conversation).
    scored = sorted(
        ((len(wanted & keywords(s)), -i) for i, (s, _) in enumerate(candidates) if s != question), reverse=True
    )
    chosen = [candidates[-minus_i] for score, minus_i in scored[:best] if score > 0]
    if not chosen:
        return (
            f"{PREFIX}Solo respondo con lo que conozco de este bot y de la conversación, "
            "y no encontré nada sobre tu pregunta. Configura un proveedor (OpenAI, Anthropic u Ollama) "
            "para respuestas generadas."
        ), []
    said = " ".join(f"{s} [{cited.source.n}]" if cited else s for s, cited in chosen)
    return PREFIX + said, [cited for _, cited in chosen if cited is not None]


class Local:
    kind = "local"

    async def stream(self, model: str, prompt: Prompt) -> AsyncIterator[str | ToolCall | Usage | Cited]:
        text, cited = answer(prompt)
        words = text.split(" ")
        for i, word in enumerate(words):
            yield word if i == 0 else " " + word
        for quote in cited:
            yield quote
        asked = sum(len(_WORD.findall(t.content)) for t in prompt.turns) + len(_WORD.findall(prompt.system or ""))
        yield Usage(asked, len(words))
