"""/api/v1/volunteers: registration (public) and one's own profile."""
from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, post_load, validate

from shanxing_common.internal_auth import caller, require_person
from shanxing_common.web import Blueprint, context

from ..domain.identity import (normalise_id_number, normalise_mobile, normalise_name,
                               normalise_region_code)
from ..runtime import registry
from ..service import volunteers as use_cases
from .common import Normalised, RequestSchema, tag_list, unique_in_order

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


@blp.route("")
class Volunteers(MethodView):
    @blp.arguments(VolunteerCreateSchema)
    @blp.response(201, VolunteerSchema)
    @blp.alt_response(400, description="invalid field (named in `errors`)")
    @blp.alt_response(409, description="the phone or the ID number is already registered")
    def post(self, form):
        """Register as a volunteer"""
        return use_cases.register_volunteer(context().db, registry(), form)


@blp.route("/me")
class Me(MethodView):
    @require_person
    @blp.response(200, VolunteerSchema)
    @blp.alt_response(404, description="the caller has no volunteer profile (e.g. a staff account)")
    def get(self):
        """Your own volunteer profile"""
        return use_cases.volunteer_view(context().db, registry(), caller().subject)
