"""POST /api/v1/merchant/staff/token: a staff member's password for a staff token (points checks it)."""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from shanxing_common.schemas import RequestSchema
from shanxing_common.web import Blueprint

from ..auth.staff import CHALLENGE
from ..runtime import gateway
from .token import verify_with

blp = Blueprint("staff_token", __name__, url_prefix="/api/v1/merchant/staff",
                description="Sign-in of merchant staff (the POS page)")


class StaffTokenCreateSchema(RequestSchema):
    merchant_id = fields.String(required=True, validate=validate.Length(min=1, max=36))
    login = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))


class SignedInStaffSchema(Schema):
    id = fields.String()
    merchant_id = fields.String()
    store_id = fields.String()
    login = fields.String()
    name = fields.String(allow_none=True)
    role = fields.String(metadata={"description": "cashier | manager"})


class StaffTokenSchema(Schema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(required=True, metadata={"description": "seconds"})
    staff = fields.Nested(SignedInStaffSchema)


@blp.route("/token")
class StaffToken(MethodView):
    @blp.arguments(StaffTokenCreateSchema)
    @blp.response(200, StaffTokenSchema)
    @blp.alt_response(401, description="wrong merchant, login or password (or the account is inactive)")
    @blp.alt_response(429, description="too many failed attempts for this account; see Retry-After")
    def post(self, credentials):
        """Exchange a staff login and password for a staff token (Authorization: Bearer on /api/v1/merchant/*)"""
        gw = gateway()
        g.upstream_service = "points"
        verified = verify_with(gw, "points", "/internal/merchant-staff/verify",
                               {"merchant_id": credentials["merchant_id"], "login": credentials["login"],
                                "password": credentials["password"]},
                               required="staff_id", wrong_credentials="wrong merchant, login or password",
                               challenge=CHALLENGE)
        issued = gw.staff.issue(staff_id=verified["staff_id"], merchant_id=verified["merchant_id"],
                                store_id=verified["store_id"], staff_role=verified["role"],
                                credentials_version=int(verified.get("credentials_version") or 0))
        return {"access_token": issued.access_token, "token_type": issued.token_type,
                "expires_in": issued.expires_in,
                "staff": {"id": verified["staff_id"], "merchant_id": verified["merchant_id"],
                          "store_id": verified["store_id"], "login": verified.get("login"),
                          "name": verified.get("name"), "role": verified["role"]}}
