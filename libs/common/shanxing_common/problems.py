"""RFC 9457 problem+json errors for every 4xx/5xx a service or the gateway returns."""
from __future__ import annotations

import logging
from http import HTTPStatus

from flask import Flask, Response, json
from werkzeug.exceptions import HTTPException

PROBLEM_MIME = "application/problem+json"
log = logging.getLogger("shanxing.problems")


class Problem(Exception):
    """Raise anywhere in a request to answer with problem+json.

    ``errors`` maps a field name to messages, for validation failures.
    """

    def __init__(self, status: int, detail: str, *, title: str | None = None,
                 errors: dict | None = None, type_: str | None = None, headers: dict | None = None,
                 **extra):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or HTTPStatus(status).phrase
        self.errors = errors
        self.type = type_ or "about:blank"
        self.headers = headers or {}
        self.extra = extra

    def body(self) -> dict:
        body = {"type": self.type, "title": self.title, "status": self.status, "detail": self.detail}
        if self.errors:
            body["errors"] = self.errors
        body.update(self.extra)
        return body


def field_error(field: str, message: str, status: int = 400) -> Problem:
    return Problem(status, f"{field}: {message}", errors={field: [message]})


def problem_response(problem: Problem) -> Response:
    resp = Response(json.dumps(problem.body(), ensure_ascii=False), status=problem.status,
                    mimetype=PROBLEM_MIME)
    for key, value in problem.headers.items():
        resp.headers[key] = value
    return resp


def _flatten_webargs(messages) -> dict:
    """webargs nests messages by location ({"json": {"field": [...]}}); clients want fields."""
    if not isinstance(messages, dict):
        return {"_schema": [str(messages)]}
    flat: dict = {}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            for name, msgs in fields.items():
                flat[name] = msgs
        else:
            flat[location] = fields
    return flat


def _detail_from_errors(errors: dict) -> str:
    parts = []
    for name, msgs in errors.items():
        if isinstance(msgs, list):
            text = "; ".join(str(m) for m in msgs)
        else:
            text = str(msgs)
        parts.append(f"{name}: {text}")
    return "; ".join(parts) or "invalid input"


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(Problem)
    def _problem(problem: Problem):
        return problem_response(problem)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        data = getattr(exc, "data", None) or {}
        messages = data.get("messages")
        if messages is not None:  # webargs/flask-smorest validation failure
            errors = _flatten_webargs(messages)
            status = 400 if status == 422 else status
            return problem_response(Problem(status, _detail_from_errors(errors), errors=errors))
        headers = {}
        valid_methods = getattr(exc, "valid_methods", None)
        if status == 405 and valid_methods:
            headers["Allow"] = ", ".join(valid_methods)
        return problem_response(Problem(status, exc.description or HTTPStatus(status).phrase,
                                        headers=headers))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error")
        return problem_response(Problem(500, "An unexpected error occurred; it has been logged."))
