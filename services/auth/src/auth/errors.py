"""auth's refusals: each a ServiceError with its status, rendered in the seed's shape by the shared handler."""

from collections.abc import Mapping
from typing import ClassVar

from shared.errors import ErrorStyle, InvalidRequest, NotAuthenticated, PermissionDenied, RateLimited


class InvalidCredentials(NotAuthenticated):
    code = "INVALID_CREDENTIALS"
    message = "Usuario o contraseña incorrectos."
    # 003 and 004 answer a failed login with 400; 001 and 002 with 401.
    status_by_style: ClassVar[Mapping[ErrorStyle, int]] = {ErrorStyle.DESK: 400, ErrorStyle.AGRO: 400}


class TooManyAttempts(RateLimited):
    code = "TOO_MANY_LOGIN_ATTEMPTS"
    message = "Demasiados intentos fallidos. Intente más tarde."


class AccountExists(InvalidRequest):
    code = "ACCOUNT_EXISTS"
    message = "Ya existe un usuario con ese email o nombre de usuario."


class UsernameTaken(InvalidRequest):
    code = "USERNAME_TAKEN"
    message = "Username ya existe"
    # 004 documents this one refusal as {"error": ...}, unlike the rest of its errors.
    style = ErrorStyle.DESK


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


class RoleNotHeld(PermissionDenied):
    code = "ROLE_NOT_HELD"
    message = "No puede otorgar un rol con permisos que usted no tiene."


class PermissionsNotHeld(PermissionDenied):
    code = "PERMISSIONS_NOT_HELD"
    message = "No puede otorgar permisos que usted no tiene."


class NotOnYourself(InvalidRequest):
    code = "NOT_ON_YOURSELF"
    message = "No puede cambiar su propio rol ni quitarse a sí mismo del espacio de trabajo."


class EmailInOtherWorkspace(InvalidRequest):
    code = "EMAIL_IN_OTHER_WORKSPACE"
    message = "Ese email ya tiene una cuenta en otro espacio de trabajo; una persona pertenece a uno solo."


class AlreadyMember(InvalidRequest):
    code = "ALREADY_MEMBER"
    message = "Ese email ya es de un miembro de este espacio de trabajo."


class InvitationUnusable(InvalidRequest):
    code = "INVITATION_INVALID"
    message = "La invitación no es válida."
