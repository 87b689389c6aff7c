"""Service-record certificates: issued to a volunteer, verified by anyone holding the code."""
from __future__ import annotations

from flask import Response
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from shanxing_common.internal_auth import caller, require_person
from shanxing_common.web import Blueprint, context

from ..domain.certificates import PURPOSE_MAX
from ..runtime import registry
from ..service import certificates as use_cases
from .certificate_page import render
from .certificate_pdf import render_pdf
from .common import PageArgsSchema, RequestSchema, Trimmed

blp = Blueprint("certificates", __name__, url_prefix="/api/v1",
                description="Service-record certificates (志愿服务记录证明) with a public verification code.")


class CertificateCreateSchema(RequestSchema):
    purpose = Trimmed(load_default=None, allow_none=True, validate=validate.Length(1, PURPOSE_MAX),
                      metadata={"description": "what it is for, e.g. 升学 (printed on it)"})


class CertificatePublicSchema(Schema):
    id = fields.String()
    verification_code = fields.String(metadata={"example": "ABCD-EFGH-JKMN-PQRS"})
    display_name = fields.String(metadata={"description": "masked"})
    id_number = fields.String(metadata={"description": "masked"})
    region_code = fields.String()
    total_hours = fields.String(metadata={"description": "at issue time; decimal string, two places"})
    star_level = fields.Integer()
    record_count = fields.Integer(metadata={"description": "confirmed hours records counted at issue time"})
    purpose = fields.String(allow_none=True)
    issued_at = fields.DateTime()


class CertificateSchema(CertificatePublicSchema):
    volunteer_id = fields.String()


class CertificatePageSchema(Schema):
    items = fields.List(fields.Nested(CertificateSchema))
    next = fields.String(allow_none=True)


@blp.route("/volunteers/me/certificates")
class MyCertificates(MethodView):
    @require_person
    @blp.arguments(CertificateCreateSchema)
    @blp.response(201, CertificateSchema)
    @blp.alt_response(404, description="the caller has no volunteer profile")
    def post(self, form):
        """Issue a certificate of your service record as it stands now"""
        return use_cases.issue(context().db, registry(), caller().subject, form["purpose"])

    @require_person
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, CertificatePageSchema)
    def get(self, args):
        """Your certificates, oldest first"""
        return use_cases.mine(context().db, caller().subject, args.get("cursor"), args["limit"])


@blp.route("/certificates/<code>")
class Verification(MethodView):
    @blp.response(200, CertificatePublicSchema)
    @blp.alt_response(404, description="no certificate has this code")
    def get(self, code):
        """Verify a certificate by its code (public; identity masked)"""
        return use_cases.verify(context().db, registry(), code)


@blp.route("/volunteers/me/certificates/<code>.html")
class PrintableCertificate(MethodView):
    @require_person
    @blp.alt_response(200, description="text/html: the printable certificate (A4)")
    @blp.alt_response(404, description="no certificate of yours has this code")
    def get(self, code):
        """Your certificate as a printable HTML page with its record lines"""
        certificate = use_cases.printable(context().db, registry(), caller().subject, code)
        return Response(render(certificate), mimetype="text/html")


@blp.route("/volunteers/me/certificates/<code>.pdf")
class CertificatePdf(MethodView):
    @require_person
    @blp.alt_response(200, description="application/pdf: the certificate (A4) with its record lines")
    @blp.alt_response(404, description="no certificate of yours has this code")
    def get(self, code):
        """Your certificate as a PDF (the printable page's content)"""
        certificate = use_cases.printable(context().db, registry(), caller().subject, code)
        return Response(render_pdf(certificate), mimetype="application/pdf", headers={
            "Content-Disposition": f'inline; filename="certificate-{certificate["verification_code"]}.pdf"'})
