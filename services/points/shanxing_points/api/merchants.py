"""Merchants (created by ops) and the key look-up the gateway verifies signatures with."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from shanxing_common.schemas import RequestSchema
from shanxing_common.internal_auth import require_ops, require_service
from shanxing_common.problems import Problem
from shanxing_common.web import Blueprint, context

from ..service import merchants
from .common import ListQueryArgsSchema, secret_box

blp = Blueprint("merchants", __name__, description="Merchants and their signing keys")

NOT_BLANK = validate.Regexp(r"\S", error="must not be blank")


class MerchantCreateSchema(RequestSchema):
    name = fields.String(required=True, validate=[validate.Length(min=2, max=100), NOT_BLANK])
    address = fields.String(required=True, validate=[validate.Length(min=1, max=200), NOT_BLANK])


class MerchantCreatedSchema(Schema):
    id = fields.String()
    name = fields.String()
    address = fields.String()
    status = fields.String()
    key_id = fields.String()
    key_secret = fields.String(metadata={"description": "shown once; stored encrypted"})
    created_at = fields.DateTime()


class MerchantKeySchema(Schema):
    key_id = fields.String()
    merchant_id = fields.String()
    secret = fields.String()
    status = fields.String(metadata={"description": "active, or revoked (also when the merchant is suspended)"})
    key_status = fields.String(metadata={"description": "the key's own status: active | revoked"})
    merchant_status = fields.String(metadata={"description": "active | suspended"})


class MerchantKeyInfoSchema(Schema):
    key_id = fields.String()
    status = fields.String(metadata={"description": "active | revoked"})
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)


class MerchantSchema(Schema):
    id = fields.String()
    name = fields.String()
    address = fields.String()
    status = fields.String(metadata={"description": "active | suspended"})
    created_at = fields.DateTime()


class MerchantDetailSchema(MerchantSchema):
    keys = fields.List(fields.Nested(MerchantKeyInfoSchema), metadata={"description": "never the secrets"})
    balance = fields.Integer(metadata={"description": "points received net of refunds"})


class MerchantListSchema(Schema):
    items = fields.List(fields.Nested(MerchantSchema))
    next = fields.String(allow_none=True)


class IssuedKeySchema(Schema):
    key_id = fields.String()
    key_secret = fields.String(metadata={"description": "shown once; stored encrypted"})
    merchant_id = fields.String()
    status = fields.String()
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)


class RevokedKeySchema(Schema):
    key_id = fields.String()
    merchant_id = fields.String()
    status = fields.String()
    revoked_at = fields.DateTime()


class StoreCreateSchema(RequestSchema):
    name = fields.String(required=True, validate=[validate.Length(min=1, max=100), NOT_BLANK])
    address = fields.String(required=True, validate=[validate.Length(min=1, max=200), NOT_BLANK])


class StoreSchema(Schema):
    id = fields.String()
    merchant_id = fields.String()
    name = fields.String()
    address = fields.String()
    created_at = fields.DateTime()


class StoreListSchema(Schema):
    items = fields.List(fields.Nested(StoreSchema))
    next = fields.String(allow_none=True)


@blp.route("/api/v1/merchants", methods=["POST"])
@require_ops
@blp.arguments(MerchantCreateSchema)
@blp.response(201, MerchantCreatedSchema)
def create_merchant(body):
    return merchants.create_merchant(context().db, secret_box(), name=body["name"].strip(),
                                     address=body["address"].strip())


@blp.route("/api/v1/merchants", methods=["GET"])
@require_ops
@blp.arguments(ListQueryArgsSchema, location="query")
@blp.response(200, MerchantListSchema)
def list_merchants(args):
    return merchants.list_merchants(context().db, cursor=args["cursor"], limit=args["limit"])


@blp.route("/api/v1/merchants/<string:merchant_id>", methods=["GET"])
@require_ops
@blp.response(200, MerchantDetailSchema)
def merchant_detail(merchant_id):
    return merchants.merchant_detail(context().db, merchant_id)


@blp.route("/api/v1/merchants/<string:merchant_id>/suspend", methods=["POST"])
@require_ops
@blp.response(200, MerchantDetailSchema)
def suspend_merchant(merchant_id):
    return merchants.set_status(context().db, merchant_id, merchants.SUSPENDED)


@blp.route("/api/v1/merchants/<string:merchant_id>/resume", methods=["POST"])
@require_ops
@blp.response(200, MerchantDetailSchema)
def resume_merchant(merchant_id):
    return merchants.set_status(context().db, merchant_id, merchants.ACTIVE)


@blp.route("/api/v1/merchants/<string:merchant_id>/keys", methods=["POST"])
@require_ops
@blp.response(201, IssuedKeySchema)
def issue_key(merchant_id):
    return merchants.issue_key(context().db, secret_box(), merchant_id)


@blp.route("/api/v1/merchants/<string:merchant_id>/keys/<string:key_id>/revoke", methods=["POST"])
@require_ops
@blp.response(200, RevokedKeySchema)
def revoke_key(merchant_id, key_id):
    return merchants.revoke_key(context().db, merchant_id, key_id)


@blp.route("/api/v1/merchants/<string:merchant_id>/stores", methods=["POST"])
@require_ops
@blp.arguments(StoreCreateSchema)
@blp.response(201, StoreSchema)
def add_store(body, merchant_id):
    return merchants.add_store(context().db, merchant_id, name=body["name"].strip(),
                               address=body["address"].strip())


@blp.route("/api/v1/merchants/<string:merchant_id>/stores", methods=["GET"])
@require_ops
@blp.arguments(ListQueryArgsSchema, location="query")
@blp.response(200, StoreListSchema)
def list_stores(args, merchant_id):
    return merchants.list_stores(context().db, merchant_id, cursor=args["cursor"], limit=args["limit"])


@blp.route("/internal/merchant-keys/<string:key_id>", methods=["GET"])
@require_service
@blp.response(200, MerchantKeySchema)
def merchant_key(key_id):
    key = merchants.key_for_gateway(context().db, secret_box(), key_id)
    if key is None:
        raise Problem(404, "unknown merchant key")
    return key
