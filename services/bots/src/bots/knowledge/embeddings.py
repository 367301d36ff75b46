"""Embeddings for knowledge bases that ask for them: a base names an OpenAI-compatible
embeddings model of one of the workspace's integrations; its chunks' vectors are stored with
pgvector (where the server has it) and searched by cosine distance next to full-text search."""

from dataclasses import dataclass

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import BigInteger, Text

from bots.errors import EmbeddingsFailed, EmbeddingsUnavailable, ProviderFailed
from bots.integration.service import credentials_for
from bots.provider.catalog import OPENAI_COMPATIBLE, resolve
from bots.provider.openai_compatible import OpenAICompatible
from bots.provider.registry import PLATFORM_SETTINGS, Providers

BATCH = 64

HAS_VECTORS = text("""
    SELECT EXISTS (SELECT 1 FROM information_schema.columns
                   WHERE table_schema = 'bots' AND table_name = 'chunks' AND column_name = 'embedding')
""")
STORE = text("""
    UPDATE bots.chunks c SET embedding = CAST(v.vector AS extensions.vector)
    FROM unnest(:ids, :vectors) AS v(id, vector) WHERE c.id = v.id
""").bindparams(bindparam("ids", type_=ARRAY(BigInteger)), bindparam("vectors", type_=ARRAY(Text)))


def as_literal(vector: list[float]) -> str:
    """pgvector's text form."""
    return "[" + ",".join(repr(float(x)) for x in vector) + "]"


@dataclass
class Embedder:
    providers: Providers
    enabled: bool  # pgvector is installed and bots' migration added the column

    async def _provider(self, session: AsyncSession, tenant_id: int, model_id: str) -> tuple[OpenAICompatible, str]:
        if not self.enabled:
            raise EmbeddingsUnavailable(
                "La base de datos no tiene pgvector: la búsqueda es solo de texto.",
                fields={"embedding_model": ["pgvector no está instalado."]},
            )
        ref = resolve(model_id)
        if ref.provider not in OPENAI_COMPATIBLE:
            raise EmbeddingsUnavailable(
                f"{ref.provider} no ofrece embeddings aquí: usa un proveedor compatible con OpenAI.",
                fields={"embedding_model": ["Proveedor sin embeddings."]},
            )
        credentials = await credentials_for(session, tenant_id, ref.provider)
        if credentials is None and ref.provider not in self.providers.platform_kinds:
            how = "créala en /api/ai/config/"
            if ref.provider in PLATFORM_SETTINGS:
                how += f" o pide al operador de la plataforma que configure {PLATFORM_SETTINGS[ref.provider]}"
            raise EmbeddingsUnavailable(
                f"No hay una integración activa de {ref.provider}: {how}.",
                fields={"embedding_model": [f"Sin proveedor {ref.provider}."]},
            )
        # The workspace's integration, or else the platform's provider of that kind.
        provider = self.providers.get(ref.provider, credentials)
        assert isinstance(provider, OpenAICompatible)
        return provider, ref.model

    async def check(self, session: AsyncSession, tenant_id: int, model_id: str) -> None:
        """400 unless the model can be used for this workspace's bases."""
        await self._provider(session, tenant_id, model_id)

    async def vectors(
        self, session: AsyncSession, tenant_id: int, model_id: str, texts: list[str]
    ) -> list[list[float]]:
        provider, model = await self._provider(session, tenant_id, model_id)
        found: list[list[float]] = []
        try:
            for start in range(0, len(texts), BATCH):
                found += await provider.embed(model, texts[start : start + BATCH])
        except ProviderFailed as exc:
            raise EmbeddingsFailed(f"El modelo de embeddings no respondió: {exc.reason}.") from exc
        return found

    async def store(self, session: AsyncSession, tenant_id: int, model_id: str, chunks: list[tuple[int, str]]) -> None:
        """Embeds the chunks (id, content) and stores their vectors."""
        if not chunks:
            return
        vectors = await self.vectors(session, tenant_id, model_id, [content for _, content in chunks])
        ids = [chunk_id for chunk_id, _ in chunks]
        await session.execute(STORE, {"ids": ids, "vectors": [as_literal(v) for v in vectors]})
