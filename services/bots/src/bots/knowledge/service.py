"""Knowledge bases and their documents: CRUD scoped to the workspace, and indexing (a
document's text cut into chunks, each stored with its offsets and its text-search vector in
the base's language, in one statement)."""

import hashlib
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, cast, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY, REGCONFIG, TSVECTOR
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import BigInteger, Integer, Text

from bots.errors import DocumentNotFound, KnowledgeBaseNotFound
from bots.knowledge.chunking import chunk
from bots.knowledge.embeddings import Embedder
from bots.knowledge.extract import extract, kind_of
from bots.knowledge.schemas import DocumentRead, KnowledgeBaseCreate, KnowledgeBaseRead, KnowledgeBaseUpdate
from bots.models import Bot, Chunk, Document, KnowledgeBase
from shared.pagination import PageParams
from shared.security import Principal
from shared.validation import changes

_INSERT_CHUNKS = text("""
    INSERT INTO bots.chunks
        (tenant_id, knowledge_base_id, document_id, position, start_offset, end_offset, content, tsv)
    SELECT :tenant_id, :base_id, :document_id, p, s, e, c, to_tsvector(CAST(:language AS regconfig), c)
    FROM unnest(:positions, :starts, :ends, :contents) AS t(p, s, e, c)
    RETURNING id, content
""").bindparams(
    bindparam("positions", type_=ARRAY(Integer)), bindparam("starts", type_=ARRAY(Integer)),
    bindparam("ends", type_=ARRAY(Integer)), bindparam("contents", type_=ARRAY(Text)),
)  # fmt: skip


def _vector(language: str) -> ColumnElement[TSVECTOR]:
    return func.to_tsvector(cast(language, REGCONFIG), Chunk.content)


# Knowledge bases


async def get_base(session: AsyncSession, tenant_id: int, base_id: int) -> KnowledgeBase:
    base = await session.scalar(
        select(KnowledgeBase).where(KnowledgeBase.id == base_id, KnowledgeBase.tenant_id == tenant_id)
    )
    if base is None:
        raise KnowledgeBaseNotFound()
    return base


async def check_bases(session: AsyncSession, tenant_id: int, base_ids: list[int]) -> None:
    """Every id is a base of this workspace (a 404 names the first that is not)."""
    found = set(await session.scalars(
        select(KnowledgeBase.id).where(KnowledgeBase.tenant_id == tenant_id, KnowledgeBase.id.in_(base_ids))
    ))  # fmt: skip
    missing = [i for i in base_ids if i not in found]
    if missing:
        raise KnowledgeBaseNotFound(f"Base de conocimiento {missing[0]} no encontrada.")


async def _counts(session: AsyncSession, base_ids: list[int]) -> dict[int, tuple[int, int]]:
    rows = await session.execute(
        select(Document.knowledge_base_id, func.count(), func.coalesce(func.sum(Document.chunk_count), 0))
        .where(Document.knowledge_base_id.in_(base_ids))
        .group_by(Document.knowledge_base_id)
    )
    return {base_id: (int(docs), int(chunks)) for base_id, docs, chunks in rows}


async def bases_out(session: AsyncSession, bases: list[KnowledgeBase]) -> list[KnowledgeBaseRead]:
    counts = await _counts(session, [b.id for b in bases])
    return [
        KnowledgeBaseRead(
            id=b.id, name=b.name, description=b.description, language=b.language, embedding_model=b.embedding_model,
            document_count=counts.get(b.id, (0, 0))[0], chunk_count=counts.get(b.id, (0, 0))[1],
            created_at=b.created_at, updated_at=b.updated_at,
        )
        for b in bases
    ]  # fmt: skip


async def page_of_bases(session: AsyncSession, tenant_id: int, params: PageParams) -> tuple[int, list[KnowledgeBase]]:
    where = KnowledgeBase.tenant_id == tenant_id
    count = await session.scalar(select(func.count()).select_from(KnowledgeBase).where(where)) or 0
    rows = await session.scalars(
        select(KnowledgeBase).where(where).order_by(KnowledgeBase.id).offset(params.offset).limit(params.page_size)
    )
    return count, list(rows)


async def create_base(
    session: AsyncSession, principal: Principal, body: KnowledgeBaseCreate, embedder: Embedder
) -> KnowledgeBase:
    if body.embedding_model:
        await embedder.check(session, principal.tenant_id, body.embedding_model)
    base = KnowledgeBase(tenant_id=principal.tenant_id, created_by=principal.user_id, **changes(body))
    session.add(base)
    await session.flush()
    return base


async def update_base(
    session: AsyncSession, base: KnowledgeBase, body: KnowledgeBaseCreate | KnowledgeBaseUpdate, embedder: Embedder
) -> None:
    language, model = base.language, base.embedding_model
    for name, value in changes(body).items():
        setattr(base, name, value)
    await session.flush()
    if base.embedding_model != model:  # every chunk gets the new model's vector, or none
        if base.embedding_model:
            await embedder.check(session, base.tenant_id, base.embedding_model)
        chunks = select(Chunk.id, Chunk.content).where(Chunk.knowledge_base_id == base.id)
        await embed_chunks(session, base, embedder, chunks)
    if base.language != language:  # the chunks' vectors were made for the old language
        await session.execute(
            update(Chunk).where(Chunk.knowledge_base_id == base.id).values(tsv=_vector(base.language))
        )
    await session.refresh(base)


async def delete_base(session: AsyncSession, base: KnowledgeBase) -> None:
    """Its documents and chunks go with it, and agents stop answering from it."""
    await session.execute(delete(Chunk).where(Chunk.knowledge_base_id == base.id))
    await session.execute(
        update(Bot)
        .where(Bot.tenant_id == base.tenant_id, Bot.knowledge_base_ids.contains([base.id]))
        .values(knowledge_base_ids=func.array_remove(Bot.knowledge_base_ids, base.id))
    )
    await session.delete(base)
    await session.flush()


# Documents


async def get_document(session: AsyncSession, tenant_id: int, document_id: int) -> Document:
    document = await session.scalar(select(Document).where(Document.id == document_id, Document.tenant_id == tenant_id))
    if document is None:
        raise DocumentNotFound()
    return document


async def chunks_of(session: AsyncSession, document: Document) -> list[Chunk]:
    return list(await session.scalars(select(Chunk).where(Chunk.document_id == document.id).order_by(Chunk.position)))


async def page_of_documents(
    session: AsyncSession, tenant_id: int, params: PageParams, base_id: int | None
) -> tuple[int, list[Document]]:
    where = [Document.tenant_id == tenant_id]
    if base_id is not None:
        where.append(Document.knowledge_base_id == base_id)
    count = await session.scalar(select(func.count()).select_from(Document).where(*where)) or 0
    rows = await session.scalars(
        select(Document).where(*where).order_by(Document.id).offset(params.offset).limit(params.page_size)
    )
    return count, list(rows)


async def add_document(
    session: AsyncSession,
    principal: Principal,
    base: KnowledgeBase,
    data: bytes,
    *,
    embedder: Embedder,
    title: str | None,
    filename: str | None,
    content_type: str | None,
) -> Document:
    """Reads the upload's text (400 when it cannot), stores it and indexes its chunks."""
    kind = kind_of(data, content_type, filename)
    content = extract(data, kind)
    document = Document(
        tenant_id=principal.tenant_id, knowledge_base_id=base.id, title=title or filename or "Documento",
        filename=filename, kind=kind, size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
        content=content, chunk_count=0, created_by=principal.user_id,
    )  # fmt: skip
    session.add(document)
    await session.flush()
    stored = await index(session, document, base.language)
    document.chunk_count = len(stored)
    if base.embedding_model:
        await embedder.store(session, base.tenant_id, base.embedding_model, stored)
    await session.flush()
    return document


async def index(session: AsyncSession, document: Document, language: str) -> list[tuple[int, str]]:
    """Cuts the document and stores its chunks in one statement; returns their ids and text."""
    pieces = chunk(document.content)
    rows = await session.execute(_INSERT_CHUNKS, {
        "tenant_id": document.tenant_id, "base_id": document.knowledge_base_id, "document_id": document.id,
        "language": language, "positions": [p.position for p in pieces], "starts": [p.start for p in pieces],
        "ends": [p.end for p in pieces], "contents": [p.content for p in pieces],
    })  # fmt: skip
    return [(row.id, row.content) for row in rows]


async def embed_chunks(
    session: AsyncSession, base: KnowledgeBase, embedder: Embedder, chunks: Select[int, str]
) -> None:
    """The chunks selected by `chunks` (id, content) get the base's model's vectors, or none."""
    if not embedder.enabled:
        if base.embedding_model:
            await embedder.check(session, base.tenant_id, base.embedding_model)  # says why not
        return
    found = [(row.id, row.content) for row in await session.execute(chunks)]
    if base.embedding_model:
        await embedder.store(session, base.tenant_id, base.embedding_model, found)
    else:
        await session.execute(text("UPDATE bots.chunks SET embedding = NULL WHERE id = ANY(:ids)").bindparams(
            bindparam("ids", type_=ARRAY(BigInteger))), {"ids": [i for i, _ in found]})  # fmt: skip


async def update_document(
    session: AsyncSession, document: Document, values: dict[str, Any], embedder: Embedder
) -> None:
    base_id = values.pop("knowledge_base", None)
    if "title" in values:
        document.title = values["title"]
    if base_id is not None and base_id != document.knowledge_base_id:
        base = await get_base(session, document.tenant_id, base_id)
        document.knowledge_base_id = base.id
        await session.flush()
        await session.execute(
            update(Chunk)
            .where(Chunk.document_id == document.id)
            .values(knowledge_base_id=base.id, tsv=_vector(base.language))
        )
        moved = select(Chunk.id, Chunk.content).where(Chunk.document_id == document.id)
        await embed_chunks(session, base, embedder, moved)
    await session.flush()
    await session.refresh(document)


async def delete_document(session: AsyncSession, document: Document) -> None:
    await session.delete(document)
    await session.flush()


def document_out(document: Document) -> DocumentRead:
    return DocumentRead(
        id=document.id, knowledge_base=document.knowledge_base_id, title=document.title, filename=document.filename,
        kind=document.kind, size_bytes=document.size_bytes, sha256=document.sha256, chunk_count=document.chunk_count,
        created_at=document.created_at, updated_at=document.updated_at,
    )  # fmt: skip
