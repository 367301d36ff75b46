"""Which models answer a question, in which order.

A question is *complex* when it is long (more than 40 words), asks several things (two or
more question marks), or asks for analysis, comparison, planning, code or steps (words such as
"analiza", "compara", "por qué", "plan", "código", "paso a paso"); otherwise it is *simple*.
A bot's models of that task type come first, in the order they were added, then its other
models as fallbacks. A bot with no models, or no bot, uses the workspace's configured model.
"""

import re

from bots.models import Bot, WorkspaceConfig
from bots.provider.catalog import ModelRef, resolve
from bots.provider.local import keywords

COMPLEX_WORDS = frozenset({
    "analiza", "analizar", "analisis", "compara", "comparar", "comparacion", "explica", "explicar",
    "porque", "plan", "planifica", "planificar", "estrategia", "codigo", "script", "programa",
    "paso", "pasos", "detalla", "detallado", "evalua", "evaluar", "diseña", "disena", "optimiza",
    "analyze", "analyse", "compare", "explain", "why", "code", "steps", "design", "optimize",
})  # fmt: skip
LONG_QUESTION_WORDS = 40


def classify(question: str) -> str:
    words = re.findall(r"\w+", question)
    if len(words) > LONG_QUESTION_WORDS or question.count("?") >= 2:
        return "complex"
    found = keywords(question) | {w for w in re.findall(r"\w+", question.casefold()) if len(w) >= 3}
    if "por qué" in question.casefold() or found & COMPLEX_WORDS:
        return "complex"
    return "simple"


def chain(bot: Bot | None, config: WorkspaceConfig, task_type: str, requested: str | None = None) -> list[ModelRef]:
    if requested:
        return [resolve(requested)]
    if bot is not None and bot.models:
        first = [m for m in bot.models if m.task_type == task_type]
        rest = [m for m in bot.models if m.task_type != task_type]
        return [resolve(m.model_id, m.provider) for m in first + rest]
    return [resolve(config.llm_model, config.llm_provider)]
