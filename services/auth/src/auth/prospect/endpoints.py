"""004's prospects: a public application, reviewed by the workspace's admins."""

from typing import Annotated

from fastapi import APIRouter, Depends

from auth.access import PersonWithPermission
from auth.prospect import service
from auth.prospect.schemas import ProspectAcceptanceCreate, ProspectAcceptanceRead, ProspectCreate, ProspectRead
from shared.security import Principal, RequirePermission
from shared.sessions import SessionDep
from shared.validation import Id

router = APIRouter(prefix="/api/user/prospectos", tags=["prospects"])

CanViewUsers = Annotated[Principal, Depends(RequirePermission("usuarios", "ver"))]
# Making an account is managing the team: a person's act, never an API key's.
CanCreateUsers = Annotated[Principal, Depends(PersonWithPermission("usuarios", "crear"))]


@router.post("/", response_model=ProspectRead, status_code=201, summary="Postular como agricultor")
async def create_prospect(body: ProspectCreate, session: SessionDep) -> ProspectRead:
    """Solicitud para ser agricultor (público, sin token): queda `pendiente` hasta que un
    administrador del espacio la acepte. `tenant` es el espacio al que se postula (el de la
    plataforma si se omite)."""
    return ProspectRead.model_validate(await service.apply(session, body))


@router.get(
    "/",
    response_model=list[ProspectRead],
    summary="Listar prospectos",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": [
                        {
                            "id": 1,
                            "nombre_completo": "María Huamán Rojas",
                            "dni": "45678912",
                            "correo": "maria.huaman@ejemplo.com",
                            "telefono": "987654321",
                            "ubicacion_parcela": "Huaral, Lima",
                            "descripcion_terreno": "2 hectáreas de palta con riego por goteo",
                            "estado": "pendiente",
                        }
                    ]
                }
            }
        }
    },
)
async def list_prospects(principal: CanViewUsers, session: SessionDep) -> list[ProspectRead]:
    """Las solicitudes al espacio de quien llama, sin paginar (usuarios/ver)."""
    return [ProspectRead.model_validate(p) for p in await service.list_for(session, principal.tenant_id)]


@router.get("/{id}/", response_model=ProspectRead, summary="Ver un prospecto")
async def get_prospect(id: Id, principal: CanViewUsers, session: SessionDep) -> ProspectRead:
    """Una solicitud del espacio de quien llama (usuarios/ver); la de otro espacio: 404."""
    return ProspectRead.model_validate(await service.get_for(session, principal.tenant_id, id))


@router.post("/{id}/aceptar/", response_model=ProspectAcceptanceRead, status_code=201, summary="Aceptar un prospecto")
async def accept_prospect(
    id: Id, body: ProspectAcceptanceCreate, principal: CanCreateUsers, session: SessionDep
) -> ProspectAcceptanceRead:
    """Crea el usuario `agricultor` de una solicitud pendiente, con el `username` y la contraseña
    dados (usuarios/crear; una persona, no una clave de API). Un `username` ya usado: 400."""
    await service.accept(session, principal.tenant_id, id, body)
    return ProspectAcceptanceRead()
