"""One operation of the gateway as `_operations.py` (generated) describes it: its description and
the models its keyword arguments are validated against before any request, and its answer
parsed into."""

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from agent_client.models._base import Model


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str
    summary: str
    description: str
    body_kind: str | None  # "json", "form" or "multipart"; None: no body
    many: bool  # the answer is a list of `answer`
    text: bool  # the answer is plain text
    stream: bool  # the operation may answer Server-Sent Events
    query: type[Model] | None = None
    body: type[Model] | None = None
    answer: type[Model] | None = None
    items: type[Model] | None = None  # what `.iterate()` yields: a page's items, or the list's

    @property
    def doc(self) -> str:
        """The method's docstring: the operation's summary and description."""
        parts = [self.summary.strip(), self.description.strip(), f"`{self.method} {self.path}`"]
        return "\n\n".join(part for part in parts if part)

    def split(
        self, caller: str, kwargs: dict[str, Any], *, query_too: tuple[str, ...] = (), body: bool = True
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """(query, body) of the keyword arguments, each validated by its model and as JSON under
        the document's names. A TypeError names an argument the operation does not take, or one
        its model refuses, before any request."""
        query_names = _names(self.query)
        with_body = body and self.body_kind is not None
        body_names = _names(self.body) if with_body else set()
        unknown = sorted(set(kwargs) - query_names - body_names)
        if unknown:
            takes = sorted(query_names | body_names)
            raise TypeError(
                f"{caller}() got unknown keyword argument(s) {', '.join(map(repr, unknown))}; "
                f"{self.method} {self.path} takes: {', '.join(takes) or 'none'} "
                "(json=, params= and headers= pass anything as is)"
            )
        in_body = {k: v for k, v in kwargs.items() if k in body_names and not (k in query_names and k in query_too)}
        in_query = {k: v for k, v in kwargs.items() if k not in in_body}
        query = _validated(caller, self.query, in_query) if in_query else {}
        validated = _validated(caller, self.body, in_body) if with_body and self.body is not None else None
        return {k: v for k, v in query.items() if v is not None}, validated

    def parse(self, body: Any) -> Any:
        """The answer as its model (a list of them), plain text or JSON as it came (no model documented)."""
        if self.answer is None or body is None or isinstance(body, str):
            return body
        if self.many:
            return [self.answer.model_validate(item) for item in body]
        return self.answer.model_validate(body)

    def item(self, value: Any) -> Any:
        return value if self.items is None else self.items.model_validate(value)


def _names(model: type[BaseModel] | None) -> set[str]:
    if model is None:
        return set()
    return {name for field, info in model.model_fields.items() for name in (field, info.alias) if name}


def _validated(caller: str, model: type[BaseModel] | None, values: dict[str, Any]) -> dict[str, Any]:
    if model is None:
        return values
    try:
        data: dict[str, Any] = model.model_validate(values).model_dump(mode="json", by_alias=True, exclude_unset=True)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, error['loc'])) or 'arguments'}: {error['msg']}"
            + ("" if error["type"] == "missing" else f" (got {error.get('input')!r})")
            for error in exc.errors()
        )
        raise TypeError(f"{caller}(): {problems}") from None
    return data
