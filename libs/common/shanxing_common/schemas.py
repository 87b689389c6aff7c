"""Request-schema base: unknown fields ignored, errors named by dotted field path (problem+json)."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError


def flatten_messages(messages, prefix: str = "") -> dict[str, list]:
    """{"records": {0: {"hours": [...]}}} → {"records.0.hours": [...]}: one key per field."""
    if not isinstance(messages, dict):
        return {prefix or "_schema": messages if isinstance(messages, list) else [messages]}
    flat: dict[str, list] = {}
    for key, value in messages.items():
        flat.update(flatten_messages(value, f"{prefix}.{key}" if prefix else str(key)))
    return flat


class RequestSchema(Schema):
    """Base of request bodies and query strings (a client may send fields added later)."""

    class Meta:
        unknown = EXCLUDE

    def handle_error(self, error: ValidationError, data, *, many: bool, **kwargs):
        raise ValidationError(flatten_messages(error.normalized_messages())) from error
