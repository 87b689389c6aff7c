"""/api/v1/reviews: what awaits the caller's review, and what is overdue."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import fields, validate

from shanxing_common.internal_auth import caller, require_person
from shanxing_common.web import Blueprint, context

from ..service import reviews
from .activities import ActivityListSchema
from .common import RequestSchema

blp = Blueprint("reviews", __name__, url_prefix="/api/v1/reviews",
                description="Activities awaiting review, with deadlines that escalate.")


class ReviewQueryArgsSchema(RequestSchema):
    cursor = fields.String(metadata={"description": "the `next` of the previous page"})
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


@blp.route("/pending")
class PendingReviews(MethodView):
    @require_person
    @blp.arguments(ReviewQueryArgsSchema, location="query")
    @blp.response(200, ActivityListSchema)
    def get(self, args):
        """Activities awaiting review that you may decide now (ops: all), earliest deadline first."""
        return reviews.list_reviews(context(), caller(), overdue=False, cursor=args.get("cursor"),
                                    limit=args["limit"])


@blp.route("/overdue")
class OverdueReviews(MethodView):
    @require_person
    @blp.arguments(ReviewQueryArgsSchema, location="query")
    @blp.response(200, ActivityListSchema)
    def get(self, args):
        """Of those, the ones past their deadline (ops: all overdue reviews)."""
        return reviews.list_reviews(context(), caller(), overdue=True, cursor=args.get("cursor"),
                                    limit=args["limit"])
