"""Request and answer pieces of the volunteer profile (availability, home location, tags)."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, post_load, validate, validates_schema

from ..domain.identity import InvalidValue
from ..domain.profile import MAX_WINDOWS, TAGS, Window, normalise_availability, parse_time, window_problem
from .common import RequestSchema


class TimeOfDay(fields.String):
    def _deserialize(self, value, attr, data, **kwargs) -> str:
        try:
            return parse_time(super()._deserialize(value, attr, data, **kwargs))
        except InvalidValue as exc:
            raise ValidationError(str(exc)) from exc


class WindowSchema(RequestSchema):
    weekday = fields.Integer(required=True, strict=True, validate=validate.Range(1, 7),
                             metadata={"description": "1 = Monday .. 7 = Sunday"})
    start = TimeOfDay(required=True, metadata={"example": "09:00"})
    end = TimeOfDay(required=True, metadata={"example": "11:30"})

    @validates_schema
    def _ordered(self, data, **kwargs):
        if {"weekday", "start", "end"} <= set(data):
            problem = window_problem(data["weekday"], data["start"], data["end"])
            if problem:
                raise ValidationError({"end": [problem]})

    @post_load
    def _window(self, data, **kwargs) -> Window:
        return Window(data["weekday"], data["start"], data["end"])


class LocationSchema(RequestSchema):
    latitude = fields.Float(required=True, allow_nan=False, validate=validate.Range(-90, 90))
    longitude = fields.Float(required=True, allow_nan=False, validate=validate.Range(-180, 180))

    @post_load
    def _rounded(self, data, **kwargs):
        # about 10 cm: more would only pretend precision
        return {"latitude": round(data["latitude"], 6), "longitude": round(data["longitude"], 6)}


def availability_field() -> fields.List:
    return fields.List(fields.Nested(WindowSchema), validate=validate.Length(max=MAX_WINDOWS),
                       metadata={"description": f"weekly windows (at most {MAX_WINDOWS}); start before end"})


def normalised_availability(windows: list[Window]) -> list[dict]:
    return [window.as_dict() for window in normalise_availability(windows)]


def tags_field() -> fields.List:
    return fields.List(fields.String(validate=validate.OneOf(TAGS)), validate=validate.Length(max=len(TAGS)),
                       metadata={"description": "from the fixed set: " + ", ".join(TAGS)})


class WindowOutSchema(Schema):
    weekday = fields.Integer()
    start = fields.String()
    end = fields.String()


class LocationOutSchema(Schema):
    latitude = fields.Float()
    longitude = fields.Float()
