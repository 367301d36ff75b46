"""What the guest widget needs from the API before it is shown (everything else the guest's
browser does itself with the public guest API, as the guest: start, profile, the chat socket),
and the widget page's own Content-Security-Policy."""

from dataclasses import dataclass

from console.gateway import Gateway

__all__ = ["RECAPTCHA_SCRIPT", "WidgetSettings", "content_security_policy", "widget_settings"]

RECAPTCHA_SCRIPT = "https://www.google.com/recaptcha/api.js?render=explicit"
_RECAPTCHA_SOURCES = "https://www.google.com/recaptcha/ https://www.gstatic.com/recaptcha/"


@dataclass(frozen=True)
class WidgetSettings:
    recaptcha_required: bool
    recaptcha_site_key: str | None


async def widget_settings(gw: Gateway) -> WidgetSettings:
    answer = await gw.get("/api/chat/widget_settings/")
    return WidgetSettings(bool(answer["recaptcha_required"]), answer.get("recaptcha_site_key"))


def content_security_policy(*, recaptcha: bool) -> str:
    """The console's policy, except that any website may frame the widget (it is made to be
    embedded) and, when the workspace asks for it, reCAPTCHA's script and frame may load."""
    policy = [
        "default-src 'self'",
        "base-uri 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "frame-ancestors *",
    ]
    if recaptcha:
        policy += [f"script-src 'self' {_RECAPTCHA_SOURCES}", f"frame-src {_RECAPTCHA_SOURCES}"]
    return "; ".join(policy)
