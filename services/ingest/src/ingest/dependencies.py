"""The HTTP side of node authentication: `Authorization: Node <token>` to the node it names."""

from typing import Annotated

from fastapi import Depends, Header

from ingest import nodes
from ingest.models import Node
from shared.sessions import SessionDep


async def authenticated_node(
    session: SessionDep,
    authorization: Annotated[str | None, Header(description="Node <token_nodo>")] = None,
) -> Node:
    return await nodes.authenticate(session, nodes.token_from_header(authorization))


AuthenticatedNode = Annotated[Node, Depends(authenticated_node)]
