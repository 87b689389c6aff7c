"""/api/v1/activities: post, review, read and list activities."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from shanxing_common.internal_auth import caller, require_person
from shanxing_common.web import Blueprint, context

from ..domain.activity import PUBLISHED, STATUSES, ActivityDraft
from ..service import activities as use_cases
from ..service import projects
from ..service import reviews
from .common import RequestSchema

blp = Blueprint("activities", __name__, url_prefix="/api/v1/activities",
                description="Activities posted by organizations and reviewed before publication.")


class ActivityCreateSchema(RequestSchema):
    organization_id = fields.String(required=True)
    title = fields.String(required=True)
    category = fields.String(required=True)
    description = fields.String(load_default="")
    address = fields.String(required=True)
    latitude = fields.Float(required=True, allow_nan=False)
    longitude = fields.Float(required=True, allow_nan=False)
    starts_at = fields.AwareDateTime(required=True, metadata={"description": "ISO 8601 with a zone"})
    ends_at = fields.AwareDateTime(required=True, metadata={"description": "ISO 8601 with a zone"})
    capacity = fields.Integer(required=True, strict=True)
    skills = fields.List(fields.String(), load_default=list)
    project_id = fields.String(load_default=None, allow_none=True, metadata={
        "description": "optional project (claimed by this organization) the activity belongs to"})
    team_id = fields.String(load_default=None, allow_none=True,
                            metadata={"description": "optional registry team running it"})


class ActivitySchema(Schema):
    id = fields.String()
    organization_id = fields.String()
    title = fields.String()
    category = fields.String()
    description = fields.String()
    address = fields.String()
    latitude = fields.Float()
    longitude = fields.Float()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    capacity = fields.Integer()
    skills = fields.List(fields.String())
    region_code = fields.String(allow_none=True)
    team_id = fields.String(allow_none=True)
    status = fields.String()
    signed_up = fields.Integer()
    created_at = fields.DateTime()
    reviewed_at = fields.DateTime(allow_none=True)
    review_due_at = fields.DateTime(allow_none=True, metadata={
        "description": "while pending_review: when the current review level's deadline passes"})
    escalation_level = fields.Integer(metadata={"description": "0 = the region's own reviewers"})
    review_scope = fields.String(allow_none=True, metadata={
        "description": "region-code prefix whose regional organizations review it at this level"})
    rejection_reason = fields.String(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)


class ReasonSchema(RequestSchema):
    reason = fields.String(required=True, metadata={"description": "1 to 500 characters"})


class ActivityQueryArgsSchema(RequestSchema):
    status = fields.String(load_default=PUBLISHED, validate=validate.OneOf(STATUSES))
    organization_id = fields.String()
    category = fields.String()
    cursor = fields.String(metadata={"description": "the `next` of the previous page"})
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class ActivityListSchema(Schema):
    items = fields.List(fields.Nested(ActivitySchema))
    next = fields.String(allow_none=True)


@blp.route("")
class Activities(MethodView):
    @blp.arguments(ActivityQueryArgsSchema, location="query")
    @blp.response(200, ActivityListSchema)
    def get(self, args):
        """Activities ordered by start; only public statuses unless ops or the organization's admin."""
        return use_cases.list_activities(
            context(), caller(), status=args["status"], organization_id=args.get("organization_id"),
            category=args.get("category"), cursor=args.get("cursor"), limit=args["limit"])

    @require_person
    @blp.arguments(ActivityCreateSchema)
    @blp.response(201, ActivitySchema)
    def post(self, body):
        """Post an activity for an approved organization you administer (it awaits review)."""
        organization_id = body.pop("organization_id")
        project_id = body.pop("project_id")
        link = projects.activity_link(context(), organization_id, project_id) if project_id else None
        return use_cases.create_activity(context(), caller(), organization_id, ActivityDraft(**body), link=link)


@blp.route("/<activity_id>")
class Activity(MethodView):
    @blp.response(200, ActivitySchema)
    def get(self, activity_id):
        """One activity with its sign-up count."""
        return use_cases.get_activity(context(), caller(), activity_id)


@blp.route("/<activity_id>/approve")
class ActivityApproval(MethodView):
    @require_person
    @blp.response(200, ActivitySchema)
    def post(self, activity_id):
        """Publish an activity that awaits review (ops, or a reviewer of its region at its current level)."""
        return reviews.approve_activity(context(), caller(), activity_id)


@blp.route("/<activity_id>/reject")
class ActivityRejection(MethodView):
    @require_person
    @blp.arguments(ReasonSchema)
    @blp.response(200, ActivitySchema)
    def post(self, body, activity_id):
        """Reject an activity that awaits review, with a reason (same reviewers as approval)."""
        return reviews.reject_activity(context(), caller(), activity_id, body["reason"])


@blp.route("/<activity_id>/cancel")
class ActivityCancellation(MethodView):
    @require_person
    @blp.arguments(ReasonSchema)
    @blp.response(200, ActivitySchema)
    def post(self, body, activity_id):
        """Cancel a pending or published activity before it ends (its organization's admin, or ops);
        its sign-ups are cancelled and activities.activity_cancelled.v1 tells the volunteers."""
        return use_cases.cancel_activity(context(), caller(), activity_id, body["reason"])


@blp.route("/<activity_id>/complete")
class ActivityCompletion(MethodView):
    @require_person
    @blp.response(200, ActivitySchema)
    def post(self, activity_id):
        """Mark a published activity completed once it has started (its organization's admin)."""
        return use_cases.complete_activity(context(), caller(), activity_id)
