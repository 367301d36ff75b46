"""Each seed's error shape, rendered from the same exception."""

import httpx
import pytest
from fastapi import FastAPI, Query
from pydantic import BaseModel, Field

from shared.errors import (
    ErrorStyle,
    NotAuthenticated,
    NotFound,
    RateLimited,
    ServiceUnavailable,
    error_body,
    install_error_handlers,
    spanish_message,
)
from shared.routes import ROUTES, Family, Route, seed_style, style_for_path


class Body(BaseModel):
    username: str
    password: str


class Bounded(BaseModel):
    amount: int = Field(gt=0, le=10)
    name: str = Field(max_length=3)
    ratio: float = 0.5
    flag: bool = False


def make_app() -> FastAPI:
    app = FastAPI()
    families = [Family("/agent", ErrorStyle.AGENT), Family("/desk", ErrorStyle.DESK), Family("/agro", ErrorStyle.AGRO)]
    install_error_handlers(app, lambda path: style_for_path(families, path, ErrorStyle.FASTAPI))
    for prefix in ("/agent", "/desk", "/agro", "/native"):

        @app.post(f"{prefix}/login")
        async def login(body: Body) -> dict[str, str]:
            return {}

        @app.get(f"{prefix}/thing")
        async def thing() -> None:
            raise NotFound("No existe.")

        @app.get(f"{prefix}/limited")
        async def limited() -> None:
            raise RateLimited(retry_after=30, limit=10, remaining=0, reset=1_700_000_000)

        @app.post(f"{prefix}/bounded")
        async def bounded(body: Bounded, page: int = Query(1, gt=0)) -> dict[str, str]:
            return {}

    return app


client = httpx.AsyncClient(transport=httpx.ASGITransport(app=make_app()), base_url="http://test")


@pytest.mark.parametrize(
    ("path", "status", "body"),
    [
        ("/agent/thing", 404, {"error": {"code": "NOT_FOUND", "message": "No existe.", "details": {}}}),
        ("/desk/thing", 404, {"error": "No existe."}),
        ("/agro/thing", 404, {"detail": "No existe."}),
        ("/native/thing", 404, {"detail": "No existe."}),
    ],
)
async def test_service_error_in_each_seed_shape(path: str, status: int, body: dict[str, object]) -> None:
    response = await client.get(path)
    assert response.status_code == status
    assert response.json() == body


async def test_desk_validation_lists_each_missing_field() -> None:
    response = await client.post("/desk/login", json={})
    assert response.status_code == 400
    assert response.json() == {"username": ["Este campo es requerido."], "password": ["Este campo es requerido."]}


async def test_agro_validation_carries_detail_and_fields() -> None:
    response = await client.post("/agro/login", json={"username": "x"})
    assert response.status_code == 400
    assert response.json() == {"detail": "Datos inválidos.", "password": ["Este campo es requerido."]}


async def test_agent_validation_is_400_in_its_envelope() -> None:
    response = await client.post("/agent/login", json={"username": "x"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "INVALID_REQUEST"
    assert error["details"]["fields"] == {"password": ["Este campo es requerido."]}


async def test_fastapi_native_routes_keep_422() -> None:
    assert (await client.post("/native/login", json={})).status_code == 422


async def test_malformed_json_is_a_400_not_a_500() -> None:
    response = await client.post("/desk/login", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400


async def test_unknown_route_answers_in_the_family_shape() -> None:
    assert (await client.get("/desk/nope")).json() == {"error": "No encontrado."}


def test_longest_prefix_wins() -> None:
    styles: list[Route | Family] = [
        Family("/api/auth/", ErrorStyle.DESK),
        Route("/api/auth/login", "auth", ErrorStyle.AGENT),
    ]
    assert style_for_path(styles, "/api/auth/login", ErrorStyle.FASTAPI) is ErrorStyle.AGENT
    assert style_for_path(styles, "/api/auth/logout/", ErrorStyle.FASTAPI) is ErrorStyle.DESK
    assert style_for_path(styles, "/x", ErrorStyle.FASTAPI) is ErrorStyle.FASTAPI


async def test_headers_derive_from_the_errors_typed_attributes() -> None:
    response = await client.get("/agent/limited")
    assert response.status_code == 429
    assert {name: response.headers[name] for name in ("Retry-After", "X-RateLimit-Limit", "X-RateLimit-Reset")} == {
        "Retry-After": "30",
        "X-RateLimit-Limit": "10",
        "X-RateLimit-Reset": "1700000000",
    }
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert RateLimited().headers == {}
    assert RateLimited(reset=5).headers == {"X-RateLimit-Reset": "5"}
    assert ServiceUnavailable().headers == {"Retry-After": "5"}
    assert ServiceUnavailable(retry_after=1).headers == {"Retry-After": "1"}
    assert NotAuthenticated().headers == {"WWW-Authenticate": "Bearer"}

    class NodeRefused(NotAuthenticated):
        scheme = "Node"

    assert NodeRefused().headers == {"WWW-Authenticate": "Node"}


def test_every_routed_path_and_family_is_styled_by_its_own_entry() -> None:
    for entry in ROUTES:
        assert seed_style(entry.path) is entry.style, entry.path


def test_rate_limit_body_is_002_shape() -> None:
    body = error_body(ErrorStyle.AGENT, status_code=429, message="Demasiadas.")
    assert body == {"error": {"code": "RATE_LIMITED", "message": "Demasiadas.", "details": {}}}


def test_openapi_documents_400_for_seed_styled_routes() -> None:
    schema = make_app().openapi()
    assert "400" in schema["paths"]["/desk/login"]["post"]["responses"]
    assert "422" not in schema["paths"]["/desk/login"]["post"]["responses"]
    assert "422" in schema["paths"]["/native/login"]["post"]["responses"]


@pytest.mark.parametrize(
    ("path", "style"),
    [
        ("/token", ErrorStyle.FASTAPI),
        ("/api/auth/login", ErrorStyle.AGENT),
        ("/api/auth/login/", ErrorStyle.DESK),
        ("/api/chat", ErrorStyle.AGENT),
        ("/api/chat/start_chat/", ErrorStyle.DESK),
        ("/api/chat-rooms/waiting_chats/", ErrorStyle.DESK),
        ("/api/parcelas/7/", ErrorStyle.AGRO),
        ("/api/v1/tenants/", ErrorStyle.AGRO),
        ("/.well-known/jwks.json", ErrorStyle.AGENT),
    ],
)
def test_one_map_names_each_seed_paths_error_shape(path: str, style: ErrorStyle) -> None:
    assert seed_style(path) is style


async def test_validation_messages_are_spanish_outside_001() -> None:
    body = {"amount": 0, "name": "abcd", "ratio": "x", "flag": "maybe"}
    response = await client.post("/agro/bounded?page=0", json=body)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Datos inválidos.",
        "page": ["Asegúrese de que este valor sea mayor que 0."],
        "amount": ["Asegúrese de que este valor sea mayor que 0."],
        "name": ["Asegúrese de que este campo no tenga más de 3 caracteres."],
        "ratio": ["Introduzca un número válido."],
        "flag": ["Introduzca un valor booleano válido (true o false)."],
    }
    native = await client.post("/native/bounded?page=0", json=body)
    assert native.status_code == 422
    assert native.json()["detail"][0]["msg"] == "Input should be greater than 0"


@pytest.mark.parametrize(
    ("err", "message"),
    [
        (
            {"type": "less_than_equal", "msg": "x", "ctx": {"le": 10}},
            "Asegúrese de que este valor sea menor o igual a 10.",
        ),
        (
            {"type": "string_too_short", "msg": "x", "ctx": {"min_length": 2}},
            "Asegúrese de que este campo tenga al menos 2 caracteres.",
        ),
        ({"type": "int_parsing", "msg": "x"}, "Introduzca un número entero válido."),
        (
            {"type": "literal_error", "msg": "x", "ctx": {"expected": "'a' or 'b'"}},
            "Elija una opción válida: 'a' o 'b'.",
        ),
        ({"type": "uuid_parsing", "msg": "x"}, "Introduzca un UUID válido."),
        ({"type": "date_parsing", "msg": "x"}, "Introduzca una fecha válida (AAAA-MM-DD)."),
        ({"type": "value_error", "msg": "Value error, '25:00' no es una hora HH:MM"}, "'25:00' no es una hora HH:MM"),
        (
            {"type": "value_error", "msg": "value is not a valid email address: no @"},
            "Introduzca una dirección de correo electrónico válida.",
        ),
        ({"type": "is_instance_of", "msg": "Input should be an instance of X"}, "Valor inválido."),
        ({"type": "int_out_of_range", "msg": "El número debe estar entre 1 y 2."}, "El número debe estar entre 1 y 2."),
    ],
)
def test_spanish_message_by_type(err: dict[str, object], message: str) -> None:
    assert spanish_message(err) == message
