"""The HTTP side of node authentication: `Authorization: Node <token>` to the node it names."""

from typing import Annotated

from fastapi import Depends
from fastapi.security import APIKeyHeader

from ingest import nodes
from shared.service import CatchUp, read_model_catch_up
from shared.sessions import SessionDep

# Every consumer whose writes decide whether a token authenticates (and with which limit).
NodesCaughtUp = Annotated[CatchUp, Depends(read_model_catch_up(*nodes.READ_MODEL_CONSUMERS))]


# A security scheme of its own in OpenAPI: Swagger's Authorize box takes the whole `Node <token>`.
_node_authorization = APIKeyHeader(
    name="Authorization",
    scheme_name="Node",
    description="`Authorization: Node <token_nodo>`: el token que da crear el nodo maestro (o rotarlo).",
    auto_error=False,
)


async def authenticated_node(
    session: SessionDep,
    caught_up: NodesCaughtUp,
    authorization: Annotated[str | None, Depends(_node_authorization)],
) -> nodes.NodeCredential:
    return await nodes.authenticate(session, nodes.token_from_header(authorization), caught_up=caught_up)


AuthenticatedNode = Annotated[nodes.NodeCredential, Depends(authenticated_node)]
