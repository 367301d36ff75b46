"""An upstream bug answers 500 and keeps the connection, so the next request on it succeeds."""

import httpx
from fastapi import FastAPI

from devstack.pytest_plugin import serve_in_thread
from shared.observability import keep_alive_after_errors


def buggy_app() -> FastAPI:
    app = FastAPI()

    @app.get("/bug")
    async def bug() -> None:
        raise RuntimeError("a bug")

    @app.post("/ok")
    async def ok() -> dict[str, bool]:
        return {"ok": True}

    keep_alive_after_errors(app)
    return app


def test_the_connection_survives_a_500_so_a_post_on_it_is_not_lost() -> None:
    with serve_in_thread(buggy_app()) as url, httpx.Client(base_url=url) as client:
        for _ in range(20):
            assert client.get("/bug").status_code == 500
            assert client.post("/ok").json() == {"ok": True}
