"""000's `/api/v1/knowledge/` and `/api/v1/documents/`."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from shared.validation import InputModel, Int64, Nullable, PatchModel

# PostgreSQL's text-search configurations the suite offers; `simple` does no stemming.
Language = Literal[
    "spanish", "english", "portuguese", "french", "italian", "german", "catalan", "dutch", "simple"
]  # fmt: skip
Name = Annotated[str, Field(min_length=1, max_length=200, examples=["Manual de riego"])]
Description = Annotated[str | None, Field(max_length=5000)]
# An OpenAI-compatible embeddings model of one of the workspace's integrations.
EmbeddingModel = Annotated[str, Field(min_length=1, max_length=200, examples=["openai:text-embedding-3-small"])]


class KnowledgeBaseCreate(InputModel):
    name: Name
    description: Description = None
    language: Language = "spanish"
    # Vector search next to full-text search, where the database has pgvector.
    embedding_model: EmbeddingModel | None = None


class KnowledgeBaseUpdate(PatchModel):
    name: Name | None = None
    description: Annotated[Description, Nullable] = None
    language: Language | None = None
    embedding_model: Annotated[EmbeddingModel | None, Nullable] = None


class KnowledgeBaseRead(BaseModel):
    id: int
    name: str
    description: str | None
    language: str
    embedding_model: str | None
    document_count: int
    chunk_count: int
    created_at: datetime
    updated_at: datetime


class DocumentUpdate(PatchModel):
    title: Annotated[str, Field(min_length=1, max_length=300)] | None = None
    # Moving a document re-indexes its chunks in the other base's language.
    knowledge_base: Int64 | None = Field(default=None, ge=1)


class DocumentRead(BaseModel):
    id: int
    knowledge_base: int
    title: str
    filename: str | None
    kind: str  # text | markdown | html | pdf
    size_bytes: int
    sha256: str
    chunk_count: int
    created_at: datetime
    updated_at: datetime


class ChunkRead(BaseModel):
    id: int
    position: int
    start: int
    end: int
    content: str


class DocumentDetailRead(DocumentRead):
    content: str
    chunks: list[ChunkRead]


class Hit(BaseModel):
    """A chunk found for a query, with what a citation needs."""

    document_id: int
    document: str
    chunk_id: int
    position: int
    start: int
    end: int
    content: str
    score: float


class SearchRead(BaseModel):
    query: str
    results: list[Hit]
