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
@router.get(
    "/api/parcelas/{parcela_id}/nodos/", response_model=list[MasterNodeRead], summary="Listar nodos de una parcela"
)
async def list_field_nodes(parcela_id: Id, principal: Viewer, session: SessionDep) -> list[MasterNodeRead]:
    """Los nodos maestros de la parcela (sin paginar); 404 si la parcela no es visible para el
    usuario. Requiere el permiso `nodos:ver`."""
    field = await fields.get(session, principal, parcela_id)
    return [MasterNodeRead.model_validate(row) for row in await service.of_field(session, principal, field.id)]


@router.get("/api/parcelas/{parcela_id}/nodos/{id}/", response_model=MasterNodeRead, summary="Ver nodo de una parcela")
async def get_field_node(parcela_id: Id, id: Id, principal: Viewer, session: SessionDep) -> MasterNodeRead:
    """Un nodo maestro de la parcela; 404 si no existe o es de otra parcela."""
    await fields.get(session, principal, parcela_id)
    return MasterNodeRead.model_validate(await service.get(session, principal, id, field_id=parcela_id))


@router.post(
    "/api/parcelas/{parcela_id}/nodos/create/",
    response_model=NewMasterNodeRead,
    status_code=201,
    summary="Registrar nodo maestro",
)
async def create_node(
    parcela_id: Id, body: MasterNodeCreate, principal: Creator, session: SessionDep
) -> NewMasterNodeRead:
    """Registra un nodo maestro en la parcela. La respuesta trae su token, que solo se muestra
    esta vez: el nodo lo envía como `Authorization: Node <token>` al publicar lecturas. Un
    código ya usado se rechaza (400). Requiere el permiso `nodos:crear`."""
    field = await fields.get(session, principal, parcela_id)
    node, token = await service.create(session, field, body)
    return NewMasterNodeRead.model_validate({**MasterNodeRead.model_validate(node).model_dump(), "token": token})


# -- master nodes ----------------------------------------------------------------------------
@router.get("/api/nodos/", response_model=list[MasterNodeRead], summary="Listar nodos maestros")
async def list_nodes(principal: Staff, session: SessionDep) -> list[MasterNodeRead]:
    """Todos los nodos maestros del espacio de trabajo (sin paginar). Para quien ve todo el
    espacio (administrador, técnico): un agricultor recibe 403."""
    return [MasterNodeRead.model_validate(row) for row in await service.visible_list(session, principal)]


@router.get("/api/nodos/{id}/", response_model=MasterNodeRead, summary="Ver nodo maestro")
async def get_node(id: Id, principal: Staff, session: SessionDep) -> MasterNodeRead:
    """Un nodo maestro del espacio de trabajo; 404 si no existe."""
    return MasterNodeRead.model_validate(await service.get(session, principal, id))


@router.delete("/api/nodos/{id}/delete/", status_code=204, response_class=Response, summary="Eliminar nodo maestro")
async def delete_node(id: Id, principal: StaffDeleter, session: SessionDep) -> Response:
    """Borra el nodo maestro y sus nodos secundarios; su token deja de valer. Para quien ve todo
    el espacio de trabajo y tiene `nodos:eliminar`."""
    await service.delete(session, await service.get(session, principal, id))
    return Response(status_code=204)


@router.post("/api/nodos/{id}/token/", response_model=NodeTokenRead, summary="Renovar token de nodo")
async def rotate_node_token(id: Id, principal: Updater, session: SessionDep) -> NodeTokenRead:
    """Emite un token nuevo para el nodo (se muestra solo esta vez); el anterior deja de valer.
    Requiere el permiso `nodos:actualizar`."""
    node = await service.get(session, principal, id)
    return NodeTokenRead(token=await service.rotate_token(session, node))


@router.delete("/api/nodos/{id}/token/", status_code=204, response_class=Response, summary="Revocar token de nodo")
async def revoke_node_token(id: Id, principal: Updater, session: SessionDep) -> Response:
    """Revoca el token del nodo: no podrá publicar lecturas hasta que se le emita uno nuevo.
    Requiere el permiso `nodos:actualizar`."""
    await service.revoke_token(session, await service.get(session, principal, id))
    return Response(status_code=204)


# -- secondary nodes -------------------------------------------------------------------------
@router.get(
    "/api/nodos/{nodo_master_id}/secundarios/",
    response_model=list[SecondaryNodeRead],
    summary="Listar nodos secundarios de un nodo maestro",
)
async def list_node_secondaries(nodo_master_id: Id, principal: Staff, session: SessionDep) -> list[SecondaryNodeRead]:
    """Los nodos secundarios (sensores) del nodo maestro, sin paginar. Para quien ve todo el
    espacio de trabajo."""
    master = await service.get(session, principal, nodo_master_id)
    return [SecondaryNodeRead.model_validate(row) for row in await service.secondaries_of(session, master)]


@router.post(
    "/api/nodos/{nodo_master_id}/secundarios/create/",
    response_model=SecondaryNodeRead,
    status_code=201,
    summary="Registrar nodo secundario",
)
async def create_secondary(
    nodo_master_id: Id, body: SecondaryNodeCreate, principal: Staff, session: SessionDep
) -> SecondaryNodeRead:
    """Registra un nodo secundario (un sensor) bajo el nodo maestro. Para quien ve todo el
    espacio de trabajo."""
    master = await service.get(session, principal, nodo_master_id)
    return SecondaryNodeRead.model_validate(await service.create_secondary(session, master, body))


@router.get("/api/secundarios/", response_model=Page[SecondaryNodeRead], summary="Listar nodos secundarios")
async def list_secondaries(
    principal: Staff, session: SessionDep, request: Request, params: Pagination
) -> Page[SecondaryNodeRead]:
    """Todos los nodos secundarios del espacio de trabajo, paginados. Para quien ve todo el
    espacio de trabajo."""
    count, rows = await service.secondary_page(session, principal, params)
    return build_page(request, params, count=count, results=rows, item=SecondaryNodeRead)


@router.get("/api/secundarios/{id}/", response_model=SecondaryNodeRead, summary="Ver nodo secundario")
async def get_secondary(id: Id, principal: Staff, session: SessionDep) -> SecondaryNodeRead:
    """Un nodo secundario; 404 si no existe."""
    return SecondaryNodeRead.model_validate(await service.get_secondary(session, principal, id))


@router.delete(
    "/api/secundarios/{id}/delete/", status_code=204, response_class=Response, summary="Eliminar nodo secundario"
)
async def delete_secondary(id: Id, principal: StaffDeleter, session: SessionDep) -> Response:
    """Borra el nodo secundario. Para quien ve todo el espacio de trabajo y tiene
    `nodos:eliminar`."""
    await service.delete_secondary(session, await service.get_secondary(session, principal, id))
    return Response(status_code=204)
