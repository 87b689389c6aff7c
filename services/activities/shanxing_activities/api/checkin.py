"""/api/v1/activities/{id}/checkin-code, /checkin, /checkout and the organizer's sign-up list."""
from __future__ import annotations

from flask import Response
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from shanxing_common.internal_auth import caller, require_person
from shanxing_common.web import Blueprint, context

from ..domain.checkin import CODE_DIGITS
from ..service import checkin as use_cases
from .common import HoursField, RequestSchema

blp = Blueprint("checkin", __name__, url_prefix="/api/v1/activities",
                description="On-site check-in and check-out with a rotating code and the volunteer's position.")


class CheckinCodeSchema(Schema):
    code = fields.String(metadata={"description": f"{CODE_DIGITS} digits; a new one every 30 s"})
    valid_until = fields.DateTime(metadata={"description": "accepted until then (its 30 s and the next 30 s)"})
    qr_payload = fields.String(metadata={
        "description": "what the QR image carries: shanxing:checkin?activity=<id>&code=<code> (URL-encoded)"})


class AttendanceCreateSchema(RequestSchema):
    code = fields.String(required=True, validate=validate.Regexp(rf"^\d{{{CODE_DIGITS}}}$",
                                                                 error=f"must be {CODE_DIGITS} digits"))
    latitude = fields.Float(required=True, allow_nan=False, validate=validate.Range(-90, 90))
    longitude = fields.Float(required=True, allow_nan=False, validate=validate.Range(-180, 180))


class AttendanceSchema(Schema):
    signup_id = fields.String()
    activity_id = fields.String()
    volunteer_id = fields.String()
    checked_in_at = fields.DateTime(allow_none=True)
    checked_out_at = fields.DateTime(allow_none=True)
    suggested_hours = HoursField(attribute="suggested_hundredths", allow_none=True, metadata={
        "type": "number", "description": "check-out − check-in, to the quarter hour, at most the activity's length"})


class SignupDetailSchema(Schema):
    id = fields.String()
    volunteer_id = fields.String()
    name = fields.String(allow_none=True, metadata={"description": "masked display name"})
    status = fields.String(metadata={"description": "confirmed | waitlisted | cancelled"})
    created_at = fields.DateTime()
    cancelled_at = fields.DateTime(allow_none=True)
    added_by = fields.String(allow_none=True, metadata={"description": "the organizer, for on-site sign-ups"})
    checked_in_at = fields.DateTime(allow_none=True)
    checked_out_at = fields.DateTime(allow_none=True)
    suggested_hours = HoursField(attribute="suggested_hundredths", allow_none=True,
                                 metadata={"type": "number"})


class SignupListSchema(Schema):
    items = fields.List(fields.Nested(SignupDetailSchema))
    next = fields.String(allow_none=True)


class SignupQueryArgsSchema(RequestSchema):
    cursor = fields.String(metadata={"description": "the `next` of the previous page"})
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


@blp.route("/<activity_id>/checkin-code")
class CheckinCode(MethodView):
    @require_person
    @blp.response(200, CheckinCodeSchema)
    def get(self, activity_id):
        """The current check-in code to show on site (an admin of the activity's organization)."""
        return use_cases.checkin_code(context(), caller(), activity_id)


@blp.route("/<activity_id>/checkin-code/qr.svg")
class CheckinCodeQr(MethodView):
    @require_person
    @blp.doc(responses={"200": {"description": "the current code's qr_payload as a QR image",
                                "content": {"image/svg+xml": {"schema": {"type": "string"}}}}})
    def get(self, activity_id):
        """The current check-in code as a QR image (an admin of the activity's organization)."""
        svg = use_cases.checkin_code_qr(context(), caller(), activity_id)
        # the code rotates every 30 s: the screen must fetch a new image, never a cached one
        return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


@blp.route("/<activity_id>/checkin")
class Checkin(MethodView):
    @require_person
    @blp.arguments(AttendanceCreateSchema)
    @blp.response(200, AttendanceSchema)
    def post(self, body, activity_id):
        """Check in with the code shown on site, within SHANXING_CHECKIN_RADIUS_METERS of the activity."""
        return use_cases.check_in(context(), caller(), activity_id, body["code"], body["latitude"], body["longitude"])


@blp.route("/<activity_id>/checkout")
class Checkout(MethodView):
    @require_person
    @blp.arguments(AttendanceCreateSchema)
    @blp.response(200, AttendanceSchema)
    def post(self, body, activity_id):
        """Check out likewise; the organizer then sees the suggested hours."""
        return use_cases.check_out(context(), caller(), activity_id, body["code"], body["latitude"], body["longitude"])
