"""A revocation the request just committed, refused at once where the caller will be seen next:
in this process (before the events come back) and in the gateway replica that relays the answer,
told by the `X-Platform-Revoked` header (`shared.security.revoked_header`), set here and only
when something was really revoked."""

from fastapi import Request, Response

from auth.errors import RefreshTokenReused
from auth.revoked import Revoked
from shared.security import Principal, TokenVerifier
from shared.security.revoked_header import (
    REVOKED_HEADER,
    CallerRevoked,
    KeyRevoked,
    RevokedItem,
    SessionRevoked,
    UserRevoked,
    render,
)


def _verifier(request: Request) -> TokenVerifier:
    verifier: TokenVerifier = request.app.state.verifier
    return verifier


def _say(response: Response, items: list[RevokedItem]) -> None:
    if items:
        response.headers[REVOKED_HEADER] = render(items)


def refuse_user(request: Request, response: Response, revoked: Revoked | None) -> None:
    """A member's earlier tokens (and the keys they made), after a role change or a removal."""
    if revoked is None:
        return
    revocations = _verifier(request).revocations
    revocations.close_user(revoked.user_id, revoked.at)
    for key_id in revoked.api_key_ids:
        revocations.revoke_key(key_id)
    _say(response, [UserRevoked(revoked.user_id, revoked.at), *(KeyRevoked(k) for k in revoked.api_key_ids)])


def refuse_caller(request: Request, response: Response, principal: Principal) -> None:
    """The caller's token and its login session (a logout)."""
    _verifier(request).revoke_now(principal)
    _say(response, [CallerRevoked()])


def refuse_key(request: Request, response: Response, key_id: str | None) -> None:
    """An API key revoked now (None: it already was, nothing to say)."""
    if key_id is None:
        return
    _verifier(request).revocations.revoke_key(key_id)
    _say(response, [KeyRevoked(key_id)])


def refuse_session(request: Request, reused: RefreshTokenReused) -> None:
    """A login session ended because its refresh token came back: the refusal says so."""
    _verifier(request).revocations.add(reused.session_id, reused.tokens_expire_by, session_id=reused.session_id)
    reused.headers[REVOKED_HEADER] = render([SessionRevoked(reused.session_id)])
