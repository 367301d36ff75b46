from fastapi import APIRouter

from auth.account import service
from auth.account.schemas import UserCreate, UserRead
from auth.errors import AccountExists
from shared.errors import documented
from shared.sessions import SessionDep

router = APIRouter(tags=["users"])


@router.post("/users/", response_model=UserRead, responses=documented(AccountExists))
async def create_user(body: UserCreate, session: SessionDep) -> UserRead:
    """Register a user (001). Opens a workspace that the new user owns."""
    user = await service.register(session, email=str(body.email), password=body.password)
    return UserRead.model_validate(user)
