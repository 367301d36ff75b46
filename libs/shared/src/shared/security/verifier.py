"""Verifying auth's RS256-signed JWTs with the public keys it publishes."""

import asyncio
import logging
import time
from typing import Any

import httpx
import jwt
from nats.js import JetStreamContext

from shared.config import BaseServiceSettings
from shared.errors import NotAuthenticated
from shared.security.principal import Principal
from shared.security.revocations import RevocationList

logger = logging.getLogger(__name__)

ALGORITHMS = ["RS256"]
_SCHEMES = {"bearer", "token"}
_REFRESH_COOLDOWN_SECONDS = 1.0
# Verified tokens remembered per process: clients reuse a token for many requests, and the
# signature check is the dearest part of a request at the gateway. Expiry and revocation are
# still checked on every use.
_CACHE_SIZE = 10_000


def parse_authorization(header: str | None) -> str | None:
    """The JWT in `Authorization: Bearer <jwt>` or `Authorization: Token <jwt>`, else None."""
    if not header:
        return None
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() not in _SCHEMES or not credentials.strip():
        return None
    return credentials.strip()


class TokenVerifier:
    """Checks signature, expiry, issuer and revocation; fetches keys lazily, refreshes on an unknown `kid`."""

    def __init__(
        self,
        jwks_url: str,
        *,
        issuer: str,
        revocations: RevocationList | None = None,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.jwks_url = jwks_url
        self.issuer = issuer
        self.revocations = revocations or RevocationList()
        self._http = http or httpx.AsyncClient(timeout=5.0)
        self._keys: dict[str, Any] = {}
        self._keys_by_header: dict[str, Any] = {}
        self._verified: dict[str, Principal] = {}
        self._last_refresh = 0.0
        self._lock = asyncio.Lock()

    def install_keys(self, jwks: dict[str, Any]) -> None:
        """Replace the key set (also used by auth itself, which needs no HTTP round trip)."""
        keys = {}
        for entry in jwks.get("keys", []):
            try:
                keys[entry["kid"]] = jwt.PyJWK(entry).key
            except (KeyError, jwt.PyJWKError):
                logger.warning("ignoring unusable JWK", extra={"kid": entry.get("kid")})
        self._keys = keys
        self._keys_by_header = {}

    async def _refresh(self, kid: str) -> None:
        async with self._lock:
            if kid in self._keys:
                return  # fetched by the request that held the lock before us
            # At most one fetch per cooldown, so junk `kid`s cannot flood auth; a real new key
            # (just rotated) waits out the rest of the cooldown rather than failing.
            wait = self._last_refresh + _REFRESH_COOLDOWN_SECONDS - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self._last_refresh = time.monotonic()
            try:
                response = await self._http.get(self.jwks_url)
                response.raise_for_status()
                self.install_keys(response.json())
            except (httpx.HTTPError, ValueError) as exc:
                logger.warning("could not fetch JWKS", extra={"url": self.jwks_url, "error": str(exc)})

    async def _key_for(self, token: str) -> Any:
        # Every token signed by one key has the same header segment: parse it once.
        header = token.partition(".")[0]
        key = self._keys_by_header.get(header)
        if key is not None:
            return key
        key = await self._key_for_kid(token)
        if len(self._keys_by_header) < 64:
            self._keys_by_header[header] = key
        return key

    async def _key_for_kid(self, token: str) -> Any:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.InvalidTokenError as exc:
            raise NotAuthenticated("Token inválido.") from exc
        if not isinstance(kid, str):
            raise NotAuthenticated("Token inválido.")
        if kid not in self._keys:
            await self._refresh(kid)
        key = self._keys.get(kid)
        if key is None:
            raise NotAuthenticated("Token inválido.")
        return key

    async def verify(self, token: str) -> Principal:
        principal = self._verified.get(token)
        if principal is None:
            principal = await self._verify_signature(token)
            if len(self._verified) >= _CACHE_SIZE:
                self._verified.clear()
            self._verified[token] = principal
        if principal.expires_at <= time.time():
            del self._verified[token]
            raise NotAuthenticated("El token ha expirado.")
        if self.revocations.is_revoked(
            principal.token_id, tenant_id=principal.tenant_id, issued_at=principal.issued_at
        ):
            raise NotAuthenticated("El token ha sido revocado.")
        return principal

    async def _verify_signature(self, token: str) -> Principal:
        key = await self._key_for(token)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "sub", "jti", "tenant", "role"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise NotAuthenticated("El token ha expirado.") from exc
        except jwt.InvalidTokenError as exc:
            raise NotAuthenticated("Token inválido.") from exc
        tenant, subject = str(claims["tenant"]), str(claims["sub"])
        if not (tenant.isdigit() and subject.isdigit()):
            raise NotAuthenticated("Token inválido.")
        return Principal(
            user_id=int(subject),
            tenant_id=int(tenant),
            role=str(claims["role"]),
            token_id=str(claims["jti"]),
            expires_at=int(claims["exp"]),
            issued_at=int(claims["iat"]),
            permissions=frozenset(claims.get("perms", [])),
            platform_admin=claims.get("platform_admin") is True,
        )

    async def aclose(self) -> None:
        await self.revocations.aclose()
        await self._http.aclose()


async def start_token_verifier(js: JetStreamContext, settings: BaseServiceSettings) -> TokenVerifier:
    """The verifier every process uses: auth's JWKS, and revocations followed from JetStream."""
    revocations = RevocationList()
    await revocations.follow(js, window_seconds=settings.revocation_window_seconds)
    return TokenVerifier(settings.jwks_url, issuer=settings.jwt_issuer, revocations=revocations)
