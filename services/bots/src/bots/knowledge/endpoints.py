"""000's `/api/v1/knowledge/` (knowledge bases, and searching one) and `/api/v1/documents/`
(uploads: text, Markdown, HTML or PDF, as multipart `file`). Reading needs `ia:ver`; changing
needs `ia:actualizar`, the workspace's AI administrators."""

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile

from bots.access import AiAdmin, CanRead
from bots.config import settings
from bots.errors import DocumentTooLarge, EmbeddingsFailed, EmbeddingsUnavailable, UnreadableDocument
from bots.knowledge import service
from bots.knowledge.embeddings import Embedder
from bots.knowledge.schemas import (
    ChunkRead,
    DocumentDetailRead,
    DocumentRead,
    DocumentUpdate,
    KnowledgeBaseCreate,
    KnowledgeBaseRead,
    KnowledgeBaseUpdate,
    SearchRead,
)
from bots.knowledge.search import MAX_RESULTS, search
from shared.errors import documented
from shared.pagination import Page, Pagination, build_page
from shared.sessions import SessionDep
from shared.validation import INT64_MAX, Id, Text, changes

knowledge = APIRouter(prefix="/api/v1/knowledge", tags=["knowledge"])
_EMBEDDING_ERRORS = documented(EmbeddingsUnavailable, EmbeddingsFailed)
documents = APIRouter(prefix="/api/v1/documents", tags=["documents"])


@knowledge.get("/", response_model=Page[KnowledgeBaseRead], summary="Listar bases de conocimiento")
async def list_knowledge_bases(
    principal: CanRead, session: SessionDep, request: Request, params: Pagination
) -> Page[KnowledgeBaseRead]:
    """Las bases de conocimiento del espacio con cuántos documentos y fragmentos tienen, paginadas
    (ia:ver)."""
    count, rows = await service.page_of_bases(session, principal.tenant_id, params)
    results = await service.bases_out(session, rows)
    return build_page(request, params, count=count, results=results, item=KnowledgeBaseRead)


def _embedder(request: Request) -> Embedder:
    embedder: Embedder = request.app.state.embedder
    return embedder


@knowledge.post(
    "/",
    response_model=KnowledgeBaseRead,
    status_code=201,
    summary="Crear una base de conocimiento",
    responses=_EMBEDDING_ERRORS,
)
async def create_knowledge_base(
    body: KnowledgeBaseCreate, principal: AiAdmin, session: SessionDep, request: Request
) -> KnowledgeBaseRead:
    """Una base vacía (administradores de la IA, ia:actualizar). `language` es el idioma de búsqueda
    de sus documentos (español por defecto); `embedding_model` añade la búsqueda por significado
    con un modelo de embeddings compatible con OpenAI de una integración del espacio.

    \f
    Search by meaning needs pgvector in the database."""
    base = await service.create_base(session, principal, body, _embedder(request))
    return (await service.bases_out(session, [base]))[0]


@knowledge.get("/{base_id}/", response_model=KnowledgeBaseRead, summary="Ver una base de conocimiento")
async def get_knowledge_base(base_id: Id, principal: CanRead, session: SessionDep) -> KnowledgeBaseRead:
    """Una base del espacio (ia:ver); la de otro espacio: 404."""
    return (await service.bases_out(session, [await service.get_base(session, principal.tenant_id, base_id)]))[0]


@knowledge.put(
    "/{base_id}/",
    response_model=KnowledgeBaseRead,
    summary="Reemplazar una base de conocimiento",
    operation_id="replace_knowledge_base",
    responses=_EMBEDDING_ERRORS,
)
@knowledge.patch(
    "/{base_id}/",
    response_model=KnowledgeBaseRead,
    summary="Actualizar una base de conocimiento",
    responses=_EMBEDDING_ERRORS,
)
async def update_knowledge_base(
    base_id: Id, body: KnowledgeBaseUpdate, principal: AiAdmin, session: SessionDep, request: Request
) -> KnowledgeBaseRead:
    """Cambia los campos enviados de una base (administradores de la IA; PUT y PATCH igual). Un
    `language` nuevo vuelve a indexar sus fragmentos; un `embedding_model` nuevo los vuelve a
    vectorizar."""
    base = await service.get_base(session, principal.tenant_id, base_id)
    await service.update_base(session, base, body, _embedder(request))
    return (await service.bases_out(session, [base]))[0]


@knowledge.delete("/{base_id}/", status_code=204, response_class=Response, summary="Eliminar una base de conocimiento")
async def delete_knowledge_base(base_id: Id, principal: AiAdmin, session: SessionDep) -> Response:
    """Elimina una base con sus documentos (administradores de la IA); los agentes que la usaban
    dejan de responder con ella."""
    await service.delete_base(session, await service.get_base(session, principal.tenant_id, base_id))
    return Response(status_code=204)


@knowledge.get(
    "/{base_id}/search/",
    response_model=SearchRead,
    summary="Buscar en una base de conocimiento",
    responses=_EMBEDDING_ERRORS,
)
async def search_knowledge_base(
    base_id: Id,
    q: Annotated[Text, Query(min_length=1, max_length=1000, description="Pregunta o palabras")],
    principal: CanRead,
    session: SessionDep,
    request: Request,
    limit: Annotated[int, Query(ge=1, le=MAX_RESULTS)] = 5,
) -> SearchRead:
    """Los fragmentos que mejor responden a `q` (hasta `limit`), con su documento y sus posiciones
    para citarlos (ia:ver)."""
    base = await service.get_base(session, principal.tenant_id, base_id)
    found = await search(session, principal.tenant_id, q, bases=[base.id], limit=limit, embedder=_embedder(request))
    return SearchRead(query=q, results=found)


@documents.get("/", response_model=Page[DocumentRead], summary="Listar documentos")
async def list_documents(
    principal: CanRead,
    session: SessionDep,
    request: Request,
    params: Pagination,
    knowledge_base: Annotated[int | None, Query(ge=1, le=INT64_MAX, description="Solo los de esta base")] = None,
) -> Page[DocumentRead]:
    """Los documentos del espacio, paginados, o los de una base con `?knowledge_base=` (ia:ver)."""
    count, rows = await service.page_of_documents(session, principal.tenant_id, params, knowledge_base)
    return build_page(request, params, count=count, results=[service.document_out(d) for d in rows], item=DocumentRead)


@documents.post(
    "/",
    response_model=DocumentRead,
    status_code=201,
    summary="Subir un documento",
    responses={**documented(UnreadableDocument, DocumentTooLarge), **_EMBEDDING_ERRORS},
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "example": {
                        "file": "# Manual de riego\n\nRegar el tomate en floración cada 2 o 3 días.",
                        "knowledge_base": 1,
                        "title": "Manual de riego",
                    }
                }
            }
        }
    },
)
async def upload_document(
    file: Annotated[UploadFile, File(description="Texto, Markdown, HTML o PDF")],
    knowledge_base: Annotated[int, Form(ge=1, le=INT64_MAX)],
    principal: AiAdmin,
    session: SessionDep,
    request: Request,
    title: Annotated[Text | None, Form(min_length=1, max_length=300)] = None,
) -> DocumentRead:
    """Sube un documento (texto, Markdown, HTML o PDF, campo multipart `file`) a una base
    (administradores de la IA): se extrae su texto, se corta en fragmentos y se indexan en el
    idioma de la base. Un archivo ilegible: 400; uno demasiado grande: 413."""
    base = await service.get_base(session, principal.tenant_id, knowledge_base)
    data = await file.read(settings.document_max_bytes + 1)
    if len(data) > settings.document_max_bytes:
        raise DocumentTooLarge(f"El documento supera {settings.document_max_bytes} bytes.")
    filename = (file.filename or "").replace("\x00", "")[:300] or None
    document = await service.add_document(
        session, principal, base, data, title=title, filename=filename, content_type=file.content_type,
        embedder=_embedder(request),
    )  # fmt: skip
    return service.document_out(document)


@documents.get("/{document_id}/", response_model=DocumentDetailRead, summary="Ver un documento")
async def get_document(document_id: Id, principal: CanRead, session: SessionDep) -> DocumentDetailRead:
    """Un documento con su texto y sus fragmentos (sus posiciones apuntan al texto) (ia:ver)."""
    document = await service.get_document(session, principal.tenant_id, document_id)
    chunks = [
        ChunkRead(id=c.id, position=c.position, start=c.start_offset, end=c.end_offset, content=c.content)
        for c in await service.chunks_of(session, document)
    ]
    return DocumentDetailRead(**service.document_out(document).model_dump(), content=document.content, chunks=chunks)


@documents.put(
    "/{document_id}/",
    response_model=DocumentRead,
    summary="Reemplazar un documento",
    operation_id="replace_document",
    responses=_EMBEDDING_ERRORS,
)
@documents.patch(
    "/{document_id}/", response_model=DocumentRead, summary="Actualizar un documento", responses=_EMBEDDING_ERRORS
)
async def update_document(
    document_id: Id, body: DocumentUpdate, principal: AiAdmin, session: SessionDep, request: Request
) -> DocumentRead:
    """Cambia el título de un documento o su base (sus fragmentos se mueven y se vuelven a
    indexar) (administradores de la IA; PUT y PATCH igual)."""
    document = await service.get_document(session, principal.tenant_id, document_id)
    await service.update_document(session, document, changes(body), _embedder(request))
    return service.document_out(document)


@documents.delete("/{document_id}/", status_code=204, response_class=Response, summary="Eliminar un documento")
async def delete_document(document_id: Id, principal: AiAdmin, session: SessionDep) -> Response:
    """Elimina un documento con sus fragmentos (administradores de la IA)."""
    await service.delete_document(session, await service.get_document(session, principal.tenant_id, document_id))
    return Response(status_code=204)
