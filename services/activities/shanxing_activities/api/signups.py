"""/api/v1/activities/{id}/signups: a volunteer joins an activity."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields

from shanxing_common.internal_auth import caller, require_person
from shanxing_common.web import Blueprint, context

from ..service.signups import sign_up

blp = Blueprint("signups", __name__, url_prefix="/api/v1/activities",
                description="Sign-ups; capacity is enforced by the database.")


class SignupSchema(Schema):
    id = fields.String()
    activity_id = fields.String()
    volunteer_id = fields.String()
    status = fields.String()
    created_at = fields.DateTime()


@blp.route("/<activity_id>/signups")
class Signups(MethodView):
    @require_person
    @blp.response(201, SignupSchema)
    def post(self, activity_id):
        """Sign yourself up (409 when full, not published, ended or already joined)."""
        return sign_up(context(), caller(), activity_id)
