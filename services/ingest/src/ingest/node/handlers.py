"""agro's node and field events keep the node read model (each consumer's inbox makes it once)."""

from sqlalchemy.ext.asyncio import AsyncSession

from ingest import events
from ingest.node import service
from shared.events import Envelope

NODE_UPSERTED = "ingest-node-upserted"
NODE_DELETED = "ingest-node-deleted"
FIELD_DELETED = "ingest-field-deleted"


async def on_node_upserted(session: AsyncSession, envelope: Envelope, event: events.NodeUpserted) -> None:
    await service.upsert(session, tenant_id=envelope.tenant_id, event=event, version=envelope.occurred_at)


async def on_node_deleted(session: AsyncSession, envelope: Envelope, event: events.NodeDeleted) -> None:
    await service.delete(session, tenant_id=envelope.tenant_id, nodo_id=event.nodo_id, version=envelope.occurred_at)


async def on_field_deleted(session: AsyncSession, envelope: Envelope, event: events.FieldDeleted) -> None:
    await service.delete_field(session, parcela_id=event.parcela_id, version=envelope.occurred_at)
