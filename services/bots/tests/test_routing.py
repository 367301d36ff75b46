"""turn.routing, pure: how a question is classified and which models answer it, in which order."""

import pytest

from bots.errors import UnknownModel
from bots.models import Bot, BotModel, WorkspaceConfig
from bots.provider.catalog import ModelRef
from bots.turn.routing import LONG_QUESTION_WORDS, chain, classify

CONFIG = WorkspaceConfig(llm_provider="openai", llm_model="gpt-4o-mini")


def _bot(*models: tuple[str, str, str]) -> Bot:
    return Bot(models=[BotModel(provider=p, model_id=m, task_type=t) for p, m, t in models])


def _labels(models: list[ModelRef]) -> list[tuple[str, str]]:
    return [(ref.provider, ref.model) for ref in models]


def test_a_short_plain_question_is_simple() -> None:
    assert classify("¿Qué hora es?") == "simple"


@pytest.mark.parametrize(
    "question",
    [
        "Analiza el riego de la parcela norte",
        "¿Por qué se secan las hojas?",
        "Compara el maíz con el trigo",
        "Explain the yield drop",
        "Dame los pasos para podar",
    ],
)
def test_a_question_asking_for_analysis_is_complex(question: str) -> None:
    assert classify(question) == "complex"


def test_a_question_asking_several_things_is_complex() -> None:
    assert classify("¿Llueve? ¿Riego?") == "complex"


def test_a_long_question_is_complex() -> None:
    assert classify(" ".join(["riego"] * (LONG_QUESTION_WORDS + 1))) == "complex"
    assert classify(" ".join(["riego"] * LONG_QUESTION_WORDS)) == "simple"


def test_a_requested_model_is_the_only_one() -> None:
    bot = _bot(("anthropic", "claude-3.5", "simple"))
    assert _labels(chain(bot, CONFIG, "simple", requested="ollama:llama3")) == [("ollama", "llama3")]


def test_the_bots_models_of_the_task_type_come_first_then_the_others_in_order() -> None:
    bot = _bot(
        ("openai", "gpt-4o-mini", "simple"),
        ("anthropic", "claude-3.5", "complex"),
        ("ollama", "llama3", "simple"),
        ("openai", "gpt-4o", "complex"),
    )
    assert _labels(chain(bot, CONFIG, "complex")) == [
        ("anthropic", "claude-3-5-sonnet-latest"),
        ("openai", "gpt-4o"),
        ("openai", "gpt-4o-mini"),
        ("ollama", "llama3"),
    ]


def test_without_a_bot_or_its_models_the_workspace_model_answers() -> None:
    assert _labels(chain(None, CONFIG, "simple")) == [("openai", "gpt-4o-mini")]
    assert _labels(chain(_bot(), CONFIG, "complex")) == [("openai", "gpt-4o-mini")]


def test_an_unknown_requested_model_is_refused() -> None:
    with pytest.raises(UnknownModel):
        chain(None, CONFIG, "simple", requested="nadie:sabe")
