"""Settings every service shares; each service subclasses with its own env prefix.

`PLATFORM_ENV` says what kind of deployment this is, once for the whole deployment:
`development` (the default: `make run`, the tests, compose unless told) or `production`. In
production a service refuses to start on what only suits a laptop: a field marked `Secret`
that is unset, empty or still a development default (`*-dev-only`), or a value a field marks
`NotInProduction`. The refusal names the variables and never their values.
"""

from dataclasses import dataclass
from typing import Annotated, Literal, Self

from pydantic import AliasChoices, Field, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = [
    "DEV_DEFAULT_MARK",
    "INBOX_RETENTION_FLOOR_SECONDS",
    "BaseServiceSettings",
    "NotInProduction",
    "ProductionSettingsError",
    "Secret",
]

# The least inbox retention production accepts: JetStream's duplicate window (120 s,
# `shared.events.streams`) plus a consumer's redeliveries (5 deliveries, 30 s ack wait, up to
# 30 s back-off each), rounded up.
INBOX_RETENTION_FLOOR_SECONDS = 600.0

# Every development secret of compose and the dev overlay carries it (`auth-dev-only`).
DEV_DEFAULT_MARK = "dev-only"


@dataclass(frozen=True)
class Secret:
    """Marks a setting as a secret: `key: Annotated[str, Secret()] = ""`.

    In production it must be set, non-empty, and not a development default (`*-dev-only`,
    nor the field's own default, such as the database URL without a password).
    """


@dataclass(frozen=True)
class NotInProduction:
    """Marks values a setting may not have in production: `Annotated[str, NotInProduction("off")]`."""

    values: tuple[object, ...]
    why: str

    def __init__(self, *values: object, why: str) -> None:
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "why", why)


class ProductionSettingsError(RuntimeError):
    """Raised at start-up in production mode. A RuntimeError on purpose: pydantic would wrap a
    ValueError in a ValidationError that prints every input value, secrets included."""


class BaseServiceSettings(BaseSettings):
    """Read from `<PREFIX>_<FIELD>` environment variables (e.g. `AUTH_DATABASE_URL`).

    A subclass sets `model_config = SettingsConfigDict(env_prefix="AUTH_")`.
    """

    model_config = SettingsConfigDict(env_prefix="SERVICE_", extra="ignore")

    # One setting for the whole deployment, so it has no service prefix.
    platform_env: Literal["development", "production"] = Field(
        default="development", validation_alias=AliasChoices("PLATFORM_ENV")
    )
    service_name: str = "service"
    # postgresql+asyncpg://role:password@host:port/db ; the role reaches only its own schema.
    database_url: Annotated[str, Secret()] = "postgresql+asyncpg://postgres@127.0.0.1:5432/platform"
    database_pool_size: int = 10
    nats_url: str = "nats://127.0.0.1:4222"
    # Where auth publishes its public keys; every service verifies tokens itself.
    jwks_url: str = "http://127.0.0.1:8001/.well-known/jwks.json"
    jwt_issuer: str = "platform-auth"
    # Longest token lifetime: how far back revocations must be replayed at start-up.
    revocation_window_seconds: int = 7 * 24 * 3600
    log_level: str = "INFO"
    outbox_poll_seconds: float = Field(default=0.2, gt=0)
    # Replicas of every JetStream stream (`shared.events.streams`): one setting for the whole
    # deployment, so it has no service prefix. 3 on a production cluster.
    stream_replicas: int = Field(default=1, ge=1, le=5, validation_alias=AliasChoices("STREAM_REPLICAS"))
    # How long stream DEADLETTER keeps a dead letter (to list and replay it): deployment-wide too.
    dead_letter_retention_seconds: float = Field(
        default=14 * 24 * 3600.0, ge=3600, validation_alias=AliasChoices("DEAD_LETTER_RETENTION_SECONDS")
    )
    # Scheduled maintenance (`shared.maintenance`): on by default, one replica runs each job.
    maintenance_enabled: bool = True
    # How often the events' clean-up jobs run (a service's own jobs say their interval);
    # `maintenance_intervals` overrides any job's by name ({"events.inbox": 30}).
    maintenance_interval_seconds: float = Field(default=60.0, gt=0)
    maintenance_intervals: dict[str, Annotated[float, Field(gt=0)]] = Field(default_factory=dict)
    # Rows one clean-up statement deletes: small, so that no transaction is long.
    maintenance_batch_size: int = Field(default=1000, ge=1)
    # Published outbox rows are kept this long after publication (`shared.events.retention`).
    outbox_retention_seconds: float = Field(default=3600.0, ge=0)
    # Inbox rows are kept this long after processing: far beyond JetStream's duplicate window
    # and a consumer's redeliveries. Under `INBOX_RETENTION_FLOOR_SECONDS` only in development.
    inbox_retention_seconds: float = Field(default=24 * 3600.0, ge=0)
    # Non-public networks that calls to user-given URLs may reach anyway (`shared.outbound`),
    # e.g. ["10.1.0.0/16"]; empty, only public addresses are called.
    outbound_allowed_networks: list[str] = Field(default_factory=list)

    @property
    def production(self) -> bool:
        return self.platform_env == "production"

    @model_validator(mode="after")
    def _fit_for_production(self) -> Self:
        if not self.production:
            return self
        refusals = []
        for name, field in type(self).model_fields.items():
            value = getattr(self, name)
            for mark in field.metadata:
                if isinstance(mark, Secret) and _not_a_real_secret(value, field):
                    refusals.append(f"{self.variable(name)} is not set, or is a development default")
                elif isinstance(mark, NotInProduction) and value in mark.values:
                    refusals.append(f"{self.variable(name)}={value} is refused: {mark.why}")
        if self.inbox_retention_seconds < INBOX_RETENTION_FLOOR_SECONDS:
            refusals.append(
                f"{self.variable('inbox_retention_seconds')} under {INBOX_RETENTION_FLOOR_SECONDS:g} s is refused: "
                "a redelivered event could be applied twice"
            )
        if refusals:
            raise ProductionSettingsError("PLATFORM_ENV=production refuses: " + "; ".join(refusals))
        return self

    @classmethod
    def variable(cls, field_name: str) -> str:
        """The environment variable a field is read from (`AUTH_KEY_ENCRYPTION_SECRET`)."""
        alias = cls.model_fields[field_name].validation_alias
        if isinstance(alias, str):
            return alias
        if isinstance(alias, AliasChoices) and isinstance(alias.choices[0], str):
            return alias.choices[0]
        return f"{cls.model_config.get('env_prefix', '')}{field_name}".upper()


def _not_a_real_secret(value: object, field: FieldInfo) -> bool:
    if hasattr(value, "get_secret_value"):  # pydantic's SecretStr
        value = value.get_secret_value()
    if value is None or value == field.default:
        return True
    text = str(value).strip()
    return not text or DEV_DEFAULT_MARK in text
