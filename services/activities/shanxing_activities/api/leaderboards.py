"""/api/v1/leaderboards: the current period's leaders (public) and the caller's own rank."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from shanxing_common.internal_auth import caller, require_person
from shanxing_common.web import Blueprint, context

from ..domain.periods import PERIOD_KINDS, SCOPES, WEEK
from ..service.leaderboards import leaderboard, my_rank
from .common import HoursField, RequestSchema

blp = Blueprint("leaderboards", __name__, url_prefix="/api/v1/leaderboards",
                description="Hours leaderboards per week, month or year.")


class LeaderboardQueryArgsSchema(RequestSchema):
    period = fields.String(load_default=WEEK, validate=validate.OneOf(PERIOD_KINDS))
    scope = fields.String(load_default="volunteer", validate=validate.OneOf(SCOPES))
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 100))
    region_code = fields.String(load_default=None, metadata={
        "description": "scope=region: rank the regions directly below this code"})


class MyRankQueryArgsSchema(RequestSchema):
    period = fields.String(load_default=WEEK, validate=validate.OneOf(PERIOD_KINDS))


class LeaderboardEntrySchema(Schema):
    rank = fields.Integer()
    volunteer_id = fields.String(metadata={"description": "scope=volunteer"})
    team_id = fields.String(metadata={"description": "scope=team"})
    organization_id = fields.String(metadata={"description": "scope=organization"})
    region_code = fields.String(metadata={"description": "scope=region"})
    name = fields.String(allow_none=True, metadata={
        "description": "volunteer: masked name; organization: its name; team, region: null"})
    hours = HoursField(attribute="hundredths", metadata={"type": "number", "description": "e.g. 12.5"})


class LeaderboardSchema(Schema):
    items = fields.List(fields.Nested(LeaderboardEntrySchema))
    period = fields.String()
    period_start = fields.Date()
    scope = fields.String()
    region_code = fields.String(allow_none=True)


class MyRankSchema(Schema):
    period = fields.String()
    period_start = fields.Date()
    rank = fields.Integer(allow_none=True, metadata={"description": "null without hours this period"})
    hours = HoursField(attribute="hundredths", metadata={"type": "number"})
    total_ranked = fields.Integer(metadata={"description": "volunteers with hours this period"})


@blp.route("")
class Leaderboards(MethodView):
    @blp.arguments(LeaderboardQueryArgsSchema, location="query")
    @blp.response(200, LeaderboardSchema)
    def get(self, args):
        """Top volunteers, teams, organizations or regions by confirmed hours in the current week,
        month or year (ties share a rank)."""
        return leaderboard(context(), period=args["period"], scope=args["scope"], limit=args["limit"],
                           region_code=args["region_code"])


@blp.route("/me")
class MyRank(MethodView):
    @require_person
    @blp.arguments(MyRankQueryArgsSchema, location="query")
    @blp.response(200, MyRankSchema)
    def get(self, args):
        """The caller's rank among volunteers in the current period."""
        return my_rank(context(), caller(), period=args["period"])
