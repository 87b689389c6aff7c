"""/api/v1/demands: the five-order loop (点单 → 派单 → 买单 → 接单 → 评单)."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from shanxing_common.internal_auth import caller, require_person
from shanxing_common.web import Blueprint, context

from ..domain.activity import ActivityDraft
from ..domain.demands import STATUSES, DemandDraft
from ..service import demands as use_cases
from .activities import ActivityCreateSchema, ActivitySchema
from .common import RequestSchema

blp = Blueprint("demands", __name__, url_prefix="/api/v1/demands",
                description="Residents' service demands: ordered, dispatched, funded, accepted, served, rated.")

TRANSITION_ERRORS = {"description": "409 names `status` and carries `current_status` when the demand's "
                                    "state does not allow the step"}


class DemandCreateSchema(RequestSchema):
    category = fields.String(required=True)
    description = fields.String(required=True)
    address = fields.String(required=True)
    latitude = fields.Float(required=True, allow_nan=False)
    longitude = fields.Float(required=True, allow_nan=False)
    wanted_from = fields.AwareDateTime(required=True, metadata={"description": "ISO 8601 with a zone"})
    wanted_until = fields.AwareDateTime(required=True, metadata={"description": "ISO 8601 with a zone"})
    region_code = fields.String(required=True, metadata={"description": "2 to 12 digits"})


class DemandSchema(Schema):
    id = fields.String()
    resident_id = fields.String()
    category = fields.String()
    description = fields.String()
    address = fields.String()
    latitude = fields.Float()
    longitude = fields.Float()
    wanted_from = fields.DateTime()
    wanted_until = fields.DateTime()
    region_code = fields.String()
    status = fields.String(metadata={"description": " → ".join(STATUSES[:-1]) + " (or cancelled)"})
    created_at = fields.DateTime()
    organization_id = fields.String(allow_none=True)
    dispatched_at = fields.DateTime(allow_none=True)
    amount_cents = fields.Integer(allow_none=True)
    funding_source = fields.String(allow_none=True)
    funded_at = fields.DateTime(allow_none=True)
    accepted_at = fields.DateTime(allow_none=True)
    activity_id = fields.String(allow_none=True)
    served_at = fields.DateTime(allow_none=True)
    score = fields.Integer(allow_none=True)
    rating_comment = fields.String(allow_none=True)
    rated_at = fields.DateTime(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)


class DemandListSchema(Schema):
    items = fields.List(fields.Nested(DemandSchema))
    next = fields.String(allow_none=True)


class DemandQueryArgsSchema(RequestSchema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    region_code = fields.String(metadata={"description": "a region-code prefix"})
    mine = fields.Boolean(load_default=False)
    cursor = fields.String()
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class DispatchSchema(RequestSchema):
    organization_id = fields.String(required=True)


class FundingSchema(RequestSchema):
    amount_cents = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    source = fields.String(required=True, validate=validate.Length(1, 100))


class RatingSchema(RequestSchema):
    score = fields.Integer(required=True, strict=True, validate=validate.Range(1, 5))
    comment = fields.String(load_default="", validate=validate.Length(max=500))


class DemandActivityCreateSchema(ActivityCreateSchema):
    organization_id = fields.String(load_default=None, metadata={
        "description": "optional; the organization the demand was dispatched to"})


class EvaluationQueryArgsSchema(RequestSchema):
    organization_id = fields.String(required=True)


class OrganizationEvaluationSchema(Schema):
    organization_id = fields.String()
    average_score = fields.Float(allow_none=True, metadata={"description": "rounded to 2 places"})
    count = fields.Integer()


@blp.route("")
class Demands(MethodView):
    @require_person
    @blp.arguments(DemandQueryArgsSchema, location="query")
    @blp.response(200, DemandListSchema)
    def get(self, args):
        """Your own demands (mine=true), or those of your regions for a dispatch centre (ops: all)."""
        return use_cases.list_demands(context(), caller(), mine=args["mine"], status=args.get("status"),
                                      region_code=args.get("region_code"), cursor=args.get("cursor"),
                                      limit=args["limit"])

    @require_person
    @blp.arguments(DemandCreateSchema)
    @blp.response(201, DemandSchema)
    def post(self, body):
        """Order a service (点单) → ordered."""
        return use_cases.order_demand(context(), caller(), DemandDraft(**body))


@blp.route("/evaluations")
class Evaluations(MethodView):
    @blp.arguments(EvaluationQueryArgsSchema, location="query")
    @blp.response(200, OrganizationEvaluationSchema)
    def get(self, args):
        """Residents' ratings of an organization's served demands: average score and count (评单)."""
        return use_cases.organization_evaluation(context(), args["organization_id"])


@blp.route("/<demand_id>")
class Demand(MethodView):
    @require_person
    @blp.response(200, DemandSchema)
    def get(self, demand_id):
        """One demand: for its resident, its region's centre and the assigned organization's admins."""
        return use_cases.get_demand(context(), caller(), demand_id)


@blp.route("/<demand_id>/dispatch")
class Dispatch(MethodView):
    @require_person
    @blp.arguments(DispatchSchema)
    @blp.response(200, DemandSchema)
    @blp.alt_response(409, description=TRANSITION_ERRORS["description"])
    def post(self, body, demand_id):
        """The region's dispatch centre assigns an organization (派单): ordered → dispatched."""
        return use_cases.dispatch_demand(context(), caller(), demand_id, body["organization_id"])


@blp.route("/<demand_id>/funding")
class Funding(MethodView):
    @require_person
    @blp.arguments(FundingSchema)
    @blp.response(200, DemandSchema)
    def post(self, body, demand_id):
        """The centre records who pays (买单): dispatched → funded."""
        return use_cases.fund_demand(context(), caller(), demand_id, body["amount_cents"], body["source"])


@blp.route("/<demand_id>/accept")
class Acceptance(MethodView):
    @require_person
    @blp.response(200, DemandSchema)
    def post(self, demand_id):
        """An admin of the assigned organization accepts it (接单): funded → accepted."""
        return use_cases.accept_demand(context(), caller(), demand_id)


@blp.route("/<demand_id>/activity")
class DemandActivity(MethodView):
    @require_person
    @blp.arguments(DemandActivityCreateSchema)
    @blp.response(201, ActivitySchema)
    def post(self, body, demand_id):
        """The accepting organization posts the activity that serves it (reviewed as usual):
        accepted → in_service; completing the activity makes the demand served."""
        organization_id = body.pop("organization_id")
        body.pop("project_id", None)
        return use_cases.run_as_activity(context(), caller(), demand_id, organization_id, ActivityDraft(**body))


@blp.route("/<demand_id>/rating")
class Rating(MethodView):
    @require_person
    @blp.arguments(RatingSchema)
    @blp.response(200, DemandSchema)
    def post(self, body, demand_id):
        """The resident rates the service (评单): served → rated."""
        return use_cases.rate_demand(context(), caller(), demand_id, body["score"], body["comment"])


@blp.route("/<demand_id>/cancel")
class Cancellation(MethodView):
    @require_person
    @blp.response(200, DemandSchema)
    def post(self, demand_id):
        """The resident withdraws the demand before an organization accepts it → cancelled."""
        return use_cases.cancel_demand(context(), caller(), demand_id)
