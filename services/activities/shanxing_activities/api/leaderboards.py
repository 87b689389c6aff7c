"""/api/v1/leaderboards: the current period's leaders (public)."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from shanxing_common.web import Blueprint, context

from ..domain.periods import PERIOD_KINDS, SCOPES, WEEK
from ..service.leaderboards import leaderboard
from .common import HoursField, RequestSchema

blp = Blueprint("leaderboards", __name__, url_prefix="/api/v1/leaderboards",
                description="Hours leaderboards per week, month or year.")


class LeaderboardQueryArgsSchema(RequestSchema):
    period = fields.String(load_default=WEEK, validate=validate.OneOf(PERIOD_KINDS))
    scope = fields.String(load_default="volunteer", validate=validate.OneOf(SCOPES))
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 100))


class LeaderboardEntrySchema(Schema):
    rank = fields.Integer()
    volunteer_id = fields.String()
    name = fields.String(allow_none=True, metadata={"description": "masked display name"})
    hours = HoursField(attribute="hundredths", metadata={"type": "number", "description": "e.g. 12.5"})


class LeaderboardSchema(Schema):
    items = fields.List(fields.Nested(LeaderboardEntrySchema))
    period = fields.String()
    period_start = fields.Date()
    scope = fields.String()


@blp.route("")
class Leaderboards(MethodView):
    @blp.arguments(LeaderboardQueryArgsSchema, location="query")
    @blp.response(200, LeaderboardSchema)
    def get(self, args):
        """Top volunteers by confirmed hours in the current week, month or year (ties share a rank)."""
        return leaderboard(context(), period=args["period"], scope=args["scope"], limit=args["limit"])
