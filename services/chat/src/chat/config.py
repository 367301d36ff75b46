from typing import Annotated

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.config import BaseServiceSettings, NotInProduction, Secret


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CHAT_", extra="ignore")

    service_name: str = "chat"
    # A guest's session between start_chat and complete_chat (003 answers `expires_in` 1800).
    session_seconds: int = Field(default=1800, ge=60)
    # How long the guest token complete_chat returns works; afterwards the room answers its guest
    # 404 (the guest starts a new chat) and the retention job drops the token's hash.
    guest_token_seconds: int = Field(default=7 * 24 * 3600, ge=60)
    # How often the retention jobs run (expired guest sessions and tokens, notifications and
    # transcripts past their workspace's settings); each deletes `maintenance_batch_size` rows a
    # transaction.
    retention_interval_seconds: float = Field(default=600.0, gt=0)
    # The workspace a guest's chat goes to when start_chat names none (a single-desk install).
    default_tenant: int = Field(default=1, ge=1)
    # Chats one address or one email may open per hour before complete_chat answers 429.
    chats_per_hour: int = Field(default=5, ge=1)
    # reCAPTCHA: "off" (development) or "verify" (the provider's siteverify API). Production
    # refuses "off" rather than forcing "verify": verifying without the operator's secret would
    # refuse every guest, and a setting silently overridden misleads whoever reads it.
    recaptcha_mode: Annotated[str, NotInProduction("off", why="set verify, with CHAT_RECAPTCHA_SECRET")] = Field(
        default="off", pattern="^(off|verify)$"
    )
    recaptcha_secret: Annotated[str, Secret()] = ""
    recaptcha_verify_url: str = "https://www.google.com/recaptcha/api/siteverify"
    # The public site key a guest's widget renders reCAPTCHA with (GET /api/chat/widget_settings/).
    recaptcha_site_key: str = ""
    recaptcha_min_score: float = Field(default=0.5, ge=0, le=1)
    # A new agent's capacity.
    default_max_chats: int = Field(default=5, ge=1, le=100)
    # Events kept for a WebSocket client that reconnects with the last id it saw.
    replay_seconds: float = Field(default=3600.0, ge=10)
    # Events queued for one WebSocket client before it is dropped (it reconnects and resumes).
    client_queue: int = Field(default=256, ge=8)


settings = Settings()
