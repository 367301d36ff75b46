"""The base of every model the SDK answers (generated ones included): unknown fields are kept
(the platform may add some), and a field reads as an attribute or, as the JSON it came from,
by its name in the document: `field.nombre == field["nombre"]`."""

from typing import Any

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def __getitem__(self, key: str) -> Any:
        for name, info in type(self).model_fields.items():
            if key in (name, info.alias):
                return getattr(self, name)
        extra = self.__pydantic_extra__ or {}
        if key in extra:
            return extra[key]
        raise KeyError(key)

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self[key]
        except KeyError:
            return default

    def to_json(self) -> dict[str, Any]:
        """The fields the platform sent (and any set since), as JSON values under their document names."""
        data: dict[str, Any] = self.model_dump(mode="json", by_alias=True, exclude_unset=True)
        return data
