"""A volunteer's points: balance, entries and one-time redemption codes."""
from __future__ import annotations

from marshmallow import Schema, fields

from shanxing_common.internal_auth import caller, require_person
from shanxing_common.web import Blueprint, context

from ..service import accounts
from .common import ListQueryArgsSchema, points_config

blp = Blueprint("points", __name__, description="A volunteer's points")


class PointsBalanceSchema(Schema):
    balance = fields.Integer(metadata={"description": "points that can be spent now"})
    earned = fields.Integer(metadata={"description": "points from confirmed hours (net of revocations)"})
    redeemed = fields.Integer(metadata={"description": "points spent at merchants (net of refunds)"})
    debt = fields.Integer(metadata={"description": "revoked points not yet covered; paid from future earnings"})


class EntrySchema(Schema):
    id = fields.String()
    kind = fields.String(metadata={"description": "hours | settle | revoke | redeem | refund"})
    points = fields.Integer(metadata={"description": "signed: positive in, negative out"})
    balance_after = fields.Integer()
    created_at = fields.DateTime()
    transfer_id = fields.String()


class EntryListSchema(Schema):
    items = fields.List(fields.Nested(EntrySchema))
    next = fields.String(allow_none=True)


class RedemptionCodeSchema(Schema):
    code = fields.String(metadata={"description": "12 digits, good for one redemption"})
    expires_at = fields.DateTime()


ZERO = {"balance": 0, "earned": 0, "redeemed": 0, "debt": 0}


@blp.route("/api/v1/points/me", methods=["GET"])
@require_person
@blp.response(200, PointsBalanceSchema)
def my_points():
    ctx = context()
    volunteer_id = caller().subject
    figures = accounts.balance(ctx.db, volunteer_id)
    if figures is None:  # the registration or first hours may still be in flight
        ctx.catch_up("activities")
        ctx.catch_up("registry")
        figures = accounts.balance(ctx.db, volunteer_id)
    return figures or ZERO


@blp.route("/api/v1/points/me/entries", methods=["GET"])
@require_person
@blp.arguments(ListQueryArgsSchema, location="query")
@blp.response(200, EntryListSchema)
def my_entries(args):
    return accounts.entries(context().db, caller().subject, cursor=args["cursor"], limit=args["limit"])


@blp.route("/api/v1/points/redemption-codes", methods=["POST"])
@require_person
@blp.response(201, RedemptionCodeSchema)
def new_redemption_code():
    return accounts.issue_code(context().db, caller().subject, points_config().redemption_code_ttl)
