"""The HTTP side of node authentication: `Authorization: Node <token>` to the node it names."""

from typing import Annotated

from fastapi import Depends, Header

from ingest import nodes
from shared.service import CatchUp, read_model_catch_up
from shared.sessions import SessionDep

# Every consumer whose writes decide whether a token authenticates (and with which limit).
NodesCaughtUp = Annotated[CatchUp, Depends(read_model_catch_up(*nodes.READ_MODEL_CONSUMERS))]


async def authenticated_node(
    session: SessionDep,
    caught_up: NodesCaughtUp,
    authorization: Annotated[str | None, Header(description="Node <token_nodo>")] = None,
) -> nodes.NodeCredential:
    return await nodes.authenticate(session, nodes.token_from_header(authorization), caught_up=caught_up)


AuthenticatedNode = Annotated[nodes.NodeCredential, Depends(authenticated_node)]
