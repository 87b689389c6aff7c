"""Routes a merchant's till reaches (the gateway has verified its signature)."""
from __future__ import annotations

from flask import jsonify, request
from marshmallow import Schema, fields, validate

from shanxing_common.schemas import RequestSchema
from shanxing_common.internal_auth import caller
from shanxing_common.problems import field_error
from shanxing_common.web import Blueprint, context

from ..domain import staff as staff_policy
from ..domain.errors import Forbidden
from ..service import holds, merchants, redemptions
from .actor import actor, merchant_action
from .common import ListQueryArgsSchema, require_a_change

blp = Blueprint("merchant", __name__, description="A merchant's goods and redemptions (signed)")

IDEMPOTENCY_HEADER = "Idempotency-Key"
SKU = validate.Regexp(r"^[A-Za-z0-9._-]+$", error="letters, digits, '.', '_' and '-' only")


class GoodCreateSchema(RequestSchema):
    sku = fields.String(required=True, validate=[validate.Length(min=1, max=64), SKU])
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    points = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=1_000_000))
    stock = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1_000_000))
    active = fields.Boolean(load_default=True)
    daily_limit_per_volunteer = fields.Integer(strict=True, allow_none=True, load_default=None,
                                               validate=validate.Range(min=1, max=1000))


class GoodUpdateSchema(RequestSchema):
    name = fields.String(validate=validate.Length(min=1, max=100))
    points = fields.Integer(strict=True, validate=validate.Range(min=1, max=1_000_000))
    stock = fields.Integer(strict=True, validate=validate.Range(min=0, max=1_000_000),
                           metadata={"description": "set the stock (counted on the shelf)"})
    stock_delta = fields.Integer(strict=True, validate=validate.Range(min=-1_000_000, max=1_000_000),
                                 metadata={"description": "add to (or, negative, take from) the stock"})
    active = fields.Boolean(metadata={"description": "false: cannot be redeemed"})
    daily_limit_per_volunteer = fields.Integer(strict=True, allow_none=True,
                                               validate=validate.Range(min=1, max=1000), metadata={
                                                   "description": "units per volunteer per day; null = none"})


class GoodSchema(Schema):
    id = fields.String()
    sku = fields.String()
    name = fields.String()
    points = fields.Integer()
    stock = fields.Integer()
    active = fields.Boolean()
    daily_limit_per_volunteer = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime(allow_none=True)


class GoodListSchema(Schema):
    items = fields.List(fields.Nested(GoodSchema))
    next = fields.String(allow_none=True)


class RedemptionItemCreateSchema(RequestSchema):
    sku = fields.String(required=True, validate=[validate.Length(min=1, max=64), SKU])
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=1000))


class RedemptionCreateSchema(RequestSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64),
                         metadata={"description": "the volunteer's 12-digit one-time code"})
    items = fields.List(fields.Nested(RedemptionItemCreateSchema), required=True,
                        validate=validate.Length(min=1, max=50))
    store_id = fields.String(load_default=None, validate=validate.Length(min=1, max=36),
                             metadata={"description": "the merchant's store this till belongs to (optional)"})
    hold = fields.Boolean(load_default=False, metadata={
        "description": "true: only reserve the points and stock (status pending) until "
                       "POST …/capture or …/void; the hold is voided by itself at hold_expires_at"})


class RedemptionLineSchema(Schema):
    sku = fields.String()
    name = fields.String()
    quantity = fields.Integer()
    unit_points = fields.Integer()
    points = fields.Integer(metadata={"description": "quantity × unit_points"})
    refunded_quantity = fields.Integer()


class RefundCreateSchema(RequestSchema):
    items = fields.List(fields.Nested(RedemptionItemCreateSchema), validate=validate.Length(min=1, max=50),
                        metadata={"description": "units to refund; left out: everything not yet refunded"})


class RefundLineSchema(Schema):
    sku = fields.String()
    quantity = fields.Integer()
    points = fields.Integer()


class RefundSchema(Schema):
    id = fields.String()
    points = fields.Integer()
    items = fields.List(fields.Nested(RefundLineSchema))
    made_by = fields.String(allow_none=True)
    created_at = fields.DateTime()


class RedeemingVolunteerSchema(Schema):
    display_name = fields.String(allow_none=True, metadata={"description": "masked, e.g. 张*明"})


class RedemptionSchema(Schema):
    id = fields.String()
    points = fields.Integer()
    status = fields.String(metadata={"description": "completed | partially_refunded | refunded; "
                                                    "a two-phase redemption: pending | voided"})
    refunded_points = fields.Integer()
    items = fields.List(fields.Nested(RedemptionLineSchema))
    volunteer = fields.Nested(RedeemingVolunteerSchema)
    store_id = fields.String(allow_none=True)
    made_by = fields.String(allow_none=True, metadata={
        "description": "key:<key_id> (a signed till) or staff:<staff_id> (the POS page); null before 0010"})
    created_at = fields.DateTime()
    refunded_at = fields.DateTime(metadata={"description": "when the last units were refunded"})
    hold_expires_at = fields.DateTime(metadata={"description": "a pending hold: when it is voided "
                                                              "unless captured"})


class RefundedRedemptionSchema(RedemptionSchema):
    refund = fields.Nested(RefundSchema, metadata={"description": "the refund this request made"})


class MerchantStoreSchema(Schema):
    id = fields.String()
    name = fields.String()
    address = fields.String()
    created_at = fields.DateTime()


class MerchantStoreListSchema(Schema):
    items = fields.List(fields.Nested(MerchantStoreSchema))
    next = fields.String(allow_none=True)


class RedemptionListSchema(Schema):
    items = fields.List(fields.Nested(RedemptionSchema))
    next = fields.String(allow_none=True)


@blp.route("/api/v1/merchant/goods", methods=["POST"])
@merchant_action(staff_policy.MANAGE_GOODS)
@blp.arguments(GoodCreateSchema)
@blp.response(201, GoodSchema)
def add_good(body):
    return merchants.add_good(context().db, caller().merchant_id, **body)


@blp.route("/api/v1/merchant/goods", methods=["GET"])
@merchant_action(staff_policy.LIST_GOODS)
@blp.arguments(ListQueryArgsSchema, location="query")
@blp.response(200, GoodListSchema)
def list_goods(args):
    return merchants.list_goods(context().db, caller().merchant_id, cursor=args["cursor"],
                                limit=args["limit"])


def _idempotency_key() -> str:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None or key == "":
        raise field_error(IDEMPOTENCY_HEADER, "this header is required")
    if len(key) > 255:
        raise field_error(IDEMPOTENCY_HEADER, "must be 1 to 255 characters")
    return key


@blp.route("/api/v1/merchant/redemptions", methods=["POST"])
@merchant_action(staff_policy.REDEEM)
@blp.arguments(RedemptionCreateSchema)
@blp.response(201, RedemptionSchema)
@blp.doc(parameters=[{"in": "header", "name": IDEMPOTENCY_HEADER, "required": True,
                      "schema": {"type": "string", "minLength": 1, "maxLength": 255}}])
def redeem(body):
    key = _idempotency_key()
    who = actor()
    store_id = body["store_id"]
    if who.store_id is not None:  # staff redeem at their own store
        if store_id is not None and store_id != who.store_id:
            raise Forbidden("staff redeem only at their own store", field="store_id")
        store_id = who.store_id
    outcome = redemptions.redeem(context().db, caller().merchant_id, idempotency_key=key,
                                 code=body["code"], items=body["items"], store_id=store_id,
                                 made_by=who.made_by, hold=body["hold"])
    # The stored body is returned as is, so a replay is the very same answer.
    response = jsonify(outcome.body)
    response.status_code = outcome.status_code
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@blp.route("/api/v1/merchant/redemptions", methods=["GET"])
@merchant_action(staff_policy.LIST_REDEMPTIONS)
@blp.arguments(ListQueryArgsSchema, location="query")
@blp.response(200, RedemptionListSchema)
def list_redemptions(args):
    return jsonify(redemptions.list_redemptions(context().db, caller().merchant_id,
                                                cursor=args["cursor"], limit=args["limit"]))


@blp.route("/api/v1/merchant/redemptions/<string:redemption_id>/refund", methods=["POST"])
@merchant_action(staff_policy.REFUND)
@blp.arguments(RefundCreateSchema, required=False)
@blp.response(200, RefundedRedemptionSchema)
@blp.doc(parameters=[{"in": "header", "name": IDEMPOTENCY_HEADER, "required": False,
                      "schema": {"type": "string", "minLength": 1, "maxLength": 255}}])
def refund(body, redemption_id):
    key = _idempotency_key() if IDEMPOTENCY_HEADER in request.headers else None
    outcome = redemptions.refund(context().db, caller().merchant_id, redemption_id,
                                 items=(body or {}).get("items"), idempotency_key=key,
                                 made_by=actor().made_by)
    response = jsonify(outcome.body)
    if outcome.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@blp.route("/api/v1/merchant/redemptions/<string:redemption_id>/capture", methods=["POST"])
@merchant_action(staff_policy.REDEEM)
@blp.response(200, RedemptionSchema)
def capture(redemption_id):
    """Complete a pending (held) redemption: the points go to the merchant, once."""
    return jsonify(holds.capture(context().db, caller().merchant_id, redemption_id, made_by=actor().made_by))


@blp.route("/api/v1/merchant/redemptions/<string:redemption_id>/void", methods=["POST"])
@merchant_action(staff_policy.REDEEM)
@blp.response(200, RedemptionSchema)
def void(redemption_id):
    """Cancel a pending (held) redemption: points and stock go back, once."""
    return jsonify(holds.void(context().db, caller().merchant_id, redemption_id))


@blp.route("/api/v1/merchant/redemption-holds", methods=["GET"])
@merchant_action(staff_policy.LIST_REDEMPTIONS)
@blp.arguments(ListQueryArgsSchema, location="query")
@blp.response(200, RedemptionListSchema)
def pending_holds(args):
    """This merchant's pending holds, oldest first (a till that lost track of one finds it here)."""
    return jsonify(holds.list_pending(context().db, caller().merchant_id, cursor=args["cursor"],
                                      limit=args["limit"]))


@blp.route("/api/v1/merchant/stores", methods=["GET"])
@merchant_action(staff_policy.LIST_STORES)
@blp.arguments(ListQueryArgsSchema, location="query")
@blp.response(200, MerchantStoreListSchema)
def own_stores(args):
    return merchants.list_stores(context().db, caller().merchant_id, cursor=args["cursor"], limit=args["limit"])


@blp.route("/api/v1/merchant/goods/<string:sku>", methods=["PATCH"])
@merchant_action(staff_policy.MANAGE_GOODS)
@blp.arguments(GoodUpdateSchema)
@blp.response(200, GoodSchema)
def update_good(body, sku):
    require_a_change(body, GoodUpdateSchema)
    return merchants.update_good(context().db, caller().merchant_id, sku, body)
