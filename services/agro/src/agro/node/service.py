"""Master nodes (one field each) with their node token, and their secondary nodes.

The token is random, shown once, and only its SHA-256 is stored and published: ingest
authenticates nodes by hashing what they send and looking the hash up in its read model.
"""

import hashlib
import secrets
from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from agro import events
from agro.models import Field, MasterNode, SecondaryNode
from agro.node.schemas import MasterNodeCreate, SecondaryNodeCreate
from shared.errors import NotFound
from shared.pagination import PageParams
from shared.repository import fetch_page, get_or_404, save_unique
from shared.security import Principal
from shared.validation import changes

TOKEN_PREFIX = "nd_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def visible(principal: Principal) -> Select[MasterNode]:
    query = select(MasterNode).where(MasterNode.tenant_id == principal.tenant_id)
    if not principal.sees_whole_workspace:
        owned = select(Field.id).where(Field.usuario_id == principal.user_id)
        query = query.where(MasterNode.parcela_id.in_(owned))
    return query.order_by(MasterNode.id)


async def visible_list(session: AsyncSession, principal: Principal) -> Sequence[MasterNode]:
    return (await session.scalars(visible(principal))).all()


async def of_field(session: AsyncSession, principal: Principal, field_id: int) -> Sequence[MasterNode]:
    return (await session.scalars(_of_field(principal, field_id))).all()


def _of_field(principal: Principal, field_id: int) -> Select[MasterNode]:
    return visible(principal).where(MasterNode.parcela_id == field_id)


async def get(session: AsyncSession, principal: Principal, node_id: int, *, field_id: int | None = None) -> MasterNode:
    query = visible(principal).where(MasterNode.id == node_id)
    if field_id is not None:
        query = query.where(MasterNode.parcela_id == field_id)
    node = await session.scalar(query)
    if node is None:
        raise NotFound("Nodo no encontrado.")
    return node


async def create(session: AsyncSession, field: Field, body: MasterNodeCreate) -> tuple[MasterNode, str]:
    values = changes(body)
    token = _new_token()
    node = MasterNode(
        tenant_id=field.tenant_id, parcela_id=field.id, token_hash=hash_token(token), activo=True, **values
    )
    await save_unique(session, node, field="codigo", message="Ya existe un nodo con este código.")
    await _publish(session, node)
    return node, token


async def rotate_token(session: AsyncSession, node: MasterNode) -> str:
    """A new token; the old one stops working as soon as ingest hears of it."""
    token = _new_token()
    node.token_hash, node.activo = hash_token(token), True
    await session.flush()
    await _publish(session, node)
    return token


async def revoke_token(session: AsyncSession, node: MasterNode) -> None:
    node.token_hash, node.activo = None, False
    await session.flush()
    await _publish(session, node)


async def delete(session: AsyncSession, node: MasterNode) -> None:
    await session.delete(node)
    await events.outbox.emit(session, events.NodeDeleted(nodo_id=node.id), tenant_id=node.tenant_id)


async def _publish(session: AsyncSession, node: MasterNode) -> None:
    event = events.NodeUpserted(
        nodo_id=node.id, codigo=node.codigo, parcela_id=node.parcela_id, activo=node.activo, token_hash=node.token_hash
    )
    await events.outbox.emit(session, event, tenant_id=node.tenant_id)


# -- secondary nodes -------------------------------------------------------------------------
async def secondaries_of(session: AsyncSession, master: MasterNode) -> Sequence[SecondaryNode]:
    query = select(SecondaryNode).where(SecondaryNode.nodo_maestro_id == master.id).order_by(SecondaryNode.id)
    return (await session.scalars(query)).all()


async def secondary_page(
    session: AsyncSession, principal: Principal, params: PageParams
) -> tuple[int, Sequence[SecondaryNode]]:
    return await fetch_page(session, secondaries(principal), params)


def secondaries(principal: Principal, *, master_id: int | None = None) -> Select[SecondaryNode]:
    query = select(SecondaryNode).where(SecondaryNode.tenant_id == principal.tenant_id)
    if master_id is not None:
        query = query.where(SecondaryNode.nodo_maestro_id == master_id)
    return query.order_by(SecondaryNode.id)


async def create_secondary(session: AsyncSession, master: MasterNode, body: SecondaryNodeCreate) -> SecondaryNode:
    values = changes(body)
    node = SecondaryNode(tenant_id=master.tenant_id, nodo_maestro_id=master.id, **values)
    await save_unique(session, node, field="codigo", message="Ya existe en este nodo maestro.")
    return node


async def get_secondary(session: AsyncSession, principal: Principal, node_id: int) -> SecondaryNode:
    return await get_or_404(session, SecondaryNode, node_id, tenant_id=principal.tenant_id)


async def delete_secondary(session: AsyncSession, node: SecondaryNode) -> None:
    await session.delete(node)
