"""/api/v1/projects: the four-level project library (city, district, street, community)."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from shanxing_common.internal_auth import caller, require_person
from shanxing_common.web import Blueprint, context

from ..domain.projects import GRADES, LEVELS, STATUSES, ProjectDraft
from ..service import projects as use_cases
from .activities import ReasonSchema
from .common import HoursField, RequestSchema

blp = Blueprint("projects", __name__, url_prefix="/api/v1/projects",
                description="Projects declared, reviewed, published, claimed by an organization and graded.")


class ProjectCreateSchema(RequestSchema):
    title = fields.String(required=True)
    category = fields.String(required=True)
    description = fields.String(required=True)
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    region_code = fields.String(required=True, metadata={
        "description": "4 digits (city), 6 (district), 9 (street) or 12 (community)"})
    organization_id = fields.String(load_default=None, allow_none=True,
                                    metadata={"description": "optional declaring organization"})


class ProjectSchema(Schema):
    id = fields.String()
    title = fields.String()
    category = fields.String()
    description = fields.String()
    level = fields.String()
    region_code = fields.String()
    declarer_organization_id = fields.String(allow_none=True)
    status = fields.String()
    created_at = fields.DateTime()
    reviewed_at = fields.DateTime(allow_none=True)
    rejection_reason = fields.String(allow_none=True)
    claimed_by_organization_id = fields.String(allow_none=True)
    claimed_at = fields.DateTime(allow_none=True)
    grade = fields.String(allow_none=True)
    evaluation_comment = fields.String(allow_none=True)
    evaluated_at = fields.DateTime(allow_none=True)
    activities_count = fields.Integer()
    hours = HoursField(metadata={"description": "confirmed (unrevoked) hours of its activities"})


class ProjectListItemSchema(ProjectSchema):
    class Meta:
        exclude = ("activities_count", "hours")


class ProjectListSchema(Schema):
    items = fields.List(fields.Nested(ProjectListItemSchema))
    next = fields.String(allow_none=True)


class ProjectQueryArgsSchema(RequestSchema):
    level = fields.String(validate=validate.OneOf(LEVELS))
    status = fields.String(validate=validate.OneOf(STATUSES), metadata={
        "description": "default: published, claimed and evaluated"})
    region_code = fields.String(metadata={"description": "a region-code prefix"})
    cursor = fields.String()
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class ClaimSchema(RequestSchema):
    organization_id = fields.String(required=True)


class ProjectEvaluationSchema(RequestSchema):
    grade = fields.String(required=True, validate=validate.OneOf(GRADES),
                          metadata={"description": "excellent 优秀 | qualified 合格 | unqualified 不合格"})
    comment = fields.String(load_default="", validate=validate.Length(max=1000))


@blp.route("")
class Projects(MethodView):
    @blp.arguments(ProjectQueryArgsSchema, location="query")
    @blp.response(200, ProjectListSchema)
    def get(self, args):
        """Projects by declaration time; declared/rejected ones only for their reviewers and ops."""
        return use_cases.list_projects(context(), caller(), status=args.get("status"), level=args.get("level"),
                                       region_code=args.get("region_code"), cursor=args.get("cursor"),
                                       limit=args["limit"])

    @require_person
    @blp.arguments(ProjectCreateSchema)
    @blp.response(201, ProjectSchema)
    def post(self, body):
        """Declare a project (it awaits review by its level's and region's reviewers)."""
        organization_id = body.pop("organization_id")
        return use_cases.declare_project(context(), caller(), ProjectDraft(**body), organization_id)


@blp.route("/<project_id>")
class Project(MethodView):
    @blp.response(200, ProjectSchema)
    def get(self, project_id):
        """One project with the number of its activities and their confirmed hours."""
        return use_cases.get_project(context(), caller(), project_id)


@blp.route("/<project_id>/approve")
class Approval(MethodView):
    @require_person
    @blp.response(200, ProjectSchema)
    def post(self, project_id):
        """Publish a declared project (ops, or a reviewer of its region)."""
        return use_cases.approve_project(context(), caller(), project_id)


@blp.route("/<project_id>/reject")
class Rejection(MethodView):
    @require_person
    @blp.arguments(ReasonSchema)
    @blp.response(200, ProjectSchema)
    def post(self, body, project_id):
        """Reject a declared project with a reason."""
        return use_cases.reject_project(context(), caller(), project_id, body["reason"])


@blp.route("/<project_id>/claim")
class Claim(MethodView):
    @require_person
    @blp.arguments(ClaimSchema)
    @blp.response(200, ProjectSchema)
    def post(self, body, project_id):
        """An admin of an approved organization claims a published project for it (one claimant)."""
        return use_cases.claim_project(context(), caller(), project_id, body["organization_id"])


@blp.route("/<project_id>/evaluation")
class Evaluation(MethodView):
    @require_person
    @blp.arguments(ProjectEvaluationSchema)
    @blp.response(200, ProjectSchema)
    def post(self, body, project_id):
        """Grade a claimed project 优秀/合格/不合格 (its reviewers)."""
        return use_cases.evaluate_project(context(), caller(), project_id, body["grade"], body["comment"])
