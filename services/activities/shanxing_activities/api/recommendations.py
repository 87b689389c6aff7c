"""/api/v1/volunteers/me/recommendations: open activities suggested to the signed-in volunteer."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields

from shanxing_common.internal_auth import caller, require_person
from shanxing_common.web import Blueprint, context

from ..service.recommendations import recommendations

blp = Blueprint("recommendations", __name__, url_prefix="/api/v1/volunteers/me/recommendations",
                description="Activities suggested by skills, preferences, free time and distance.")


class RecommendationSchema(Schema):
    activity_id = fields.String()
    title = fields.String()
    category = fields.String()
    address = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    latitude = fields.Float()
    longitude = fields.Float()
    skills = fields.List(fields.String())
    capacity = fields.Integer()
    signed_up = fields.Integer()
    score = fields.Integer(metadata={"description": "higher is a better match"})
    reason = fields.String(metadata={"description": "e.g. 需要急救技能 · 800 米"})


class RecommendationListSchema(Schema):
    items = fields.List(fields.Nested(RecommendationSchema))


@blp.route("")
class Recommendations(MethodView):
    @require_person
    @blp.response(200, RecommendationListSchema)
    def get(self):
        """Up to 20 published activities with a free place the volunteer can join (skills held, no
        clash with a confirmed sign-up, not started), best match first."""
        return recommendations(context(), caller())
