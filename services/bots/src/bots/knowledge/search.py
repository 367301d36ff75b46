"""Full-text search over a workspace's chunks, in each knowledge base's language (Spanish by
default: "riegan" finds "riega" and "riego").

A question's words (stemmed, stop words dropped by `plainto_tsquery`) rarely all appear in
one chunk, and a chunk with any one of them is too weak a match to rank every such chunk (on
a large base that is most of it). So the search widens in steps and stops as soon as it has
enough results: chunks with every word, then with all words but one, then with any word.
Each step is a GIN index lookup; chunks are ranked by `ts_rank` against all the words, and
only the best are joined to their documents."""

import itertools
import re
from collections import defaultdict
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import BigInteger

from bots.knowledge.schemas import Hit
from bots.models import KnowledgeBase

MAX_RESULTS = 20
# Beyond this many words, "all but one" is skipped (its query grows with the words).
_MAX_WORDS_FOR_STEPS = 8
_LEXEME = re.compile(r"'(?:[^']|'')*'")

_WORDS = text("SELECT plainto_tsquery(CAST(:language AS regconfig), :query)::text")
_SEARCH = text("""
    SELECT c.id, c.document_id, d.title, c.position, c.start_offset, c.end_offset, c.content, best.score
    FROM (
        SELECT c.id, ts_rank(c.tsv, CAST(:ranked AS tsquery)) AS score
        FROM bots.chunks c
        WHERE c.tenant_id = :tenant_id AND c.knowledge_base_id = ANY(:bases) AND c.tsv @@ CAST(:matched AS tsquery)
        ORDER BY score DESC, c.id
        LIMIT :limit
    ) best
    JOIN bots.chunks c ON c.id = best.id
    JOIN bots.documents d ON d.id = c.document_id
    ORDER BY best.score DESC, c.id
""").bindparams(bindparam("bases", type_=ARRAY(BigInteger)))


def steps(lexemes: list[str]) -> list[str]:
    """The tsqueries to try, narrowest first: every word, all but one, any."""
    if not lexemes:
        return []
    every = " & ".join(lexemes)
    widths = [len(lexemes)]
    if 2 < len(lexemes) <= _MAX_WORDS_FOR_STEPS:
        widths.append(len(lexemes) - 1)
    widths.append(1)
    queries = []
    for width in dict.fromkeys(widths):
        combos = itertools.combinations(lexemes, width)
        queries.append(every if width == len(lexemes) else " | ".join(f"({' & '.join(c)})" for c in combos))
    return queries


async def search(
    session: AsyncSession, tenant_id: int, query: str, *, bases: list[int] | None = None, limit: int = 5
) -> list[Hit]:
    """The best chunks for `query` in the workspace's bases (`bases`: only those)."""
    lookup = select(KnowledgeBase.id, KnowledgeBase.language).where(KnowledgeBase.tenant_id == tenant_id)
    if bases is not None:
        lookup = lookup.where(KnowledgeBase.id.in_(bases))
    by_language: dict[str, list[int]] = defaultdict(list)
    for base_id, language in await session.execute(lookup):
        by_language[language].append(base_id)
    hits: list[Hit] = []
    for language, ids in by_language.items():
        words = await session.scalar(_WORDS, {"language": language, "query": query}) or ""
        lexemes = list(dict.fromkeys(_LEXEME.findall(words)))  # as PostgreSQL quoted them
        rows: list[Any] = []
        for matched in steps(lexemes):
            params = {"ranked": " | ".join(lexemes), "matched": matched, "tenant_id": tenant_id, "bases": ids}
            rows = list(await session.execute(_SEARCH, {**params, "limit": limit}))
            if len(rows) >= limit:
                break
        hits += [
            Hit(document_id=r.document_id, document=r.title, chunk_id=r.id, position=r.position,
                start=r.start_offset, end=r.end_offset, content=r.content, score=round(float(r.score), 6))
            for r in rows
        ]  # fmt: skip
    return sorted(hits, key=lambda hit: -hit.score)[:limit]
