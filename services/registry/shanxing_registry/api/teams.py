"""/api/v1/teams: teams (基层服务队) under a regional and a specialised organization, and members."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from shanxing_common.internal_auth import caller, require_person
from shanxing_common.web import Blueprint, context

from ..domain.organizations import normalise_organization_name
from ..domain.teams import MEMBER_STATUSES, ROLES
from ..runtime import registry
from ..service import teams as use_cases
from .common import Normalised, PageArgsSchema, RequestSchema

blp = Blueprint("teams", __name__, url_prefix="/api/v1/teams",
                description="Teams under one regional and one specialised organization; memberships.")


class TeamCreateSchema(RequestSchema):
    name = Normalised(normalise_organization_name, required=True, metadata={"description": "2..60 characters"})
    regional_parent_id = fields.String(required=True, validate=validate.Length(1, 36), metadata={
        "description": "an approved regional organization at street or community level"})
    specialised_parent_id = fields.String(required=True, validate=validate.Length(1, 36), metadata={
        "description": "an approved specialised organization at squad level"})


class TeamSchema(Schema):
    id = fields.String()
    name = fields.String()
    regional_parent_id = fields.String()
    specialised_parent_id = fields.String()
    region_code = fields.String()
    created_by = fields.String()
    created_at = fields.DateTime()
    total_hours = fields.String(metadata={"description": "decimal string, two places"})
    star_level = fields.Integer()
    member_count = fields.Integer(metadata={"description": "active members"})


class MemberSchema(Schema):
    team_id = fields.String()
    volunteer_id = fields.String()
    display_name = fields.String(metadata={"description": "masked"})
    role = fields.String(metadata={"enum": list(ROLES)})
    status = fields.String(metadata={"enum": list(MEMBER_STATUSES)})
    applied_at = fields.DateTime()
    approved_at = fields.DateTime(allow_none=True)


class MemberPageSchema(Schema):
    items = fields.List(fields.Nested(MemberSchema))
    next = fields.String(allow_none=True)


@blp.route("")
class Teams(MethodView):
    @require_person
    @blp.arguments(TeamCreateSchema)
    @blp.response(201, TeamSchema)
    @blp.alt_response(400, description="invalid field, or a parent that is unknown, not approved, of the "
                                       "wrong kind or level")
    @blp.alt_response(403, description="not ops and not an admin of either parent")
    def post(self, form):
        """Create a team (ops, or an admin of either parent); the creator becomes its admin"""
        return use_cases.create(context().db, registry(), caller(), form)


@blp.route("/<team_id>")
class Team(MethodView):
    @require_person
    @blp.response(200, TeamSchema)
    @blp.alt_response(404, description="no such team")
    def get(self, team_id):
        """A team with its hours and star level"""
        return use_cases.get(context().db, team_id)


@blp.route("/<team_id>/members")
class Members(MethodView):
    @require_person
    @blp.response(201, MemberSchema)
    @blp.alt_response(404, description="no such team, or the caller has no volunteer profile")
    @blp.alt_response(409, description="already a member or applied (`current_status`)")
    def post(self, team_id):
        """Apply to join the team (pending until a team admin approves)"""
        return use_cases.apply(context().db, registry(), caller(), team_id)

    @require_person
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, MemberPageSchema)
    @blp.alt_response(404, description="no such team")
    def get(self, args, team_id):
        """Members (pending applications too for team admins and ops), oldest first"""
        return use_cases.members(context().db, caller(), team_id, args.get("cursor"), args["limit"])


@blp.route("/<team_id>/members/me")
class MyMembership(MethodView):
    @require_person
    @blp.response(204)
    @blp.alt_response(404, description="no such team, or not a member")
    @blp.alt_response(409, description="the last admin cannot leave while other members remain")
    def delete(self, team_id):
        """Leave the team (or withdraw an application)"""
        use_cases.leave(context().db, registry(), caller(), team_id)


@blp.route("/<team_id>/members/<volunteer_id>/approve")
class MemberApproval(MethodView):
    @require_person
    @blp.response(200, MemberSchema)
    @blp.alt_response(403, description="not ops and not an admin of the team")
    @blp.alt_response(404, description="no such team, or no application by this volunteer")
    @blp.alt_response(409, description="not pending (`current_status`)")
    def post(self, team_id, volunteer_id):
        """Approve a volunteer's application (team admin or ops)"""
        return use_cases.approve(context().db, registry(), caller(), team_id, volunteer_id)
