from pydantic import BaseModel, ConfigDict, EmailStr, Field

from shared.validation import InputModel


class UserCreate(InputModel):
    email: EmailStr
    password: str = Field(min_length=8, max_length=256)


class UserRead(BaseModel):
    """001's user: never the password."""

    model_config = ConfigDict(from_attributes=True)

    email: str
    id: int
    is_active: bool
    bots: list[dict[str, object]] = Field(default_factory=list)
