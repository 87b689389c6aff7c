"""/api/v1/volunteers: registration (public) and one's own profile."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, ValidationError, fields, post_load, validate

from shanxing_common.internal_auth import caller, require_person
from shanxing_common.web import Blueprint, context

from ..domain.identity import (normalise_id_number, normalise_mobile, normalise_name,
                               normalise_region_code)
from ..runtime import registry
from ..service import volunteers as use_cases
from ..domain import commendations as commendation_rules
from ..domain.profile import normalise_tags
from ..service import commendations as commendation_cases
from .common import Normalised, PageArgsSchema, RequestSchema, Trimmed, tag_list, unique_in_order
from .profile_schemas import (LocationOutSchema, LocationSchema, WindowOutSchema, availability_field,
                              normalised_availability, tags_field)

blp = Blueprint("volunteers", __name__, url_prefix="/api/v1/volunteers",
                description="Volunteers: registration and profiles (ID number and phone always masked).")


class VolunteerCreateSchema(RequestSchema):
    name = Normalised(normalise_name, required=True, metadata={"description": "2..30 characters"})
    id_number = Normalised(lambda raw: normalise_id_number(raw, registry().today()), required=True,
                           metadata={"description": "18-character resident ID (GB 11643); x or X"})
    phone = Normalised(normalise_mobile, required=True, metadata={"example": "13800138000"})
    password = fields.String(required=True, load_only=True, validate=validate.Length(8, 128))
    region_code = Normalised(normalise_region_code, required=True, metadata={"example": "110105"})
    skills = tag_list("skills")
    preferences = tag_list("preferred kinds of service")

    @post_load
    def _dedupe(self, data, **kwargs):
        data["skills"] = unique_in_order(data["skills"])
        data["preferences"] = unique_in_order(data["preferences"])
        return data


class VolunteerSchema(Schema):
    id = fields.String()
    name = fields.String()
    id_number = fields.String(metadata={"description": "masked: first 6 and last 4 characters",
                                        "example": "110105********1234"})
    phone = fields.String(metadata={"description": "masked", "example": "138****5678"})
    region_code = fields.String()
    skills = fields.List(fields.String())
    preferences = fields.List(fields.String())
    star_level = fields.Integer()
    total_hours = fields.String(metadata={"description": "decimal string, two places", "example": "12.50"})
    created_at = fields.DateTime()
    availability = fields.List(fields.Nested(WindowOutSchema))
    home_location = fields.Nested(LocationOutSchema, allow_none=True)
    tags = fields.List(fields.String())


class VolunteerUpdateSchema(RequestSchema):
    """Only the fields given change; ``home_location: null`` clears it."""
    skills = tag_list("skills", optional=True)
    preferences = tag_list("preferred kinds of service", optional=True)
    availability = availability_field()
    home_location = fields.Nested(LocationSchema, allow_none=True)
    tags = tags_field()

    @post_load
    def _normalise(self, data, **kwargs):
        if not data:
            raise ValidationError({"_schema": ["give at least one of skills, preferences, availability, "
                                               "home_location, tags"]})
        for name in ("skills", "preferences"):
            if name in data:
                data[name] = unique_in_order(data[name])
        if "tags" in data:
            data["tags"] = normalise_tags(data["tags"])  # each already checked against the set
        if "availability" in data:
            data["availability"] = normalised_availability(data["availability"])
        return data


class TransferCreateSchema(RequestSchema):
    to_region_code = Normalised(normalise_region_code, required=True, metadata={"example": "110108"})
    reason = Trimmed(required=True, validate=validate.Length(1, 500))


class TransferSchema(Schema):
    id = fields.String()
    volunteer_id = fields.String()
    from_region_code = fields.String()
    to_region_code = fields.String()
    reason = fields.String()
    transferred_at = fields.DateTime()


class TransferPageSchema(Schema):
    items = fields.List(fields.Nested(TransferSchema))
    next = fields.String(allow_none=True)


class CommendationCreateSchema(RequestSchema):
    title = Trimmed(required=True, validate=validate.Length(1, commendation_rules.TITLE_MAX))
    level = fields.String(required=True, validate=validate.OneOf(commendation_rules.LEVELS))
    reason = Trimmed(required=True, validate=validate.Length(1, commendation_rules.REASON_MAX))


class CommendationSchema(Schema):
    id = fields.String()
    volunteer_id = fields.String()
    title = fields.String()
    level = fields.String(metadata={"enum": list(commendation_rules.LEVELS)})
    reason = fields.String()
    granted_by = fields.String()
    granted_at = fields.DateTime()


class CommendationPageSchema(Schema):
    items = fields.List(fields.Nested(CommendationSchema))
    next = fields.String(allow_none=True)


@blp.route("")
class Volunteers(MethodView):
    @blp.arguments(VolunteerCreateSchema)
    @blp.response(201, VolunteerSchema)
    @blp.alt_response(400, description="invalid field (named in `errors`)")
    @blp.alt_response(409, description="the phone or the ID number is already registered")
    def post(self, form):
        """Register as a volunteer"""
        return use_cases.register_volunteer(context().db, registry(), form)


class ActivationSchema(RequestSchema):
    phone = Normalised(normalise_mobile, required=True, metadata={"example": "13800138000"})
    id_number = Normalised(lambda raw: normalise_id_number(raw, registry().today()), required=True)
    password = fields.String(required=True, load_only=True, validate=validate.Length(8, 128))


@blp.route("/activate")
class Activation(MethodView):
    @blp.arguments(ActivationSchema)
    @blp.response(200, VolunteerSchema)
    @blp.alt_response(400, description="invalid field, or no imported volunteer awaiting a password matches "
                                       "this phone and ID number (`phone`)")
    def post(self, form):
        """Set the first password of a bulk-imported volunteer (once; phone and ID number must match)"""
        return use_cases.activate_imported(context().db, registry(), form)


@blp.route("/me")
class Me(MethodView):
    @require_person
    @blp.response(200, VolunteerSchema)
    @blp.alt_response(404, description="the caller has no volunteer profile (e.g. a staff account)")
    def get(self):
        """Your own volunteer profile"""
        return use_cases.volunteer_view(context().db, registry(), caller().subject)

    @require_person
    @blp.arguments(VolunteerUpdateSchema)
    @blp.response(200, VolunteerSchema)
    @blp.alt_response(400, description="invalid field (named in `errors`, e.g. `availability.2.end`)")
    @blp.alt_response(404, description="the caller has no volunteer profile")
    def patch(self, changes):
        """Update your skills, preferences, weekly availability, home location or tags"""
        return use_cases.update_profile(context().db, registry(), caller().subject, changes)


@blp.route("/me/transfer")
class Transfer(MethodView):
    @require_person
    @blp.arguments(TransferCreateSchema)
    @blp.response(201, TransferSchema)
    @blp.alt_response(404, description="the caller has no volunteer profile")
    @blp.alt_response(409, description="already in that region (`to_region_code`)")
    def post(self, form):
        """Move to another region (hours and records follow you)"""
        return use_cases.transfer(context().db, registry(), caller().subject, form["to_region_code"],
                                  form["reason"])


@blp.route("/me/transfers")
class Transfers(MethodView):
    @require_person
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, TransferPageSchema)
    def get(self, args):
        """Your region transfers, oldest first"""
        return use_cases.transfers(context().db, caller().subject, args.get("cursor"), args["limit"])


@blp.route("/me/commendations")
class MyCommendations(MethodView):
    @require_person
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, CommendationPageSchema)
    def get(self, args):
        """Your commendations (嘉许), oldest first"""
        return commendation_cases.of_volunteer(context().db, caller().subject, args.get("cursor"),
                                               args["limit"])


@blp.route("/<volunteer_id>/commendations")
class Commendations(MethodView):
    @require_person
    @blp.arguments(CommendationCreateSchema)
    @blp.response(201, CommendationSchema)
    @blp.alt_response(403, description="not ops and not an admin of an approved organization")
    @blp.alt_response(404, description="no such volunteer")
    def post(self, form, volunteer_id):
        """Commend a volunteer (ops, or an admin of an organization)"""
        return commendation_cases.grant(context().db, registry(), caller(), volunteer_id, form)
