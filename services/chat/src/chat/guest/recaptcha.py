"""reCAPTCHA for complete_chat: off for development (CHAT_RECAPTCHA_MODE=off), or a call to the
provider's siteverify API (`secret`, `response`, `remoteip` -> `{"success", "score"}`)."""

import httpx

from chat.errors import RecaptchaFailed, RecaptchaUnavailable


class Recaptcha:
    def __init__(self, mode: str, secret: str, verify_url: str, min_score: float) -> None:
        self.mode = mode
        self.secret = secret
        self.verify_url = verify_url
        self.min_score = min_score
        self.client = httpx.AsyncClient(timeout=10)

    async def check(self, token: str, address: str) -> None:
        if self.mode == "off":
            return
        if not token:
            raise RecaptchaFailed(fields={"recaptcha_token": ["Este campo es requerido."]})
        form = {"secret": self.secret, "response": token, "remoteip": address}
        try:
            answer = await self.client.post(self.verify_url, data=form)
            verdict = answer.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise RecaptchaUnavailable() from exc
        score = verdict.get("score")
        if not verdict.get("success") or (isinstance(score, int | float) and score < self.min_score):
            raise RecaptchaFailed(fields={"recaptcha_token": ["Verificación reCAPTCHA fallida."]})

    async def aclose(self) -> None:
        await self.client.aclose()
