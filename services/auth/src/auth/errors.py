from collections.abc import Mapping
from typing import ClassVar

from shared.errors import ErrorStyle, InvalidRequest, NotAuthenticated, PermissionDenied


class InvalidCredentials(NotAuthenticated):
    code = "INVALID_CREDENTIALS"
    message = "Usuario o contraseña incorrectos."
    # 003 and 004 answer a failed login with 400; 001 and 002 with 401.
    status_by_style: ClassVar[Mapping[ErrorStyle, int]] = {ErrorStyle.DESK: 400, ErrorStyle.AGRO: 400}


class AccountExists(InvalidRequest):
    code = "ACCOUNT_EXISTS"
    message = "Ya existe un usuario con ese email o nombre de usuario."


class InvalidRefreshToken(NotAuthenticated):
    code = "INVALID_REFRESH_TOKEN"
    message = "El token de refresco no es válido o ha expirado."


class RefreshTokenReused(InvalidRefreshToken):
    """An already-used refresh token came back: its whole session has just been revoked."""

    def __init__(self, *, session_id: str, tokens_expire_by: int) -> None:
        super().__init__()
        self.session_id = session_id
        self.tokens_expire_by = tokens_expire_by


class NotWithApiKey(PermissionDenied):
    code = "API_KEY_NOT_ALLOWED"
    message = "Una clave de API no puede usarse aquí: inicie sesión como persona."
