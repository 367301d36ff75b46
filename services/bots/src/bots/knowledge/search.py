"""Full-text search over a workspace's chunks, in each knowledge base's language (Spanish by
default: "riegan" finds "riega" and "riego").

A question's words (stemmed, stop words dropped by `plainto_tsquery`) rarely all appear in
one chunk, and a chunk with any one of them is too weak a match to rank every such chunk (on
a large base that is most of it). So the search widens in steps and stops as soon as it has
enough results: chunks with every word, then with all words but one, then with any word.
Each step is a GIN index lookup; chunks are ranked by `ts_rank` against all the words, and
only the best are joined to their documents.

A base with an embedding model is also searched by meaning (pgvector, cosine distance); both
rankings are merged by reciprocal rank fusion, so a chunk that words and meaning both rank
high comes first, and a question in other words than the document's still finds it."""

import itertools
import logging
import re
from collections import defaultdict
from typing import Any

from sqlalchemy import Row, bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import BigInteger

from bots.errors import EmbeddingsFailed, EmbeddingsUnavailable
from bots.knowledge.embeddings import Embedder, as_literal
from bots.knowledge.schemas import Hit
from bots.models import KnowledgeBase

logger = logging.getLogger(__name__)

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
_NEAREST = text("""
    SELECT c.id, c.document_id, d.title, c.position, c.start_offset, c.end_offset, c.content,
           1 - (c.embedding OPERATOR(extensions.<=>) CAST(:vector AS extensions.vector)) AS score
    FROM bots.chunks c JOIN bots.documents d ON d.id = c.document_id
    WHERE c.tenant_id = :tenant_id AND c.knowledge_base_id = ANY(:bases) AND c.embedding IS NOT NULL
    ORDER BY c.embedding OPERATOR(extensions.<=>) CAST(:vector AS extensions.vector), c.id
    LIMIT :limit
""").bindparams(bindparam("bases", type_=ARRAY(BigInteger)))
_FUSION_K = 60  # reciprocal rank fusion's usual constant


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


def _hit(row: Row[Any]) -> Hit:
    return Hit(
        document_id=row.document_id, document=row.title, chunk_id=row.id, position=row.position,
        start=row.start_offset, end=row.end_offset, content=row.content, score=round(float(row.score), 6),
    )  # fmt: skip


async def search(
    session: AsyncSession,
    tenant_id: int,
    query: str,
    *,
    bases: list[int] | None = None,
    limit: int = 5,
    embedder: Embedder | None = None,
) -> list[Hit]:
    """The best chunks for `query` in the workspace's bases (`bases`: only those)."""
    lookup = select(KnowledgeBase.id, KnowledgeBase.language, KnowledgeBase.embedding_model).where(
        KnowledgeBase.tenant_id == tenant_id
    )
    if bases is not None:
        lookup = lookup.where(KnowledgeBase.id.in_(bases))
    by_language: dict[str, list[int]] = defaultdict(list)
    by_model: dict[str, list[int]] = defaultdict(list)
    for base_id, language, model in await session.execute(lookup):
        by_language[language].append(base_id)
        if model:
            by_model[model].append(base_id)
    words = await _by_words(session, tenant_id, query, by_language, limit)
    if not by_model or embedder is None or not embedder.enabled:
        return words
    meaning: list[Hit] = []
    for model, ids in by_model.items():
        try:
            [vector] = await embedder.vectors(session, tenant_id, model, [query])
        except (EmbeddingsFailed, EmbeddingsUnavailable) as exc:  # the words still answer
            logger.warning("query not embedded: searching by words", extra={"model": model, "error": exc.message})
            continue
        params = {"vector": as_literal(vector), "tenant_id": tenant_id, "bases": ids, "limit": limit}
        meaning += [_hit(row) for row in await session.execute(_NEAREST, params)]
    return _fused([words, sorted(meaning, key=lambda hit: -hit.score)], limit)


def _fused(rankings: list[list[Hit]], limit: int) -> list[Hit]:
    """Reciprocal rank fusion: each chunk scores the sum of 1 / (k + its rank) in each list."""
    scores: dict[int, float] = defaultdict(float)
    found: dict[int, Hit] = {}
    for ranking in rankings:
        for rank, hit in enumerate(ranking, start=1):
            scores[hit.chunk_id] += 1 / (_FUSION_K + rank)
            found.setdefault(hit.chunk_id, hit)
    best = sorted(scores, key=lambda chunk_id: (-scores[chunk_id], chunk_id))[:limit]
    return [found[chunk_id].model_copy(update={"score": round(scores[chunk_id], 6)}) for chunk_id in best]


async def _by_words(
    session: AsyncSession, tenant_id: int, query: str, by_language: dict[str, list[int]], limit: int
) -> list[Hit]:
    hits: list[Hit] = []
    for language, ids in by_language.items():
        words = await session.scalar(_WORDS, {"language": language, "query": query}) or ""
        lexemes = list(dict.fromkeys(_LEXEME.findall(words)))  # as PostgreSQL quoted them
        rows: list[Row[Any]] = []
        for matched in steps(lexemes):
            params = {"ranked": " | ".join(lexemes), "matched": matched, "tenant_id": tenant_id, "bases": ids}
            rows = list(await session.execute(_SEARCH, {**params, "limit": limit}))
            if len(rows) >= limit:
                break
        hits += [_hit(row) for row in rows]
    return sorted(hits, key=lambda hit: -hit.score)[:limit]
