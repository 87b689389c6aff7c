"""Pieces the resource modules share: the request-schema base and fields that apply domain rules."""
from __future__ import annotations

from typing import Callable

from marshmallow import ValidationError, fields, validate

from shanxing_common.schemas import RequestSchema  # noqa: F401 - the base every API module uses

from ..domain.identity import InvalidValue


class Normalised(fields.String):
    """A string put through a domain normaliser (which raises InvalidValue on a broken rule)."""

    def __init__(self, normaliser: Callable[[str], str], **kwargs):
        super().__init__(**kwargs)
        self.normaliser = normaliser

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return self.normaliser(text)
        except InvalidValue as exc:
            raise ValidationError(str(exc)) from exc


class Trimmed(fields.String):
    def _deserialize(self, value, attr, data, **kwargs) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip()


def tag_list(description: str, *, optional: bool = False) -> fields.List:
    """Skills or preferences: up to 20 short strings, duplicates dropped, order kept. ``optional``:
    absent means "unchanged" (a PATCH) rather than empty."""
    extra = {} if optional else {"load_default": list}
    return fields.List(Trimmed(validate=validate.Length(1, 30)), validate=validate.Length(max=20),
                       metadata={"description": description + " (at most 20, each 1..30 characters)"},
                       **extra)


class PageArgsSchema(RequestSchema):
    cursor = fields.String(metadata={"description": "the `next` of the previous page"})
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


def unique_in_order(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))
