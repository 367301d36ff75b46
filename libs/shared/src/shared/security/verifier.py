"""Verifying credentials: auth's RS256-signed JWTs with the public keys it publishes, and API keys.

An API key (`Authorization: Bearer ak_...`) is a credential of its own: it is resolved by auth
(`POST /internal/api-keys/verify`, never routed by the gateway) on first use, remembered for a
short while, and refused at once when `auth.apikey.revoked` arrives.
"""

import asyncio
import logging
import re
import time
from typing import Any
from urllib.parse import urljoin

import httpx
import jwt
from nats.js import JetStreamContext

from shared.config import BaseServiceSettings
from shared.errors import NotAuthenticated, ServiceUnavailable
from shared.security.claims import unpack_permissions
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
# Every API key starts so: a verifier tells keys from JWTs without parsing, and a key pasted by
# mistake somewhere public is recognisable.
API_KEY_PREFIX = "ak_"
# A resolved key is trusted this long before auth is asked again (its `last_used_at` is as
# fresh as that); revocations still apply at once through the revocation list.
_API_KEY_TTL_SECONDS = 30.0
_API_KEY_UNKNOWN_TTL_SECONDS = 5.0
# What could be a key at all (auth makes `ak_` + 43 URL-safe characters; some slack for change):
# anything else is refused without asking auth.
_API_KEY_SHAPE = re.compile(r"ak_[A-Za-z0-9_-]{20,100}")
# Lookups of keys not yet known, per process and second: a flood of made-up keys (each new, so
# the negative cache cannot help) costs auth at most this, and answers 503 beyond it.
_API_KEY_LOOKUPS_PER_SECOND = 20.0


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
        # key -> (principal or None for an unknown key, monotonic time to ask again)
        self._api_keys: dict[str, tuple[Principal | None, float]] = {}
        self.api_key_url = urljoin(jwks_url, "/internal/api-keys/verify")
        self._lookup_allowance = _API_KEY_LOOKUPS_PER_SECOND
        self._lookup_checked = time.monotonic()

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
            # At most one fetch per cooldown, so junk `kid`s cannot flood auth; while it cools
            # down an unknown `kid` is refused at once rather than queued (a flood of them would
            # otherwise delay every request behind it by a second each).
            if time.monotonic() - self._last_refresh < _REFRESH_COOLDOWN_SECONDS:
                return
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
        if token.startswith(API_KEY_PREFIX):
            key_principal = await self._api_key(token)
            if self.revocations.revokes(key_principal):
                raise NotAuthenticated("La clave de API ha sido revocada.")
            return key_principal
        cached = self._verified.get(token)
        if cached is not None:
            principal = cached
        else:
            principal = await self._verify_signature(token)
            if len(self._verified) >= _CACHE_SIZE:
                self._verified.clear()
            self._verified[token] = principal
        if principal.expires_at <= time.time():
            del self._verified[token]
            raise NotAuthenticated("El token ha expirado.")
        if self.revocations.revokes(principal):
            raise NotAuthenticated("El token ha sido revocado.")
        return principal

    def revoke_now(self, principal: Principal) -> None:
        """Refuse `principal`'s token in this process at once (a logout this process relayed)."""
        self.revocations.add(principal.token_id, principal.expires_at, session_id=principal.session_id)

    async def _api_key(self, key: str) -> Principal:
        known = self._api_keys.get(key)
        if known is None or known[1] <= time.monotonic():
            if _API_KEY_SHAPE.fullmatch(key) is None:
                raise NotAuthenticated("Clave de API inválida.")
            if known is None and not self._may_look_up():
                raise ServiceUnavailable("Demasiadas claves de API desconocidas; inténtalo de nuevo.", retry_after=1)
            known = await self._resolve_api_key(key)
            if len(self._api_keys) >= _CACHE_SIZE:
                self._api_keys.clear()
            self._api_keys[key] = known
        principal = known[0]
        if principal is None:
            raise NotAuthenticated("Clave de API inválida.")
        if principal.expires_at <= time.time():
            raise NotAuthenticated("La clave de API ha expirado.")
        return principal

    def _may_look_up(self) -> bool:
        """A token bucket for lookups of keys this process has not seen (renewals are not counted)."""
        now, rate = time.monotonic(), _API_KEY_LOOKUPS_PER_SECOND
        self._lookup_allowance = min(rate, self._lookup_allowance + (now - self._lookup_checked) * rate)
        self._lookup_checked = now
        if self._lookup_allowance < 1:
            return False
        self._lookup_allowance -= 1
        return True

    async def _resolve_api_key(self, key: str) -> tuple[Principal | None, float]:
        """Ask auth who `key` is; an unknown key is remembered briefly, so a flood of them costs little."""
        try:
            response = await self._http.post(self.api_key_url, json={"key": key})
        except httpx.HTTPError as exc:
            logger.warning("could not verify an API key", extra={"url": self.api_key_url, "error": repr(exc)})
            raise ServiceUnavailable() from exc
        now = time.monotonic()
        if response.status_code in (401, 403, 404):
            return None, now + _API_KEY_UNKNOWN_TTL_SECONDS
        if response.status_code != 200:
            logger.warning("auth answered %s verifying an API key", response.status_code)
            raise ServiceUnavailable()
        body = response.json()
        expires_at = body.get("expires_at")
        principal = Principal(
            user_id=int(body["user_id"]),
            tenant_id=int(body["tenant_id"]),
            role=str(body["role"]),
            token_id=f"key:{body['key_id']}",
            expires_at=int(expires_at) if expires_at is not None else 2**62,
            issued_at=time.time(),
            permissions=frozenset(str(p) for p in body.get("permissions", [])),
            platform_admin=body.get("platform_admin") is True,
            api_key_id=str(body["key_id"]),
        )
        return principal, now + _API_KEY_TTL_SECONDS

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
            issued_at=float(claims["iat"]),
            permissions=unpack_permissions(claims.get("perms")),
            platform_admin=claims.get("platform_admin") is True,
            session_id=str(claims["sid"]) if claims.get("sid") else None,
        )

    async def aclose(self) -> None:
        await self.revocations.aclose()
        await self._http.aclose()


async def start_token_verifier(js: JetStreamContext, settings: BaseServiceSettings) -> TokenVerifier:
    """The verifier every process uses: auth's JWKS, and revocations followed from JetStream."""
    revocations = RevocationList()
    await revocations.follow(js, window_seconds=settings.revocation_window_seconds)
    return TokenVerifier(settings.jwks_url, issuer=settings.jwt_issuer, revocations=revocations)
