from fastapi import APIRouter

from auth.account import service
from auth.account.schemas import UserCreate, UserRead
from auth.errors import AccountExists
from shared.errors import documented
from shared.sessions import SessionDep

router = APIRouter(tags=["users"])


@router.post("/users/", response_model=UserRead, summary="Registrar usuario", responses=documented(AccountExists))
async def create_user(body: UserCreate, session: SessionDep) -> UserRead:
    """Crea una cuenta con email y contraseña (público, sin token) y abre un espacio de trabajo del
    que el nuevo usuario es dueño. Un email ya registrado se rechaza. Después, `POST /token`."""
    user = await service.register(session, email=str(body.email), password=body.password)
    return UserRead.model_validate(user)
