"""002's `/api/tools` and `/api/tools/execute`."""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from shared.validation import InputModel


class ToolRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "my_fields",
                    "description": "Lista las parcelas del usuario (id, nombre, ubicación, tamaño, cultivo)",
                    "category": "agro",
                    "parameters": {"type": "object", "properties": {}},
                    "mutating": False,
                }
            ]
        }
    )

    name: str
    description: str
    category: str
    parameters: dict[str, Any]
    # Beyond 002: whether it changes something (it then waits for confirmation unless autonomy is "auto").
    mutating: bool


class ToolList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "tools": [
                        {
                            "name": "my_fields",
                            "description": "Lista las parcelas del usuario (id, nombre, ubicación, tamaño, cultivo)",
                            "category": "agro",
                            "parameters": {"type": "object", "properties": {}},
                            "mutating": False,
                        }
                    ]
                }
            ]
        }
    )

    tools: list[ToolRead]


class ToolCallCreate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"tool": "my_fields", "parameters": {}}]})

    tool: Annotated[str, Field(min_length=1, max_length=100, examples=["my_fields"])]
    parameters: dict[str, Any] = Field(default_factory=dict, examples=[{}])


class ToolCallRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "tool": "my_fields",
                    "result": [
                        {
                            "id": 7,
                            "nombre": "Parcela Norte",
                            "ubicacion": "Huaral, Lima",
                            "tamano_hectareas": 2.5,
                            "cultivo": "Tomate",
                        }
                    ],
                }
            ]
        }
    )

    tool: str
    result: Any
