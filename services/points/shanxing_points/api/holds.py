"""The volunteer's side of two-phase redemptions: points a merchant is holding for them."""
from __future__ import annotations

from marshmallow import Schema, fields

from shanxing_common.internal_auth import caller, require_person
from shanxing_common.web import Blueprint, context

from ..service import holds
from .common import ListQueryArgsSchema

blp = Blueprint("holds", __name__, description="Points reserved by pending two-phase redemptions")


class MyHoldSchema(Schema):
    id = fields.String()
    merchant_name = fields.String()
    points = fields.Integer()
    created_at = fields.DateTime()
    expires_at = fields.DateTime(metadata={"description": "voided (points back) then unless captured"})


class MyHoldListSchema(Schema):
    items = fields.List(fields.Nested(MyHoldSchema))
    next = fields.String(allow_none=True)


@blp.route("/api/v1/points/me/holds", methods=["GET"])
@require_person
@blp.arguments(ListQueryArgsSchema, location="query")
@blp.response(200, MyHoldListSchema)
def my_holds(args):
    """Pending holds on my points (already out of my balance; they come back if voided)."""
    return holds.volunteer_pending(context().db, caller().subject, cursor=args["cursor"], limit=args["limit"])
