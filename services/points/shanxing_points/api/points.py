"""A volunteer's points: balance, entries and one-time redemption codes."""
from __future__ import annotations

from flask import Response
from marshmallow import Schema, fields

from shanxing_common.internal_auth import caller, require_person
from shanxing_common.web import Blueprint, context

from ..adapters.sql import utcnow
from ..service import accounts, expiry
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
    rule_version = fields.Integer(allow_none=True, metadata={
        "description": "the earning-rules version that priced a credit (hours, bonuses); null otherwise"})
    organizer_factor = fields.String(allow_none=True, metadata={
        "description": "hours credits: the organizer factor of that version (\"1.00\" = none); null otherwise"})


class EntryListSchema(Schema):
    items = fields.List(fields.Nested(EntrySchema))
    next = fields.String(allow_none=True)


class LotSchema(Schema):
    id = fields.String()
    points = fields.Integer(metadata={"description": "points of this lot still to spend"})
    amount = fields.Integer(metadata={"description": "points the lot started with"})
    expires_at = fields.DateTime()
    transfer_id = fields.String(metadata={"description": "the credit that opened it (hours:, star:, refund: ...)"})
    created_at = fields.DateTime()


class LotListSchema(Schema):
    items = fields.List(fields.Nested(LotSchema))
    next = fields.String(allow_none=True)
    expiry_days = fields.Integer(allow_none=True, metadata={
        "description": "days a credit stays spendable; null: points do not expire here (no lots)"})
    expired = fields.Integer(metadata={"description": "points that expired unspent so far"})


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


@blp.route("/api/v1/points/me/lots", methods=["GET"])
@require_person
@blp.arguments(ListQueryArgsSchema, location="query")
@blp.response(200, LotListSchema)
def my_lots(args):
    """Live lots (points left, not yet expired), soonest expiry first: spending takes them in this order."""
    return expiry.live_lots(context().db, caller().subject, utcnow(), cursor=args["cursor"],
                            limit=args["limit"])


@blp.route("/api/v1/points/redemption-codes", methods=["POST"])
@require_person
@blp.response(201, RedemptionCodeSchema)
def new_redemption_code():
    return accounts.issue_code(context().db, caller().subject, points_config().redemption_code_ttl)


@blp.route("/api/v1/points/redemption-codes/<string:code>/qr.svg", methods=["GET"])
@require_person
@blp.doc(responses={"200": {"description": "the code as a QR image",
                            "content": {"image/svg+xml": {"schema": {"type": "string"}}}}})
def redemption_code_qr(code):
    svg = accounts.live_code_qr(context().db, caller().subject, code)
    # a live code is a bearer token for one redemption: keep its image out of caches
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})
