"""Earning rules: the version in force (anyone signed in) and publishing a new one (ops)."""
from __future__ import annotations

from functools import wraps

from marshmallow import Schema, fields

from shanxing_common.internal_auth import caller, require_ops
from shanxing_common.problems import Problem
from shanxing_common.schemas import RequestSchema
from shanxing_common.web import Blueprint, context

from ..config import points_per_hour, verified_hours_only
from ..service import earning_rules

blp = Blueprint("rules", __name__, description="Earning rules, versioned")

POINTS_MAP = {"keys": fields.String(), "values": fields.Integer(strict=True)}


def require_signed_in(fn):
    @wraps(fn)
    def wrapper(*args, **kwargs):
        if caller().kind == "anonymous":
            raise Problem(401, "authentication required")
        return fn(*args, **kwargs)

    return wrapper


class RulesPublishSchema(RequestSchema):
    """Fields left out carry over from the latest version."""
    points_per_hour = fields.Integer(strict=True, metadata={"description": "0–100000"})
    category_rates = fields.Dict(**POINTS_MAP, metadata={"description": "{category: points per hour}"})
    daily_cap_per_volunteer = fields.Integer(strict=True, allow_none=True, metadata={
        "description": "points a volunteer may earn from the records of one served_on date; null = no cap"})
    star_upgrade_bonus = fields.Dict(**POINTS_MAP, metadata={"description": "{star level: points}"})
    commendation_bonus = fields.Dict(**POINTS_MAP, metadata={"description": "{commendation level: points}"})
    effective_from = fields.AwareDateTime(metadata={"description": "default now; not in the past"})
    organization_factors = fields.Dict(keys=fields.String(), values=fields.Raw(), metadata={
        "description": "{organization_id: factor 0.5–3.0, two places}; replaces the whole map; "
                       "organizations not named earn × 1.00"})


class RulesSchema(Schema):
    version = fields.Integer(metadata={"description": "0 = the deployment default before any publication"})
    points_per_hour = fields.Integer()
    category_rates = fields.Dict(**POINTS_MAP)
    daily_cap_per_volunteer = fields.Integer(allow_none=True)
    star_upgrade_bonus = fields.Dict(**POINTS_MAP)
    commendation_bonus = fields.Dict(**POINTS_MAP)
    effective_from = fields.DateTime(allow_none=True)
    organization_factors = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "{organization_id: factor as a decimal string, e.g. \"1.50\"}"})
    verified_hours_only = fields.Boolean(metadata={
        "description": "deployment setting SHANXING_POINTS_VERIFIED_HOURS_ONLY"})


class RulesListSchema(Schema):
    items = fields.List(fields.Nested(RulesSchema))
    next = fields.String(allow_none=True, metadata={"description": "always null: versions are few"})


def _with_setting(view: dict) -> dict:
    return view | {"verified_hours_only": verified_hours_only()}


@blp.route("/api/v1/points/rules", methods=["GET"])
@require_signed_in
@blp.response(200, RulesSchema)
def current_rules():
    return _with_setting(earning_rules.current(context().db, points_per_hour()))


@blp.route("/api/v1/points/rules", methods=["POST"])
@require_ops
@blp.arguments(RulesPublishSchema)
@blp.response(201, RulesSchema)
def publish_rules(body):
    return _with_setting(earning_rules.publish(context().db, body, published_by=caller().subject,
                                               default_rate=points_per_hour()))


@blp.route("/api/v1/points/rules/versions", methods=["GET"])
@require_ops
@blp.response(200, RulesListSchema)
def rules_versions():
    listing = earning_rules.versions(context().db, points_per_hour())
    listing["items"] = [_with_setting(v) for v in listing["items"]]
    return listing
