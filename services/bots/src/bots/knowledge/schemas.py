"""000's `/api/v1/knowledge/` and `/api/v1/documents/`."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"name": "Manual de riego", "description": "Procedimientos de riego por cultivo", "language": "spanish"}
            ]
        }
    )

    name: Name
    description: Description = None
    language: Language = "spanish"
    # Vector search next to full-text search, where the database has pgvector.
    embedding_model: EmbeddingModel | None = None


class KnowledgeBaseUpdate(PatchModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"description": "Procedimientos de riego por cultivo y por etapa"}]}
    )

    name: Name | None = None
    description: Annotated[Description, Nullable] = None
    language: Language | None = None
    embedding_model: Annotated[EmbeddingModel | None, Nullable] = None


class KnowledgeBaseRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "name": "Manual de riego",
                    "description": "Procedimientos de riego por cultivo",
                    "language": "spanish",
                    "embedding_model": None,
                    "document_count": 1,
                    "chunk_count": 12,
                    "created_at": "2025-10-23T10:30:00Z",
                    "updated_at": "2025-10-23T11:45:00Z",
                }
            ]
        }
    )

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
    model_config = ConfigDict(json_schema_extra={"examples": [{"title": "Manual de riego 2025"}]})

    title: Annotated[str, Field(min_length=1, max_length=300)] | None = None
    # Moving a document re-indexes its chunks in the other base's language.
    knowledge_base: Int64 | None = Field(default=None, ge=1)


class DocumentRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "knowledge_base": 1,
                    "title": "Manual de riego",
                    "filename": "manual-riego.md",
                    "kind": "markdown",
                    "size_bytes": 18432,
                    "sha256": "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
                    "chunk_count": 12,
                    "created_at": "2025-10-23T10:30:00Z",
                    "updated_at": "2025-10-23T11:45:00Z",
                }
            ]
        }
    )

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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 41,
                    "position": 0,
                    "start": 0,
                    "end": 66,
                    "content": "Regar el tomate en floración cada 2 o 3 días, sin mojar las hojas.",
                }
            ]
        }
    )

    id: int
    position: int
    start: int
    end: int
    content: str


class DocumentDetailRead(DocumentRead):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "knowledge_base": 1,
                    "title": "Manual de riego",
                    "filename": "manual-riego.md",
                    "kind": "markdown",
                    "size_bytes": 18432,
                    "sha256": "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae",
                    "chunk_count": 12,
                    "created_at": "2025-10-23T10:30:00Z",
                    "updated_at": "2025-10-23T11:45:00Z",
                    "content": "Regar el tomate en floración cada 2 o 3 días, sin mojar las hojas.",
                    "chunks": [
                        {
                            "id": 41,
                            "position": 0,
                            "start": 0,
                            "end": 66,
                            "content": "Regar el tomate en floración cada 2 o 3 días, sin mojar las hojas.",
                        }
                    ],
                }
            ]
        }
    )

    content: str
    chunks: list[ChunkRead]


class Hit(BaseModel):
    """A chunk found for a query, with what a citation needs."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "document_id": 3,
                    "document": "Manual de riego",
                    "chunk_id": 41,
                    "position": 0,
                    "start": 0,
                    "end": 66,
                    "content": "Regar el tomate en floración cada 2 o 3 días, sin mojar las hojas.",
                    "score": 0.82,
                }
            ]
        }
    )

    document_id: int
    document: str
    chunk_id: int
    position: int
    start: int
    end: int
    content: str
    score: float


class SearchRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "query": "¿Cada cuánto riego el tomate en floración?",
                    "results": [
                        {
                            "document_id": 3,
                            "document": "Manual de riego",
                            "chunk_id": 41,
                            "position": 0,
                            "start": 0,
                            "end": 66,
                            "content": "Regar el tomate en floración cada 2 o 3 días, sin mojar las hojas.",
                            "score": 0.82,
                        }
                    ],
                }
            ]
        }
    )

    query: str
    results: list[Hit]
