"""Learning an API from its document: Swagger 2 and OpenAPI 3, `$ref`, `allOf`, parameters at
path level; bounded expansion; malformed and hostile documents refused as InvalidApiDocument,
never another error (fuzzed). Pure functions: no stack needed."""

import json
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bots.errors import ApiDocumentTooLarge, InvalidApiDocument
from bots.learned.importer import MAX_DOCUMENT_BYTES, MAX_OPERATION_BYTES, learn

PET = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}

OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "Jira API"},
    "servers": [{"url": "/rest/api/3"}],
    "components": {
        "schemas": {
            "Base": {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"]},
            "Issue": {"allOf": [{"$ref": "#/components/schemas/Base"},
                                {"type": "object", "properties": {"summary": {"type": "string"}}}]},
        },
        "parameters": {"Project": {"name": "project", "in": "path", "required": True, "schema": {"type": "string"}}},
    },
    "paths": {
        "/projects/{project}/issues": {
            "parameters": [{"$ref": "#/components/parameters/Project"}],
            "get": {"operationId": "listIssues",
                    "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}}]},
            "post": {"operationId": "createIssue", "requestBody": {
                "required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Issue"}}}}},
        },
        "/projects/{project}/issues/{key}": {
            "parameters": [{"$ref": "#/components/parameters/Project"},
                           {"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {"summary": "Una incidencia"},
            "delete": {"operationId": "deleteIssue"},
        },
    },
}  # fmt: skip

SWAGGER = {
    "swagger": "2.0",
    "info": {"title": "Petstore"},
    "host": "petstore.example.com",
    "basePath": "/v2",
    "schemes": ["https"],
    "definitions": {"Pet": PET, "Dog": {"allOf": [{"$ref": "#/definitions/Pet"},
                                                  {"properties": {"breed": {"type": "string"}}}]}},
    "paths": {
        "/pets": {
            "get": {"operationId": "listPets", "parameters": [{"name": "limit", "in": "query", "type": "integer"}]},
            "post": {"operationId": "addPet",
                     "parameters": [{"name": "pet", "in": "body", "required": True,
                                     "schema": {"$ref": "#/definitions/Dog"}}]},
        },
        "/pets/{petId}": {"parameters": [{"name": "petId", "in": "path", "required": True, "type": "integer"}],
                          "get": {"operationId": "getPet"}},
    },
}  # fmt: skip


def test_openapi_3_with_refs_all_of_and_path_level_parameters() -> None:
    learned = learn(OPENAPI, "https://jira.example.com/openapi.json")
    assert (learned.title, learned.base_url) == ("Jira API", "https://jira.example.com/rest/api/3")
    assert [(o.name, o.method) for o in learned.operations] == [
        ("listIssues", "GET"), ("createIssue", "POST"), ("get_projects_project_issues_key", "GET"),
        ("deleteIssue", "DELETE"),
    ]  # fmt: skip
    listing, creating, reading, _ = learned.operations
    assert listing.parameters["required"] == ["project"]
    assert listing.locations == {"project": "path", "limit": "query"}
    body = creating.parameters["properties"]["body"]
    assert set(body["properties"]) == {"id", "summary"}
    assert body["required"] == ["id"]
    assert creating.parameters["required"] == ["body", "project"]
    assert reading.locations == {"project": "path", "key": "path"}
    assert reading.summary == "Una incidencia"


def test_swagger_2_with_refs_all_of_and_body_parameters() -> None:
    learned = learn(SWAGGER)
    assert (learned.title, learned.base_url) == ("Petstore", "https://petstore.example.com/v2")
    assert [o.name for o in learned.operations] == ["listPets", "addPet", "getPet"]
    listing, adding, getting = learned.operations
    assert listing.parameters["properties"]["limit"] == {"type": "integer"}
    assert set(adding.parameters["properties"]["body"]["properties"]) == {"name", "breed"}
    assert adding.locations == {"body": "body"}
    assert adding.parameters["required"] == ["body"]
    assert getting.parameters["required"] == ["petId"]
    assert getting.locations == {"petId": "path"}


@pytest.mark.parametrize("document", [{}, {"openapi": "3.0.0"}, {"swagger": "1.2", "paths": {}}, [1, 2],
                                      {"openapi": "3.0.0", "paths": {"/x": {"get": {"parameters": [
                                          {"$ref": "https://evil.example.com/p.json"}]}}}}])  # fmt: skip
def test_what_is_not_a_document_is_refused(document: object) -> None:
    with pytest.raises(InvalidApiDocument):
        learn(document)


def test_reference_cycles_end() -> None:
    cyclic = {"openapi": "3.1.0", "info": {}, "components": {"schemas": {"Node": {
        "type": "object", "properties": {"next": {"$ref": "#/components/schemas/Node"}}}}},
        "paths": {"/n": {"post": {"requestBody": {"content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Node"}}}}}}}}  # fmt: skip
    [operation] = learn(cyclic).operations
    assert operation.parameters["properties"]["body"]["properties"]["next"]["type"] == "object"


def _chained(schemas: int, breadth: int, leaf: dict[str, Any]) -> dict[str, Any]:
    """`schemas` schemas of `breadth` properties each, every property a `$ref` to the next."""
    found = {
        f"S{i}": {
            "type": "object",
            "properties": {f"property_{j}": {"$ref": f"#/components/schemas/S{i + 1}"} for j in range(breadth)},
        }
        for i in range(schemas)
    }
    found[f"S{schemas}"] = leaf
    body = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/S0"}}}}
    return {"openapi": "3.0.3", "info": {"title": "Bomba"}, "components": {"schemas": found},
            "paths": {"/x": {"post": {"requestBody": body}}}}  # fmt: skip


def test_references_that_multiply_a_small_document_are_refused() -> None:
    bomb = _chained(4, 10, {"type": "string", "description": "una hoja"})
    assert len(json.dumps(bomb)) < 3000
    with pytest.raises(ApiDocumentTooLarge) as refused:
        learn(bomb)
    assert "POST /x" in refused.value.message
    # The same shape, narrow enough, is expanded in full.
    [operation] = learn(_chained(3, 2, {"type": "string"})).operations
    body = operation.parameters["properties"]["body"]
    leaf = body["properties"]["property_1"]["properties"]["property_0"]["properties"]["property_1"]
    assert leaf == {"type": "string"}


def test_a_document_whose_operations_add_up_past_the_budget_is_refused() -> None:
    # Each operation well under its own budget; together over the document's.
    schema = {"type": "object", "properties": {f"p{i}": {"type": "string", "description": "d" * 200}
                                               for i in range(MAX_OPERATION_BYTES // 400)}}  # fmt: skip
    count = MAX_DOCUMENT_BYTES // (MAX_OPERATION_BYTES // 2) + 2
    document: dict[str, Any]
    document = {"swagger": "2.0", "definitions": {"Big": schema}, "paths": {f"/p{n}": {"post": {"parameters": [
        {"name": "b", "in": "body", "schema": {"$ref": "#/definitions/Big"}}]}} for n in range(count)}}  # fmt: skip
    learn({**document, "paths": dict(list(document["paths"].items())[:2])})
    with pytest.raises(ApiDocumentTooLarge, match="documento"):
        learn(document)


def _operation_with(**fields: Any) -> dict[str, Any]:
    return {"openapi": "3.0.0", "info": {"title": "t"}, "paths": {"/x": {"post": fields}}}


@pytest.mark.parametrize(
    "document",
    [
        _operation_with(parameters=[{"name": "a", "in": "query", "schema": [{"type": "string"}]}]),
        _operation_with(parameters=[{"name": "a", "in": "query", "schema": "string"}]),
        _operation_with(parameters=[{"name": {"x": 1}, "in": "query", "schema": {"type": "string"}}]),
        _operation_with(parameters=[{"name": ["a"], "in": "query"}]),
        _operation_with(parameters=[{"name": "a", "in": ["query"]}]),
        _operation_with(parameters={"name": "a", "in": "query"}),
        _operation_with(parameters=7),
        _operation_with(parameters=["a"]),
        _operation_with(requestBody={"content": [{"application/json": {"schema": {}}}]}),
        _operation_with(requestBody={"content": {"application/json": [1]}}),
        _operation_with(requestBody={"content": {"application/json": {"schema": "x"}}}),
        _operation_with(requestBody=[1]),
        _operation_with(requestBody={"content": {"application/json": {"schema": {"allOf": {"a": 1}}}}}),
        _operation_with(requestBody={"content": {"application/json": {"schema": {"allOf": [1]}}}}),
        _operation_with(requestBody={"content": {"application/json": {"schema": {
            "allOf": [{"properties": ["a"]}]}}}}),
        _operation_with(requestBody={"content": {"application/json": {"schema": {"type": "nope"}}}}),
        _operation_with(requestBody={"content": {"application/json": {"schema": {"$ref": 5}}}}),
        _operation_with(requestBody={"content": {"application/json": {"schema": {"$ref": "#/nowhere"}}}}),
        _operation_with(summary="a\x00b"),
        _operation_with(parameters=[{"name": "a", "in": "query", "schema": {"enum": [float("nan")]}}]),
        {"openapi": "3.0.0", "paths": {"/x": "get"}},
        {"openapi": "3.0.0", "paths": {"/x": {"get": ["a"]}}},
        {"openapi": "3.0.0", "paths": {"@evil.example.com/x": {"get": {}}}},
        {"openapi": 3, "paths": {}},
        {"openapi": "3.0.0", "info": {"title": "t\udc80"}, "paths": {}},
    ],
)  # fmt: skip
def test_malformed_shapes_are_refused_as_invalid_documents(document: dict[str, Any]) -> None:
    with pytest.raises(InvalidApiDocument):
        learn(document)


# The loaded hypothesis profile's count (100; 10 under `make test-fast`).
EXAMPLES = settings().max_examples

# -- the importer fuzzed: every answer is operations fit to store and check with, or InvalidApiDocument.

HOSTILE: list[Any] = [
    None, True, 0, -1, 2**200, 1.5, float("inf"), "", "x", "a\x00b", "\ud800", "#/paths", [], [None], [[[]]], {},
    "http://[::1", "https://[", "http://]/",
    {"$ref": "#/"}, {"$ref": "#/paths"}, {"$ref": "#/components"}, {"$ref": 5}, {"$ref": ["#/info"]},
    {"allOf": [{"$ref": "#/"}]}, {"type": ["object", 5]}, {"properties": {"a": 1}}, {"required": "a"},
    list(range(20_000)), {f"k{i}": i for i in range(5_000)},
]  # fmt: skip


def _deep(levels: int) -> Any:
    node: Any = {"type": "string"}
    for level in range(levels):
        node = {"type": "object", "properties": {"a": node}} if level % 2 else [node]
    return node


HOSTILE.append(_deep(3_000))


def _places(node: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path to a value inside `node`."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*at, key)
            yield from _places(value, (*at, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*at, index)
            yield from _places(value, (*at, index))


def _replaced(document: Any, at: tuple[Any, ...], value: Any) -> Any:
    copy = json.loads(json.dumps(document))
    node = copy
    for part in at[:-1]:
        node = node[part]
    node[at[-1]] = value
    return copy


def _imports_or_refuses(document: Any) -> str | None:
    """None when `learn` refused with InvalidApiDocument or returned what can be stored and
    checked; otherwise what went wrong."""
    try:
        learned = learn(document, "https://api.example.com/openapi.json")
    except InvalidApiDocument:
        return None
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"[:300]
    try:
        for text in (learned.title, learned.base_url or ""):
            assert "\x00" not in text
            text.encode()
        for operation in learned.operations:
            stored = json.dumps(operation.__dict__, allow_nan=False, ensure_ascii=False)
            assert "\\u0000" not in stored
            stored.encode()
            assert operation.path.startswith("/")
            jsonschema.Draft202012Validator.check_schema(operation.parameters)
            validator = jsonschema.Draft202012Validator(operation.parameters, format_checker=jsonschema.FormatChecker())
            list(validator.iter_errors({"body": {"a": 1}, "limit": "x"}))
    except Exception as exc:
        return f"imported but unusable: {type(exc).__name__}: {exc}"[:300]
    return None


def test_every_field_replaced_by_hostile_values_imports_or_is_refused() -> None:
    failures = []
    for document in (OPENAPI, SWAGGER):
        for at in _places(document):
            for value in HOSTILE:
                problem = _imports_or_refuses(_replaced(document, at, value))
                if problem is not None:
                    failures.append(f"{at} = hostile value #{HOSTILE.index(value)}: {problem}")
    assert not failures, "\n".join(failures[:30])


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    | st.sampled_from(["#/", "#/paths", "#/components/schemas/Base", "#/definitions/Pet", "query", "body", "path"]),
    lambda children: st.lists(children, max_size=6) | st.dictionaries(
        st.sampled_from(["$ref", "allOf", "type", "properties", "required", "schema", "name", "in", "content",
                         "parameters", "requestBody", "items", "application/json", "get", "post", "x"])
        | st.text(max_size=8), children, max_size=6),
    max_leaves=40,
)  # fmt: skip


@settings(max_examples=4 * EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.sampled_from([OPENAPI, SWAGGER]), data=st.data())
def test_mutated_documents_import_or_are_refused(base: dict[str, Any], data: st.DataObject) -> None:
    document = base
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.sampled_from(list(_places(document))))
        document = _replaced(document, at, data.draw(JSON))
    assert _imports_or_refuses(document) is None


@settings(max_examples=2 * EXAMPLES, deadline=None, database=None)
@given(
    document=st.fixed_dictionaries(
        {
            "openapi": st.just("3.0.0"),
            "paths": st.dictionaries(st.text(max_size=6).map(lambda p: "/" + p), JSON, max_size=4),
        },
        optional={"components": JSON, "servers": JSON},
    )
)
def test_random_documents_import_or_are_refused(document: dict[str, Any]) -> None:
    assert _imports_or_refuses(document) is None
