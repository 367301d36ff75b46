"""Cutting a document's text into chunks of about `size` characters, at a paragraph break when
there is one, else at the end of a sentence, else between words. Each chunk knows its exact
offsets in the text, so a citation can point at the words it quotes."""

import re
from dataclasses import dataclass

SIZE = 800
_BREAKS = (re.compile(r"\n\s*\n"), re.compile(r"[.!?…](?=\s)"), re.compile(r"\s"))


@dataclass(frozen=True)
class Piece:
    position: int
    start: int
    end: int
    content: str


def _cut(text: str, start: int, limit: int) -> int:
    """Where the chunk that starts at `start` ends: the last good break before `limit`, and
    not in the first half of the chunk (so no chunk is tiny)."""
    if limit >= len(text):
        return len(text)
    floor = start + (limit - start) // 2
    for pattern in _BREAKS:
        ends = [m.end() for m in pattern.finditer(text, floor, limit)]
        if ends:
            return ends[-1]
    return limit


def chunk(text: str, size: int = SIZE) -> list[Piece]:
    pieces: list[Piece] = []
    start = 0
    while start < len(text):
        end = _cut(text, start, start + size)
        content = text[start:end]
        lead = len(content) - len(content.lstrip())
        content = content.strip()
        if content:
            first = start + lead
            pieces.append(Piece(len(pieces), first, first + len(content), content))
        start = end
    return pieces
