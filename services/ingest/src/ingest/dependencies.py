"""The HTTP side of node authentication: `Authorization: Node <token>` to the node it names."""

from typing import Annotated

from fastapi import Depends, Header

from ingest import nodes
from shared.sessions import SessionDep


async def authenticated_node(
    session: SessionDep,
    authorization: Annotated[str | None, Header(description="Node <token_nodo>")] = None,
) -> nodes.NodeCredential:
    return await nodes.authenticate(session, nodes.token_from_header(authorization))


AuthenticatedNode = Annotated[nodes.NodeCredential, Depends(authenticated_node)]
