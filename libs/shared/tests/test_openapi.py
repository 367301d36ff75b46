"""The document FastAPI writes, with integer bounds kept as integers and examples kept whole."""

from typing import Annotated

from fastapi import APIRouter, FastAPI, Query
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


class Thing(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "riego", "closed_at": None}]})

    name: str
    closed_at: str | None


def test_examples_keep_their_nulls_and_pages_take_their_items_example() -> None:
    app = FastAPI()
    router = APIRouter(prefix="/api")

    @router.get("/things/", response_model=Page[Thing])
    async def list_things() -> None:
        return None

    @router.get("/counts/", responses={200: {"content": {"application/json": {"example": {"total": 1, "next": None}}}}})
    async def count_things() -> dict[str, object]:
        return {}

    app.include_router(router)
    serve_integer_bounds(app)
    document = app.openapi()
    schemas = document["components"]["schemas"]
    assert schemas["Thing"]["examples"] == [{"name": "riego", "closed_at": None}]
    assert list(schemas["Thing"]["examples"][0]) == ["name", "closed_at"], "as written, not sorted"
    assert schemas["Page_Thing_"]["examples"] == [
        {"count": 1, "next": None, "previous": None, "results": [{"name": "riego", "closed_at": None}]}
    ]
    answer = document["paths"]["/api/counts/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert answer["example"] == {"total": 1, "next": None}
