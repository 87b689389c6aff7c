"""/api/v1/organizations: apply, read, review, appoint admins."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from shanxing_common.internal_auth import caller, require_person
from shanxing_common.web import Blueprint, context

from ..domain.identity import normalise_region_code
from ..domain.organizations import ALL_LEVELS, KINDS, STATUSES, TREE_DEPTH, normalise_organization_name
from ..runtime import registry
from ..service import organizations as use_cases
from .common import Normalised, PageArgsSchema, RequestSchema, Trimmed

blp = Blueprint("organizations", __name__, url_prefix="/api/v1/organizations",
                description="Organizations in the regional and specialised trees, reviewed by the parent.")


class OrganizationCreateSchema(RequestSchema):
    name = Normalised(normalise_organization_name, required=True,
                      metadata={"description": "2..60 characters"})
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    parent_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 36),
                              metadata={"description": "an approved organization of the same kind"})
    region_code = Normalised(normalise_region_code, required=True)
    level = fields.String(validate=validate.OneOf(ALL_LEVELS), metadata={
        "description": "regional: city → district → street → community; specialised: corps → detachment → "
                       "squad → team. Optional: derived from the parent (the top level for a root)."})


class OrganizationQueryArgsSchema(PageArgsSchema):
    kind = fields.String(validate=validate.OneOf(KINDS))
    parent_id = fields.String(validate=validate.Length(1, 36))
    status = fields.String(validate=validate.OneOf(STATUSES))
    level = fields.String(validate=validate.OneOf(ALL_LEVELS))


class TreeQueryArgsSchema(RequestSchema):
    depth = fields.Integer(load_default=TREE_DEPTH - 1, validate=validate.Range(0, TREE_DEPTH - 1),
                           metadata={"description": "levels below the organization to include"})


class OrganizationSuspendSchema(RequestSchema):
    reason = Trimmed(required=True, validate=validate.Length(1, 500))


class OrganizationRejectSchema(RequestSchema):
    reason = Trimmed(required=True, validate=validate.Length(1, 500))


class OrganizationSchema(Schema):
    id = fields.String()
    name = fields.String()
    kind = fields.String(metadata={"enum": list(KINDS)})
    parent_id = fields.String(allow_none=True)
    region_code = fields.String()
    status = fields.String(metadata={"enum": list(STATUSES)})
    applicant_id = fields.String()
    created_at = fields.DateTime()
    reviewed_at = fields.DateTime(allow_none=True)
    reviewed_by = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    admin_ids = fields.List(fields.String())
    level = fields.String(metadata={"enum": list(ALL_LEVELS)})
    total_hours = fields.String(metadata={"description": "hours rolled up from its teams and descendants, "
                                                         "decimal string with two places"})
    review_due_at = fields.DateTime(allow_none=True, metadata={
        "description": "while pending: when the current reviewers' time runs out and the review escalates"})
    escalation_level = fields.Integer(metadata={"description": "escalations so far (0: the parent's admins)"})
    reviewer_organization_id = fields.String(allow_none=True, metadata={
        "description": "whose admins are responsible for the review now (null: ops, for a root application)"})


class OrganizationPageSchema(Schema):
    items = fields.List(fields.Nested(OrganizationSchema))
    next = fields.String(allow_none=True)


class OrganizationTreeSchema(OrganizationSchema):
    children = fields.List(fields.Nested(lambda: OrganizationTreeSchema()))


class OrganizationAdminCreateSchema(RequestSchema):
    volunteer_id = fields.String(required=True, validate=validate.Length(1, 36))


class OrganizationAdminSchema(Schema):
    organization_id = fields.String()
    volunteer_id = fields.String()
    created_at = fields.DateTime()


@blp.route("")
class Organizations(MethodView):
    @require_person
    @blp.arguments(OrganizationCreateSchema)
    @blp.response(201, OrganizationSchema)
    @blp.alt_response(400, description="invalid field, or a parent that is unknown, not approved or of another kind")
    def post(self, form):
        """Apply for an organization (it awaits review)"""
        return use_cases.apply(context().db, registry(), caller(), form)

    @require_person
    @blp.arguments(OrganizationQueryArgsSchema, location="query")
    @blp.response(200, OrganizationPageSchema)
    def get(self, args):
        """Organizations, oldest first, filtered by kind, parent, status and level"""
        return use_cases.list_organizations(context().db, args)


@blp.route("/reviews/pending")
class PendingReviews(MethodView):
    @require_person
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, OrganizationPageSchema)
    def get(self, args):
        """Applications you are responsible for reviewing now (ops: all), earliest deadline first"""
        return use_cases.list_reviews(context().db, registry(), caller(), overdue=False,
                                      cursor=args.get("cursor"), limit=args["limit"])


@blp.route("/reviews/overdue")
class OverdueReviews(MethodView):
    @require_person
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, OrganizationPageSchema)
    def get(self, args):
        """The same, past their review deadline only"""
        return use_cases.list_reviews(context().db, registry(), caller(), overdue=True,
                                      cursor=args.get("cursor"), limit=args["limit"])


@blp.route("/<organization_id>")
class Organization(MethodView):
    @require_person
    @blp.response(200, OrganizationSchema)
    @blp.alt_response(404, description="no such organization")
    def get(self, organization_id):
        """An organization"""
        return use_cases.get(context().db, organization_id)


@blp.route("/<organization_id>/approve")
class Approval(MethodView):
    @require_person
    @blp.response(200, OrganizationSchema)
    @blp.alt_response(403, description="not ops and not an admin of the parent")
    @blp.alt_response(404, description="no such organization")
    @blp.alt_response(409, description="not pending (`current_status` names its status)")
    def post(self, organization_id):
        """Approve a pending organization (ops, or an admin of the parent or any ancestor)"""
        return use_cases.approve(context().db, registry(), caller(), organization_id)


@blp.route("/<organization_id>/reject")
class Rejection(MethodView):
    @require_person
    @blp.arguments(OrganizationRejectSchema)
    @blp.response(200, OrganizationSchema)
    @blp.alt_response(403, description="not ops and not an admin of the parent")
    @blp.alt_response(404, description="no such organization")
    @blp.alt_response(409, description="not pending (`current_status` names its status)")
    def post(self, form, organization_id):
        """Reject a pending organization with a reason (ops, or an admin of the parent or any ancestor)"""
        return use_cases.reject(context().db, registry(), caller(), organization_id, form["reason"])


@blp.route("/<organization_id>/admins")
class Admins(MethodView):
    @require_person
    @blp.arguments(OrganizationAdminCreateSchema)
    @blp.response(201, OrganizationAdminSchema)
    @blp.alt_response(400, description="no volunteer has this id")
    @blp.alt_response(403, description="not ops and not an admin of this organization")
    @blp.alt_response(404, description="no such organization")
    @blp.alt_response(409, description="the organization is not approved, or the volunteer is already an admin")
    def post(self, form, organization_id):
        """Appoint a volunteer as an admin (ops, or an admin of this organization)"""
        return use_cases.add_admin(context().db, registry(), caller(), organization_id,
                                   form["volunteer_id"].strip())


@blp.route("/<organization_id>/tree")
class Tree(MethodView):
    @require_person
    @blp.arguments(TreeQueryArgsSchema, location="query")
    @blp.response(200, OrganizationTreeSchema)
    @blp.alt_response(404, description="no such organization")
    def get(self, args, organization_id):
        """The organization and its approved descendants, nested in `children`"""
        return use_cases.tree(context().db, organization_id, args["depth"])


@blp.route("/<organization_id>/suspend")
class Suspension(MethodView):
    @require_person
    @blp.arguments(OrganizationSuspendSchema)
    @blp.response(200, OrganizationSchema)
    @blp.alt_response(403, description="not ops and not an admin of an ancestor")
    @blp.alt_response(404, description="no such organization")
    @blp.alt_response(409, description="not approved (`current_status` names its status)")
    def post(self, form, organization_id):
        """Suspend an approved organization (ops, or an admin of the parent or higher)"""
        return use_cases.suspend(context().db, registry(), caller(), organization_id, form["reason"])


@blp.route("/<organization_id>/resume")
class Resumption(MethodView):
    @require_person
    @blp.response(200, OrganizationSchema)
    @blp.alt_response(403, description="not ops and not an admin of an ancestor")
    @blp.alt_response(404, description="no such organization")
    @blp.alt_response(409, description="not suspended (`current_status` names its status)")
    def post(self, organization_id):
        """Resume a suspended organization (ops, or an admin of the parent or higher)"""
        return use_cases.resume(context().db, registry(), caller(), organization_id)
