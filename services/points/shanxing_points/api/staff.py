"""Merchant staff accounts (the merchant's key or ops) and the sign-in check for the gateway."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from shanxing_common.internal_auth import caller, require_ops, require_service
from shanxing_common.problems import Problem
from shanxing_common.schemas import RequestSchema
from shanxing_common.web import Blueprint, context

from ..config import staff_login_throttle
from ..domain import staff as policy
from ..service import staff
from .actor import merchant_action
from .common import ListQueryArgsSchema, require_a_change

blp = Blueprint("staff", __name__, description="Merchant staff accounts (POS sign-in)")

LOGIN = validate.Regexp(policy.LOGIN_RE.pattern, error="3-40 of lower-case letters, digits, '.', '_', '-', "
                                                       "starting with a letter or digit")


class StaffCreateSchema(RequestSchema):
    store_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    login = fields.String(required=True, validate=validate.Length(min=3, max=40),
                          metadata={"description": "unique per merchant, case-insensitive"})
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=8, max=128))
    role = fields.String(required=True, validate=validate.OneOf(policy.ROLES))
    name = fields.String(load_default=None, validate=validate.Length(min=1, max=50),
                         metadata={"description": "shown on the POS page"})


class StaffUpdateSchema(RequestSchema):
    password = fields.String(load_only=True, validate=validate.Length(min=8, max=128), metadata={
        "description": "a new password: every sign-in made with the old one ends at its next request"})
    role = fields.String(validate=validate.OneOf(policy.ROLES))
    name = fields.String(allow_none=True, validate=validate.Length(min=1, max=50))
    store_id = fields.String(validate=validate.Length(min=1, max=36),
                             metadata={"description": "move the account to another store of the merchant"})


class StaffSchema(Schema):
    id = fields.String()
    merchant_id = fields.String()
    store_id = fields.String()
    login = fields.String()
    name = fields.String(allow_none=True)
    role = fields.String(metadata={"description": "cashier | manager"})
    status = fields.String(metadata={"description": "active | inactive"})
    created_at = fields.DateTime()
    deactivated_at = fields.DateTime(allow_none=True)
    last_login_at = fields.DateTime(allow_none=True)


class StaffListSchema(Schema):
    items = fields.List(fields.Nested(StaffSchema))
    next = fields.String(allow_none=True)


class StaffCredentialsSchema(RequestSchema):
    merchant_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    login = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))


class VerifiedStaffSchema(Schema):
    credentials_version = fields.Integer(metadata={"description": "goes into the staff token"})
    staff_id = fields.String()
    merchant_id = fields.String()
    store_id = fields.String()
    role = fields.String()
    login = fields.String()
    name = fields.String(allow_none=True)


def _create(merchant_id: str, body: dict) -> dict:
    login = policy.normalise_login(body["login"])
    if not policy.LOGIN_RE.match(login):
        raise Problem(400, "invalid login", errors={"login": [LOGIN.error]})
    return staff.create_staff(context().db, merchant_id, store_id=body["store_id"], login=login,
                              password=body["password"], role=body["role"], name=body["name"])


# --- the merchant's own (signing key only: staff cannot manage staff) ---------------------------

@blp.route("/api/v1/merchant/staff", methods=["POST"])
@merchant_action(policy.KEY_ONLY)
@blp.arguments(StaffCreateSchema)
@blp.response(201, StaffSchema)
def add_own_staff(body):
    return _create(caller().merchant_id, body)


@blp.route("/api/v1/merchant/staff", methods=["GET"])
@merchant_action(policy.KEY_ONLY)
@blp.arguments(ListQueryArgsSchema, location="query")
@blp.response(200, StaffListSchema)
def list_own_staff(args):
    return staff.list_staff(context().db, caller().merchant_id, cursor=args["cursor"], limit=args["limit"])


@blp.route("/api/v1/merchant/staff/<string:staff_id>/deactivate", methods=["POST"])
@merchant_action(policy.KEY_ONLY)
@blp.response(200, StaffSchema)
def deactivate_own_staff(staff_id):
    return staff.deactivate_staff(context().db, caller().merchant_id, staff_id)


@blp.route("/api/v1/merchant/staff/<string:staff_id>", methods=["PATCH"])
@merchant_action(policy.KEY_ONLY)
@blp.arguments(StaffUpdateSchema)
@blp.response(200, StaffSchema)
def update_own_staff(body, staff_id):
    """Reset a staff member's password, or change their role, name or store"""
    return _update(caller().merchant_id, staff_id, body)


def _update(merchant_id: str, staff_id: str, body: dict) -> dict:
    require_a_change(body, StaffUpdateSchema)
    return staff.update_staff(context().db, merchant_id, staff_id, changes=body)


# --- ops -----------------------------------------------------------------------------------------

@blp.route("/api/v1/merchants/<string:merchant_id>/staff", methods=["POST"])
@require_ops
@blp.arguments(StaffCreateSchema)
@blp.response(201, StaffSchema)
def add_staff(body, merchant_id):
    return _create(merchant_id, body)


@blp.route("/api/v1/merchants/<string:merchant_id>/staff", methods=["GET"])
@require_ops
@blp.arguments(ListQueryArgsSchema, location="query")
@blp.response(200, StaffListSchema)
def list_merchant_staff(args, merchant_id):
    return staff.list_staff(context().db, merchant_id, cursor=args["cursor"], limit=args["limit"])


@blp.route("/api/v1/merchants/<string:merchant_id>/staff/<string:staff_id>/deactivate", methods=["POST"])
@require_ops
@blp.response(200, StaffSchema)
def deactivate_merchant_staff(merchant_id, staff_id):
    return staff.deactivate_staff(context().db, merchant_id, staff_id)


@blp.route("/api/v1/merchants/<string:merchant_id>/staff/<string:staff_id>", methods=["PATCH"])
@require_ops
@blp.arguments(StaffUpdateSchema)
@blp.response(200, StaffSchema)
def update_merchant_staff(body, merchant_id, staff_id):
    """Reset a merchant's staff member's password, or change their role, name or store (ops)"""
    return _update(merchant_id, staff_id, body)


# --- the gateway ---------------------------------------------------------------------------------

@blp.route("/internal/merchant-staff/verify", methods=["POST"])
@require_service
@blp.arguments(StaffCredentialsSchema)
@blp.response(200, VerifiedStaffSchema)
@blp.alt_response(401, description="invalid merchant, login or password")
@blp.alt_response(429, description="too many failed attempts for this account; see Retry-After")
def verify_staff(body):
    try:
        return staff.verify_credentials(context().db, staff_login_throttle(), merchant_id=body["merchant_id"],
                                        login=body["login"], password=body["password"])
    except staff.Throttled as exc:
        raise Problem(429, exc.detail, headers={"Retry-After": str(exc.retry_after)}) from exc
