"""002's `/api/tools` and `/api/tools/execute`."""

from typing import Annotated, Any

from pydantic import BaseModel, Field

from shared.validation import InputModel


class ToolRead(BaseModel):
    name: str
    description: str
    category: str
    parameters: dict[str, Any]
    # Beyond 002: whether it changes something (it then waits for confirmation unless autonomy is "auto").
    mutating: bool


class ToolList(BaseModel):
    tools: list[ToolRead]


class ToolCallCreate(InputModel):
    tool: Annotated[str, Field(min_length=1, max_length=100, examples=["my_fields"])]
    parameters: dict[str, Any] = Field(default_factory=dict, examples=[{}])


class ToolCallRead(BaseModel):
    tool: str
    result: Any
