"""Pieces every points API module uses."""
from __future__ import annotations

from marshmallow import fields, validate

from shanxing_common.schemas import RequestSchema
from shanxing_common.problems import Problem
from shanxing_common.web import context

from ..adapters.secret_box import SecretBox
from ..config import PointsConfig
from ..domain.errors import PointsError


class ListQueryArgsSchema(RequestSchema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))


def points_config() -> PointsConfig:
    return context().extra["points_config"]


def secret_box() -> SecretBox:
    return context().extra["secret_box"]


def problem_from(error: PointsError) -> Problem:
    """A domain error as problem+json, naming the field at fault when there is one."""
    errors = {error.field: [error.detail]} if error.field else None
    return Problem(error.status, error.detail, errors=errors)
