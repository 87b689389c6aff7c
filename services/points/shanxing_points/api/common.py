"""Pieces every points API module uses."""
from __future__ import annotations

from marshmallow import fields, validate

from shanxing_common.schemas import RequestSchema
from shanxing_common.problems import Problem, field_error
from shanxing_common.web import context

from ..adapters.secret_box import SecretBox
from ..config import PointsConfig
from ..domain.errors import PointsError


class ListQueryArgsSchema(RequestSchema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))


def require_a_change(body: dict, schema: type) -> None:
    """A PATCH body must name at least one of the schema's fields (400 naming the body)."""
    if not body:
        raise field_error("body", "name at least one of " + ", ".join(sorted(schema().fields)))


def points_config() -> PointsConfig:
    return context().extra["points_config"]


def secret_box() -> SecretBox:
    return context().extra["secret_box"]


def problem_from(error: PointsError) -> Problem:
    """A domain error as problem+json, naming the field at fault when there is one."""
    errors = {error.field: [error.detail]} if error.field else None
    return Problem(error.status, error.detail, errors=errors)
