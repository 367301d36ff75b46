"""Signing in and out through the platform's own login API (004's `/auth/login/`)."""

from dataclasses import dataclass

from console.gateway import Gateway

__all__ = ["SignedIn", "login", "logout"]


@dataclass(frozen=True)
class SignedIn:
    access_token: str
    refresh_token: str | None


async def login(gw: Gateway, *, username: str, password: str) -> SignedIn:
    """The API's tokens for these credentials; a refusal raises `ApiError` with its message."""
    answer = await gw.post("/auth/login/", json={"username": username, "password": password})
    return SignedIn(access_token=str(answer["token"]), refresh_token=answer.get("refresh_token"))


async def logout(gw: Gateway) -> None:
    """Revokes the token and ends its login session: no service accepts it afterwards."""
    await gw.post("/auth/logout/")
