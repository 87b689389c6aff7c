"""Pieces the resource modules share: request-schema base and the hours field."""
from __future__ import annotations

from marshmallow import ValidationError, fields

from shanxing_common.schemas import RequestSchema  # noqa: F401 - the base every API module uses

from ..domain.hours import InvalidHours, hours_as_number, parse_hours


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
