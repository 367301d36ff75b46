"""OpenAI and every server that speaks its chat-completions protocol (Ollama, vLLM,
llama.cpp, LM Studio), through the official `openai` package, chosen by base URL."""

from collections.abc import AsyncIterator
from typing import Any

import openai

from bots.providers.base import Prompt, ProviderFailed, Usage, retryable_status
from shared.outbound import UnsafeURL


class OpenAICompatible:
    def __init__(self, kind: str, client: openai.AsyncOpenAI) -> None:
        self.kind = kind
        self.client = client

    async def stream(self, model: str, prompt: Prompt) -> AsyncIterator[str | Usage]:
        messages: list[Any] = [{"role": "system", "content": prompt.system}] if prompt.system else []
        messages += [{"role": t.role, "content": t.content} for t in prompt.turns]
        options: dict[str, Any] = {"max_tokens": prompt.max_tokens}
        if prompt.temperature is not None:
            options["temperature"] = prompt.temperature
        try:
            stream = await self.client.chat.completions.create(
                model=model, messages=messages, stream=True, stream_options={"include_usage": True}, **options
            )
            usage = Usage(0, 0)
            async for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
                if chunk.usage is not None:
                    usage = Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
            yield usage
        except openai.APIStatusError as exc:
            raise ProviderFailed(
                f"HTTP {exc.status_code}", retryable=retryable_status(exc.status_code), status=exc.status_code
            ) from exc
        except openai.APITimeoutError as exc:
            raise ProviderFailed("tiempo de espera agotado", retryable=True) from exc
        except openai.APIConnectionError as exc:
            raise ProviderFailed("sin conexión con el proveedor", retryable=True) from exc
        except UnsafeURL as exc:  # the SSRF guard refused the provider's address
            raise ProviderFailed(exc.message, retryable=True) from exc
