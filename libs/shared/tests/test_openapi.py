"""The document FastAPI writes, with integer bounds kept as integers."""

from datetime import datetime
from typing import Annotated

from fastapi import FastAPI, Query
from pydantic import BaseModel, ConfigDict

from shared.openapi import integer_bounds, serve_integer_bounds
from shared.pagination import Page
from shared.validation import INT64_MAX, Id, Int64


class Body(BaseModel):
    wide: Int64


def test_int64_bounds_come_out_as_the_exact_integers() -> None:
    app = FastAPI()

    @app.post("/things/{id}")
    async def thing(id: Id, body: Body, limit: Annotated[int, Query(le=INT64_MAX)] = 1) -> None:
        return None

    serve_integer_bounds(app)
    document = app.openapi()
    wide = document["components"]["schemas"]["Body"]["properties"]["wide"]
    assert wide["maximum"] == INT64_MAX
    assert isinstance(wide["maximum"], int)
    assert wide["minimum"] == -INT64_MAX - 1
    parameters = {p["name"]: p["schema"] for p in document["paths"]["/things/{id}"]["post"]["parameters"]}
    assert parameters["limit"]["maximum"] == INT64_MAX
    assert "e+18" not in str(document)
    assert app.openapi() is document


def test_only_integer_schemas_change() -> None:
    node = {"anyOf": [{"type": "integer", "maximum": 10.0}, {"type": "number", "maximum": 1.0}]}
    assert integer_bounds(node) == {"anyOf": [{"type": "integer", "maximum": 10}, {"type": "number", "maximum": 1.0}]}
    assert isinstance(node["anyOf"][0]["maximum"], int)
    assert isinstance(node["anyOf"][1]["maximum"], float)


class Task(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"id": 1, "deleted_at": None, "note": None}]})

    id: int
    deleted_at: datetime | None
    note: str | None = None


def test_examples_keep_their_nulls() -> None:
    app = FastAPI()

    @app.get("/tasks/", response_model=Page[Task])
    async def tasks() -> None:
        return None

    @app.get("/raw/", responses={200: {"content": {"application/json": {"example": {"count": 0, "next": None}}}}})
    async def raw() -> None:
        return None

    serve_integer_bounds(app)
    document = app.openapi()
    schemas = document["components"]["schemas"]
    # Required and nullable: FastAPI dropped the null, and it is back; an optional one stays omitted.
    assert schemas["Task"]["examples"] == [{"id": 1, "deleted_at": None}]
    assert schemas["Page_Task_"]["examples"] == [
        {"count": 1, "next": None, "previous": None, "results": [{"id": 1, "deleted_at": None}]}
    ]
    # A media type's example, without a schema to say what was null, is left as FastAPI wrote it.
    assert document["paths"]["/raw/"]["get"]["responses"]["200"]["content"]["application/json"]["example"] == {
        "count": 0
    }
