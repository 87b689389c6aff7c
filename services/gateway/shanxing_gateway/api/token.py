"""POST /api/v1/auth/token: a person's password for an access token (registry checks the password)."""
from __future__ import annotations

from flask import g, request
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from shanxing_common.schemas import RequestSchema
from shanxing_common import internal_auth
from shanxing_common.problems import Problem
from shanxing_common.web import REQUEST_ID_HEADER, Blueprint

from ..adapters.upstream import UpstreamTimeout, UpstreamUnavailable
from ..proxy import client_address
from ..runtime import Gateway, gateway

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Access tokens for people")


class TokenCreateSchema(RequestSchema):
    phone = fields.String(required=True, validate=validate.Regexp(r"^1\d{10}$", error="must be an 11-digit mobile number"))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))


class TokenSchema(Schema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(required=True, metadata={"description": "seconds"})


@blp.route("/token")
class Token(MethodView):
    @blp.arguments(TokenCreateSchema)
    @blp.response(200, TokenSchema)
    @blp.alt_response(401, description="wrong phone or password")
    @blp.alt_response(429, description="too many failed attempts; see Retry-After")
    def post(self, credentials):
        """Exchange a phone number and password for a bearer token"""
        gw = gateway()
        g.upstream_service = "registry"
        verified = verify_password(gw, credentials["phone"], credentials["password"])
        issued = gw.people.issue(verified["subject"], verified.get("roles") or [])
        return {"access_token": issued.access_token, "token_type": issued.token_type,
                "expires_in": issued.expires_in}


# Registry's answers the client may see; anything else means registry is not working (502).
PASSED_THROUGH = {400, 401, 403, 429}


def verify_password(gw: Gateway, phone: str, password: str) -> dict:
    """Ask registry; its 400/401/403/429 come back to the client as problem+json."""
    return verify_with(gw, "registry", "/internal/auth/verify", {"phone": phone, "password": password},
                       required="subject", wrong_credentials="wrong phone or password",
                       challenge='Bearer realm="shanxing"')


def verify_with(gw: Gateway, service: str, path: str, credentials: dict, *, required: str,
                wrong_credentials: str, challenge: str) -> dict:
    """POST credentials to a service's internal check; 200 with ``required`` set is the answer, its
    400/401/403/429 come back to the client as problem+json, anything else is a 502."""
    request_id = getattr(g, "request_id", None)
    headers = {internal_auth.HEADER: gw.service_token(request_id), "Accept": "application/json"}
    if request_id:
        headers[REQUEST_ID_HEADER] = request_id
    address = client_address(gw, request)
    if address:
        headers["X-Forwarded-For"] = address
    try:
        response = gw.upstreams.request(service, "POST", path, headers=headers, json=credentials)
    except UpstreamTimeout as exc:
        raise Problem(504, exc.detail, service=exc.service) from exc
    except UpstreamUnavailable as exc:
        raise Problem(502, exc.detail, service=exc.service) from exc
    if response.status_code == 200:
        try:
            body = response.json()
            if isinstance(body.get(required), str) and body[required]:
                return body
        except (ValueError, AttributeError):
            pass
        raise Problem(502, f"{service} sent a malformed verification answer", service=service)
    if response.status_code in PASSED_THROUGH:
        raise _passed_through(response, wrong_credentials, challenge)
    raise Problem(502, f"{service} answered {response.status_code}", service=service)


def _passed_through(response, wrong_credentials: str, challenge: str) -> Problem:
    headers = {"Retry-After": response.headers["Retry-After"]} if "Retry-After" in response.headers else {}
    if response.status_code == 401:
        headers["WWW-Authenticate"] = challenge
    detail = wrong_credentials if response.status_code == 401 else "the request was refused"
    errors = None
    try:
        body = response.json()
        if isinstance(body, dict):
            detail = str(body.get("detail") or detail)
            errors = body.get("errors") if isinstance(body.get("errors"), dict) else None
    except ValueError:
        pass
    return Problem(response.status_code, detail, errors=errors, headers=headers)
