"""Who may post readings: `Authorization: Node <token>` names the node (the web side of node
authentication; `node.service` checks the token)."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

from ingest.errors import NodeNotAuthenticated
from ingest.node import handlers as node_handlers
from ingest.node import service as nodes
from ingest.quota import handlers as quota_handlers
from shared.service import CatchUp, read_model_catch_up
from shared.sessions import SessionDep

SCHEME = "node"

# The durable consumers whose writes decide whether a token authenticates, and with which limit.
READ_MODEL_CONSUMERS = (
    node_handlers.NODE_UPSERTED,
    node_handlers.NODE_DELETED,
    node_handlers.FIELD_DELETED,
    quota_handlers.SUBSCRIPTION_CHANGED,
)
NodesCaughtUp = Annotated[CatchUp, Depends(read_model_catch_up(*READ_MODEL_CONSUMERS))]


# A security scheme of its own in OpenAPI: Swagger's Authorize box takes the whole `Node <token>`.
_node_authorization = APIKeyHeader(
    name="Authorization",
    scheme_name="Node",
    description="`Authorization: Node <token_nodo>`: el token que da crear el nodo maestro (o rotarlo).",
    auto_error=False,
)


def token_from_header(authorization: str | None) -> str:
    """The token of `Authorization: Node <token>`."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != SCHEME or not token.strip():
        raise NodeNotAuthenticated("Se requiere 'Authorization: Node <token>'.")
    return token.strip()


async def authenticated_node(
    request: Request,
    session: SessionDep,
    caught_up: NodesCaughtUp,
    authorization: Annotated[str | None, Depends(_node_authorization)],
) -> nodes.NodeCredential:
    return await nodes.authenticate(
        session, token=token_from_header(authorization), caught_up=caught_up, cache=request.app.state.credentials
    )


AuthenticatedNode = Annotated[nodes.NodeCredential, Depends(authenticated_node)]
