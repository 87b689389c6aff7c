"""/api/v1/statistics: time series of an organization's or a region's service."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from shanxing_common.internal_auth import caller, require_person
from shanxing_common.web import Blueprint, context

from ..domain.statistics import STATISTICS_PERIODS
from ..service.statistics import statistics
from .common import HoursField, RequestSchema

blp = Blueprint("statistics", __name__, url_prefix="/api/v1/statistics",
                description="Activities, participants and hours per month or year.")


class RoundedNumber(fields.Field):
    """A Decimal already rounded by the service, answered as a JSON number (null stays null)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else float(value)


class StatisticsQueryArgsSchema(RequestSchema):
    organization_id = fields.String(load_default=None)
    region_code = fields.String(load_default=None, metadata={"description": "includes the regions below it"})
    period = fields.String(load_default="month", validate=validate.OneOf(STATISTICS_PERIODS))
    from_ = fields.Date(data_key="from", load_default=None, metadata={"description": "YYYY-MM-DD"})
    to = fields.Date(load_default=None, metadata={"description": "YYYY-MM-DD, default today"})


class StatisticsPointSchema(Schema):
    period_start = fields.Date()
    activities = fields.Integer(metadata={"description": "activities with confirmed hours served then"})
    participants = fields.Integer(metadata={"description": "distinct volunteers with confirmed hours"})
    hours = HoursField(attribute="hundredths", metadata={"type": "number"})
    participation_rate = RoundedNumber(allow_none=True, metadata={"type": "number",
        "description": "participants / volunteers living in the region now (read model)"})
    hours_per_capita = RoundedNumber(allow_none=True, metadata={"type": "number",
        "description": "hours / participants"})


class StatisticsSchema(Schema):
    scope = fields.String()
    organization_id = fields.String(allow_none=True)
    region_code = fields.String(allow_none=True)
    period = fields.String()
    volunteers = fields.Integer(metadata={"description": "volunteers living in the region now"})
    items = fields.List(fields.Nested(StatisticsPointSchema))


@blp.route("")
class Statistics(MethodView):
    @require_person
    @blp.arguments(StatisticsQueryArgsSchema, location="query")
    @blp.response(200, StatisticsSchema)
    def get(self, args):
        """Per month or year: activities, participants, hours, participation rate and hours per capita
        (ops, the organization's admins, and the regional centres above it)."""
        return statistics(context(), caller(), organization_id=args["organization_id"],
                          region_code=args["region_code"], period=args["period"], first=args["from_"],
                          last=args["to"])
