"""Merchants (created by ops) and the key look-up the gateway verifies signatures with."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from shanxing_common.schemas import RequestSchema
from shanxing_common.internal_auth import require_ops, require_service
from shanxing_common.problems import Problem
from shanxing_common.web import Blueprint, context

from ..service import merchants
from .common import secret_box

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


@blp.route("/api/v1/merchants", methods=["POST"])
@require_ops
@blp.arguments(MerchantCreateSchema)
@blp.response(201, MerchantCreatedSchema)
def create_merchant(body):
    return merchants.create_merchant(context().db, secret_box(), name=body["name"].strip(),
                                     address=body["address"].strip())


@blp.route("/internal/merchant-keys/<string:key_id>", methods=["GET"])
@require_service
@blp.response(200, MerchantKeySchema)
def merchant_key(key_id):
    key = merchants.key_for_gateway(context().db, secret_box(), key_id)
    if key is None:
        raise Problem(404, "unknown merchant key")
    return key
