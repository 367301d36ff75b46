"""Provider kinds, and model ids as clients write them ("gpt-4o", "claude-3.5",
"ollama:llama3", "local") resolved to a provider and the model id it knows."""

from dataclasses import dataclass

from bots.errors import UnknownModel

# OpenAI-compatible servers by kind, with the base URL they listen on by default.
OPENAI_COMPATIBLE: dict[str, str | None] = {
    "openai": None,  # the SDK's own
    "ollama": "http://localhost:11434/v1",
    "vllm": "http://localhost:8000/v1",
    "llamacpp": "http://localhost:8080/v1",
    "lmstudio": "http://localhost:1234/v1",
    "openai_compatible": None,  # any other: its base URL is required
}
KINDS = frozenset({*OPENAI_COMPATIBLE, "anthropic", "local"})

# Short names clients use (004 writes "claude-3.5") for the provider's own ids.
ALIASES = {
    "claude-3.5": "claude-3-5-sonnet-latest",
    "claude-3-5-sonnet": "claude-3-5-sonnet-latest",
    "claude-3.7": "claude-3-7-sonnet-latest",
    "claude-3-5-haiku": "claude-3-5-haiku-latest",
}


@dataclass(frozen=True)
class ModelRef:
    provider: str
    model: str  # as the provider knows it
    label: str  # as the client wrote it, echoed in answers

    def __str__(self) -> str:
        return f"{self.provider}:{self.label}"


def resolve(model_id: str, provider: str | None = None) -> ModelRef:
    """`provider` given (a bot's toolbox entry) or read from the id itself."""
    model_id = model_id.strip()
    if not model_id:
        raise UnknownModel("El modelo no puede estar vacío.", fields={"model": ["Requerido."]})
    if provider is None:
        prefix, sep, rest = model_id.partition(":")
        if sep and prefix in KINDS and rest:
            provider, model_id = prefix, rest
        elif model_id == "local":
            provider = "local"
        elif model_id.startswith("claude"):
            provider = "anthropic"
        elif model_id.startswith(("gpt-", "o1", "o3", "o4", "chatgpt")):
            provider = "openai"
        else:
            raise UnknownModel(
                f"No sé qué proveedor sirve '{model_id}': escribe 'proveedor:modelo', p. ej. 'ollama:{model_id}'.",
                fields={"model": ["Proveedor desconocido."]},
            )
    if provider not in KINDS:
        raise UnknownModel(f"Proveedor desconocido: '{provider}'.", fields={"provider": [f"Uno de: {sorted(KINDS)}."]})
    return ModelRef(provider, ALIASES.get(model_id, model_id), model_id)
