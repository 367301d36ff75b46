"""004's nodes: `/api/parcelas/{id}/nodos/...`, `/api/nodos/...`, `/api/secundarios/...`."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from agro.field import service as fields
from agro.node import service
from agro.node.schemas import (
    MasterNodeCreate,
    MasterNodeRead,
    NewMasterNodeRead,
    NodeTokenRead,
    SecondaryNodeCreate,
    SecondaryNodeRead,
)
from shared.pagination import Page, Pagination, build_page
from shared.security import Principal, RequirePermission, RequireWholeWorkspace
from shared.sessions import SessionDep
from shared.validation import Id

router = APIRouter(tags=["nodos"])

Viewer = Annotated[Principal, Depends(RequirePermission("nodos", "ver"))]
Creator = Annotated[Principal, Depends(RequirePermission("nodos", "crear"))]
Updater = Annotated[Principal, Depends(RequirePermission("nodos", "actualizar"))]


Staff = Annotated[Principal, Depends(RequireWholeWorkspace("nodos", "ver"))]
StaffDeleter = Annotated[Principal, Depends(RequireWholeWorkspace("nodos", "eliminar"))]


# -- per field -------------------------------------------------------------------------------
@router.get("/api/parcelas/{field_id}/nodos/", response_model=list[MasterNodeRead])
async def list_field_nodes(field_id: Id, principal: Viewer, session: SessionDep) -> list[MasterNodeRead]:
    field = await fields.get(session, principal, field_id)
    return [MasterNodeRead.model_validate(row) for row in await service.of_field(session, principal, field.id)]


@router.get("/api/parcelas/{field_id}/nodos/{node_id}/", response_model=MasterNodeRead)
async def get_field_node(field_id: Id, node_id: Id, principal: Viewer, session: SessionDep) -> MasterNodeRead:
    await fields.get(session, principal, field_id)
    return MasterNodeRead.model_validate(await service.get(session, principal, node_id, field_id=field_id))


@router.post("/api/parcelas/{field_id}/nodos/create/", response_model=NewMasterNodeRead, status_code=201)
async def create_node(
    field_id: Id, body: MasterNodeCreate, principal: Creator, session: SessionDep
) -> NewMasterNodeRead:
    """Register a master node; the answer carries its token, shown this once."""
    field = await fields.get(session, principal, field_id)
    node, token = await service.create(session, field, body)
    return NewMasterNodeRead.model_validate({**MasterNodeRead.model_validate(node).model_dump(), "token": token})


# -- master nodes ----------------------------------------------------------------------------
@router.get("/api/nodos/", response_model=list[MasterNodeRead])
async def list_nodes(principal: Staff, session: SessionDep) -> list[MasterNodeRead]:
    return [MasterNodeRead.model_validate(row) for row in await service.visible_list(session, principal)]


@router.get("/api/nodos/{node_id}/", response_model=MasterNodeRead)
async def get_node(node_id: Id, principal: Staff, session: SessionDep) -> MasterNodeRead:
    return MasterNodeRead.model_validate(await service.get(session, principal, node_id))


@router.delete("/api/nodos/{node_id}/delete/", status_code=204, response_class=Response)
async def delete_node(node_id: Id, principal: StaffDeleter, session: SessionDep) -> Response:
    await service.delete(session, await service.get(session, principal, node_id))
    return Response(status_code=204)


@router.post("/api/nodos/{node_id}/token/", response_model=NodeTokenRead)
async def rotate_node_token(node_id: Id, principal: Updater, session: SessionDep) -> NodeTokenRead:
    """Issue a new node token (shown once); the previous one stops working."""
    node = await service.get(session, principal, node_id)
    return NodeTokenRead(token=await service.rotate_token(session, node))


@router.delete("/api/nodos/{node_id}/token/", status_code=204, response_class=Response)
async def revoke_node_token(node_id: Id, principal: Updater, session: SessionDep) -> Response:
    """Revoke the node token: the node can no longer post readings until a new one is issued."""
    await service.revoke_token(session, await service.get(session, principal, node_id))
    return Response(status_code=204)


# -- secondary nodes -------------------------------------------------------------------------
@router.get("/api/nodos/{node_id}/secundarios/", response_model=list[SecondaryNodeRead])
async def list_node_secondaries(node_id: Id, principal: Staff, session: SessionDep) -> list[SecondaryNodeRead]:
    master = await service.get(session, principal, node_id)
    return [SecondaryNodeRead.model_validate(row) for row in await service.secondaries_of(session, master)]


@router.post("/api/nodos/{node_id}/secundarios/create/", response_model=SecondaryNodeRead, status_code=201)
async def create_secondary(
    node_id: Id, body: SecondaryNodeCreate, principal: Staff, session: SessionDep
) -> SecondaryNodeRead:
    master = await service.get(session, principal, node_id)
    return SecondaryNodeRead.model_validate(await service.create_secondary(session, master, body))


@router.get("/api/secundarios/", response_model=Page[SecondaryNodeRead])
async def list_secondaries(
    principal: Staff, session: SessionDep, request: Request, params: Pagination
) -> Page[SecondaryNodeRead]:
    count, rows = await service.secondary_page(session, principal, params)
    return build_page(request, params, count=count, results=rows, item=SecondaryNodeRead)


@router.get("/api/secundarios/{node_id}/", response_model=SecondaryNodeRead)
async def get_secondary(node_id: Id, principal: Staff, session: SessionDep) -> SecondaryNodeRead:
    return SecondaryNodeRead.model_validate(await service.get_secondary(session, principal, node_id))


@router.delete("/api/secundarios/{node_id}/delete/", status_code=204, response_class=Response)
async def delete_secondary(node_id: Id, principal: StaffDeleter, session: SessionDep) -> Response:
    await service.delete_secondary(session, await service.get_secondary(session, principal, node_id))
    return Response(status_code=204)
