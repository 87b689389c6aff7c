"""/api/v1/activities/{id}/hours: the organizer confirms the hours served."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from shanxing_common.internal_auth import caller, require_person
from shanxing_common.web import Blueprint, context

from ..domain.hours import MAX_RECORDS_PER_BATCH, entry_mark
from ..service.hours import HoursEntry, confirm_hours, revoke_hours
from .common import HoursField, RequestSchema

blp = Blueprint("hours", __name__, url_prefix="/api/v1/activities",
                description="Hours confirmed by an admin of the activity's organization.")

HOURS_DESCRIPTION = "a JSON number or a decimal string, at most two decimal places (e.g. 2.5 or \"2.50\")"


class HoursRecordCreateSchema(RequestSchema):
    volunteer_id = fields.String(required=True)
    hours = HoursField(required=True, metadata={"description": HOURS_DESCRIPTION})


class HoursBatchCreateSchema(RequestSchema):
    records = fields.List(fields.Nested(HoursRecordCreateSchema), required=True,
                          validate=validate.Length(1, MAX_RECORDS_PER_BATCH))


class HoursRecordSchema(Schema):
    id = fields.String()
    volunteer_id = fields.String()
    hours = HoursField(metadata={"type": "number", "description": "e.g. 2.5"})
    verified = fields.Boolean(metadata={"description": "the volunteer checked in and out with the on-site code"})
    entry = fields.Method("_entry", metadata={
        "description": "self_checkin (verified) | admin_entry (entered by the organizer without check-in/out)"})

    def _entry(self, record) -> str:
        return entry_mark(bool(record["verified"]))


class RevocationSchema(RequestSchema):
    reason = fields.String(required=True, metadata={"description": "1 to 500 characters"})


class HoursRecordDetailSchema(HoursRecordSchema):
    activity_id = fields.String()
    served_on = fields.Date()
    confirmed_by = fields.String()
    confirmed_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    revoked_by = fields.String(allow_none=True)
    revoke_reason = fields.String(allow_none=True)


class HoursBatchSchema(Schema):
    records = fields.List(fields.Nested(HoursRecordSchema))


@blp.route("/<activity_id>/hours")
class Hours(MethodView):
    @require_person
    @blp.arguments(HoursBatchCreateSchema)
    @blp.response(201, HoursBatchSchema)
    def post(self, body, activity_id):
        """Confirm hours for volunteers signed up to the activity (all or nothing)."""
        entries = [HoursEntry(r["volunteer_id"], r["hours"]) for r in body["records"]]
        return {"records": confirm_hours(context(), caller(), activity_id, entries)}


@blp.route("/<activity_id>/hours/<record_id>/revoke")
class HoursRevocation(MethodView):
    @require_person
    @blp.arguments(RevocationSchema)
    @blp.response(200, HoursRecordDetailSchema)
    def post(self, body, activity_id, record_id):
        """Revoke confirmed hours (the record stays, marked revoked; totals shrink; 409 the second time)."""
        return revoke_hours(context(), caller(), activity_id, record_id, body["reason"])
