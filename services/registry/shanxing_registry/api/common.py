"""Pieces the resource modules share: the request-schema base and fields that apply domain rules."""
from __future__ import annotations

from typing import Callable

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from ..domain.identity import InvalidValue


def _flatten(messages, prefix: str = "") -> dict[str, list]:
    """{"skills": {0: [...]}} → {"skills.0": [...]}: one key per field, as clients expect."""
    if not isinstance(messages, dict):
        return {prefix or "_schema": messages if isinstance(messages, list) else [messages]}
    flat: dict[str, list] = {}
    for key, value in messages.items():
        flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return flat


class RequestSchema(Schema):
    """Request bodies: unknown fields ignored, errors named by (dotted) field."""

    class Meta:
        unknown = EXCLUDE

    def handle_error(self, error: ValidationError, data, *, many: bool, **kwargs):
        raise ValidationError(_flatten(error.normalized_messages())) from error


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


def tag_list(description: str) -> fields.List:
    """Skills or preferences: up to 20 short strings, duplicates dropped, order kept."""
    return fields.List(Trimmed(validate=validate.Length(1, 30)), load_default=list,
                       validate=validate.Length(max=20),
                       metadata={"description": description + " (at most 20, each 1..30 characters)"})


def unique_in_order(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))
