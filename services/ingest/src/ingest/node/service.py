"""Node credentials: the read model of agro's master nodes, and checking a node's token.

A node deleted, revoked or removed with its field stops working as soon as its event is
consumed (well under a second): every change here notifies the replicas, whose credential
caches empty at commit (`node.cache`). A token the table does not know is looked up once more
after the read model has caught up with agro's events as of the post (bounded), so a node
posting right after its creation is accepted.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import Select

from ingest import events
from ingest.errors import NodeNotAuthenticated
from ingest.models import Node, Subscription
from ingest.node.cache import Cached, CredentialCache, notify_change
from shared.events import CatchUp
from shared.repository import apply_deletion, apply_newer

# How long after its event a node without a plan still waits for the plan's consumer.
JUST_APPLIED = timedelta(seconds=5)


@dataclass(frozen=True, slots=True)
class NodeCredential:
    """An authenticated master node, with its field's daily limit (None: no active plan)."""

    nodo_id: int
    tenant_id: int
    parcela_id: int
    codigo: str
    daily_limit: int | None


async def authenticate(
    session: AsyncSession, *, token: str, caught_up: CatchUp, cache: CredentialCache[NodeCredential]
) -> NodeCredential:
    """The active node whose token this is (compared as SHA-256 digests, in constant time).

    From this replica's cache when it holds the token, else one query, the plan's limit
    included. Only a token the read model does not know waits for `caught_up` (agro's events as
    of now) and is looked up once more; so does a node applied moments ago whose field has no
    plan here yet: the plan comes from another consumer, which may not have applied the field's
    subscription by then.
    """
    digest = hashlib.sha256(token.encode()).hexdigest()
    cached = cache.get(digest)
    if cached is not None and not _may_await_plan(cached.value.daily_limit, cached.version):
        return cached.value
    generation = cache.generation  # before reading: a change committed meanwhile is not cached
    query = _credential_query(digest)
    row = (await session.execute(query)).first()
    if row is None or _may_await_plan(row.daily_limit, row.version):
        await caught_up()  # on a timeout too: whatever was applied by then counts
        row = (await session.execute(query)).first()
    if row is None or row.token_hash is None or not hmac.compare_digest(row.token_hash, digest):
        raise NodeNotAuthenticated()
    credential = NodeCredential(row.nodo_id, row.tenant_id, row.parcela_id, row.codigo, row.daily_limit)
    cache.put(digest, Cached(credential, row.version), generation=generation)
    return credential


def _may_await_plan(daily_limit: int | None, version: datetime) -> bool:
    return daily_limit is None and version > datetime.now(UTC) - JUST_APPLIED


def _credential_query(digest: str) -> Select[Any]:
    daily_limit = (
        select(func.min(Subscription.limite_lecturas_dia))
        .where(Subscription.parcela_id == Node.parcela_id, Subscription.estado == "activo")
        .scalar_subquery()
        .label("daily_limit")
    )
    columns = (Node.nodo_id, Node.tenant_id, Node.parcela_id, Node.codigo, Node.token_hash, Node.version)
    return select(*columns, daily_limit).where(Node.token_hash == digest, Node.activo, ~Node.deleted)


async def upsert(
    session: AsyncSession, *, tenant_id: int | None, event: events.NodeUpserted, version: datetime
) -> None:
    """The node as agro published it at `version`, unless a newer event has been applied already."""
    values = {
        "tenant_id": tenant_id,
        "parcela_id": event.parcela_id,
        "codigo": event.codigo,
        "token_hash": event.token_hash,
        "activo": event.activo,
    }
    await apply_newer(session, Node, {"nodo_id": event.nodo_id}, values, version)
    await session.execute(notify_change())


async def delete(session: AsyncSession, *, tenant_id: int | None, nodo_id: int, version: datetime) -> None:
    # The token goes with the tombstone: a deleted node never authenticates again.
    placeholders = {"tenant_id": tenant_id or 0, "parcela_id": 0, "codigo": "", "activo": False}
    await apply_deletion(session, Node, {"nodo_id": nodo_id}, version, **placeholders)
    await session.execute(update(Node).where(Node.nodo_id == nodo_id).values(token_hash=None, activo=False))
    await session.execute(notify_change())


async def delete_field(session: AsyncSession, *, parcela_id: int, version: datetime) -> None:
    """agro publishes each node's deletion too; this closes the gap if those arrive later."""
    await session.execute(
        update(Node)
        .where(Node.parcela_id == parcela_id)
        .values(token_hash=None, activo=False, deleted=True, version=version)
    )
    await session.execute(notify_change())
