"""The knowledge-search tool: the chunks of the workspace's knowledge bases (an agent's own
bases, when it has some) that best answer a query, with what a citation needs."""

from typing import Any

from pydantic import JsonValue

from bots.errors import ToolFailed
from bots.knowledge.search import MAX_RESULTS, search
from bots.tooling import Tool, ToolContext, object_schema

NAME = "search_knowledge"


async def search_knowledge(context: ToolContext, params: dict[str, Any]) -> JsonValue:
    if context.sessionmaker is None:
        raise ToolFailed("La búsqueda de conocimiento no está disponible aquí.")
    async with context.sessionmaker() as session:
        hits = await search(
            session, context.principal.tenant_id, params["query"],
            bases=list(context.knowledge_bases) if context.knowledge_bases is not None else None,
            limit=params.get("limit", 5), embedder=context.embedder,
        )  # fmt: skip
    return {"results": [hit.model_dump() for hit in hits]}


TOOLS = [
    Tool(
        name=NAME,
        description="Busca en las bases de conocimiento del espacio (manuales, documentos) los fragmentos que "
        "responden a una pregunta; cada resultado trae el documento y la posición para citarlo.",
        category="knowledge",
        parameters=object_schema(
            {
                "query": {"type": "string", "minLength": 1, "maxLength": 1000, "description": "Qué buscar"},
                "limit": {"type": "integer", "minimum": 1, "maximum": MAX_RESULTS, "default": 5},
            },
            ["query"],
        ),
        run=search_knowledge,
    )
]
