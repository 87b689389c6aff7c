"""Pieces the resource modules share: request-schema base and the hours field."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields

from ..domain.hours import InvalidHours, hours_as_number, parse_hours


def _flatten(messages, prefix: str = "") -> dict[str, list]:
    """{"records": {0: {"hours": [...]}}} → {"records.0.hours": [...]} (one key per field)."""
    if not isinstance(messages, dict):
        return {prefix or "_schema": messages if isinstance(messages, list) else [messages]}
    flat: dict[str, list] = {}
    for key, value in messages.items():
        flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return flat


class RequestSchema(Schema):
    """Request bodies and query strings: unknown fields ignored, errors named by dotted path."""

    class Meta:
        unknown = EXCLUDE

    def handle_error(self, error: ValidationError, data, *, many: bool, **kwargs):
        raise ValidationError(_flatten(error.normalized_messages())) from error


class HoursField(fields.Field):
    """Hours in the API: a JSON number or a decimal string with at most two places, kept as
    integer hundredths inside the service and answered as a JSON number."""

    def _deserialize(self, value, attr, data, **kwargs) -> int:
        try:
            return parse_hours(value)
        except InvalidHours as exc:
            raise ValidationError(str(exc)) from exc

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else hours_as_number(value)
