"""/api/v1/activities/{id}/signups: volunteers join (or queue), withdraw, and join on site."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, pre_load

from shanxing_common.internal_auth import caller, require_person
from shanxing_common.web import Blueprint, context

from ..service import signups as use_cases
from ..service.checkin import list_signups
from .checkin import SignupListSchema, SignupQueryArgsSchema
from .common import RequestSchema

blp = Blueprint("signups", __name__, url_prefix="/api/v1/activities",
                description="Sign-ups; capacity is enforced by the database.")

WAITLIST_DESCRIPTION = "when the activity is full, join its waitlist (201, status waitlisted) instead of a 409"


class SignupCreateSchema(RequestSchema):
    waitlist = fields.Boolean(load_default=False, metadata={"description": WAITLIST_DESCRIPTION})

    @pre_load
    def _no_body_is_an_empty_body(self, data, **kwargs):
        # The contract's sign-up has no body; clients that send JSON null must keep working.
        return {} if data is None else data


class OnsiteSignupCreateSchema(RequestSchema):
    volunteer_id = fields.String(required=True)
    waitlist = fields.Boolean(load_default=False, metadata={"description": WAITLIST_DESCRIPTION})


class SignupSchema(Schema):
    id = fields.String()
    activity_id = fields.String()
    volunteer_id = fields.String()
    status = fields.String(metadata={"description": "confirmed | waitlisted | cancelled"})
    created_at = fields.DateTime()


class WithdrawalSchema(SignupSchema):
    cancelled_at = fields.DateTime()
    promoted_volunteer_id = fields.String(allow_none=True, metadata={
        "description": "the waitlisted volunteer who got the freed place, if any"})


@blp.route("/<activity_id>/signups")
class Signups(MethodView):
    @require_person
    @blp.arguments(SignupQueryArgsSchema, location="query")
    @blp.response(200, SignupListSchema)
    def get(self, args, activity_id):
        """The activity's sign-ups with check-in/out times and suggested hours (its organization's admin)."""
        return list_signups(context(), caller(), activity_id, cursor=args.get("cursor"), limit=args["limit"])

    @require_person
    @blp.arguments(SignupCreateSchema, required=False)
    @blp.response(201, SignupSchema)
    def post(self, body, activity_id):
        """Sign yourself up (409 when full — unless waitlist — not published, ended, already joined,
        lacking a required skill, or signed up for another activity at the same time)."""
        return use_cases.sign_up(context(), caller(), activity_id, waitlist=body.get("waitlist", False))


@blp.route("/<activity_id>/signups/me")
class MySignup(MethodView):
    @require_person
    @blp.response(200, WithdrawalSchema)
    def delete(self, activity_id):
        """Withdraw your sign-up (or waitlist place) until the activity starts; 409 after."""
        return use_cases.withdraw(context(), caller(), activity_id)


@blp.route("/<activity_id>/signups/onsite")
class OnsiteSignups(MethodView):
    @require_person
    @blp.arguments(OnsiteSignupCreateSchema)
    @blp.response(201, SignupSchema)
    def post(self, body, activity_id):
        """Sign up a volunteer who turned up (an admin of the activity's organization; until it ends)."""
        return use_cases.sign_up_on_site(context(), caller(), activity_id, body["volunteer_id"],
                                         waitlist=body["waitlist"])
