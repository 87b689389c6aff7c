"""/internal/auth/verify: the gateway checks a person's password here (service token only)."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from shanxing_common.internal_auth import require_service
from shanxing_common.web import Blueprint, context

from ..runtime import registry
from ..service.auth import verify_credentials
from .common import RequestSchema

blp = Blueprint("auth", __name__, url_prefix="/internal/auth",
                description="Credential checks for the gateway (not public).")


class CredentialsSchema(RequestSchema):
    phone = fields.String(required=True, validate=validate.Length(1, 32))
    password = fields.String(required=True, load_only=True, validate=validate.Length(1, 256))


class VerifiedSchema(Schema):
    subject = fields.String()
    roles = fields.List(fields.String())
    display_name = fields.String()


@blp.route("/verify")
class Verify(MethodView):
    @require_service
    @blp.arguments(CredentialsSchema)
    @blp.response(200, VerifiedSchema)
    @blp.alt_response(401, description="invalid phone or password")
    @blp.alt_response(429, description="too many failed attempts for this account; see Retry-After")
    def post(self, credentials):
        """Check a phone and password"""
        return verify_credentials(context().db, registry(), credentials["phone"].strip(),
                                  credentials["password"])
