"""The session cookie `console_session`: sealed with AES-GCM (encrypted and authenticated), so
the browser holds the user's API tokens without being able to read or change them.

One cookie only: the CSRF token is derived from the session's nonce instead of living in a
second cookie, so there is one thing to seal, expire and clear.
"""

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import asdict, dataclass

from cryptography.exceptions import InvalidTag
from starlette.responses import Response

from console.config import Settings
from shared.crypto import SecretCipher

__all__ = ["COOKIE_NAME", "COOKIE_PATH", "CookieJar", "SessionData"]

COOKIE_NAME = "console_session"
COOKIE_PATH = "/console/"


@dataclass(frozen=True)
class SessionData:
    """What the cookie holds. `nonce` binds the CSRF token; an anonymous session (the login
    form's) has a nonce and no token."""

    nonce: str
    issued_at: float
    access_token: str | None = None
    refresh_token: str | None = None

    @property
    def signed_in(self) -> bool:
        return self.access_token is not None

    @classmethod
    def anonymous(cls) -> "SessionData":
        return cls(nonce=secrets.token_urlsafe(16), issued_at=time.time())

    @classmethod
    def signed_in_with(cls, access_token: str, refresh_token: str | None) -> "SessionData":
        """A fresh nonce at login: a CSRF token seen before it is worthless after it."""
        return cls(secrets.token_urlsafe(16), time.time(), access_token, refresh_token)


class CookieJar:
    def __init__(self, settings: Settings) -> None:
        self._cipher = SecretCipher(settings.secret, purpose=b"console-session", setting="CONSOLE_SECRET")
        self._csrf_key = hmac.new(settings.secret.encode(), b"console-csrf", hashlib.sha256).digest()
        self._secure = settings.cookie_secure
        self._max_age = settings.session_max_age_seconds

    def read(self, value: str | None) -> SessionData | None:
        """The session in a cookie value; None when missing, forged, altered or too old."""
        if not value:
            return None
        try:
            raw = self._cipher.open(base64.urlsafe_b64decode(value.encode("ascii") + b"=="))
            data = SessionData(**json.loads(raw))
        except (InvalidTag, ValueError, TypeError, binascii.Error, UnicodeError):
            return None
        if time.time() - data.issued_at > self._max_age:
            return None
        return data

    def seal(self, data: SessionData) -> str:
        raw = json.dumps(asdict(data), separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(self._cipher.seal(raw)).rstrip(b"=").decode("ascii")

    def write(self, response: Response, data: SessionData) -> None:
        response.set_cookie(
            COOKIE_NAME,
            self.seal(data),
            max_age=self._max_age,
            path=COOKIE_PATH,
            secure=self._secure,
            httponly=True,
            samesite="lax",
        )

    def clear(self, response: Response) -> None:
        response.delete_cookie(COOKIE_NAME, path=COOKIE_PATH, secure=self._secure, httponly=True, samesite="lax")

    def csrf_token(self, data: SessionData) -> str:
        return hmac.new(self._csrf_key, data.nonce.encode(), hashlib.sha256).hexdigest()

    def csrf_matches(self, data: SessionData, token: str) -> bool:
        return hmac.compare_digest(self.csrf_token(data), token)
