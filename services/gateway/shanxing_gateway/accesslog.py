"""One JSON log line per request (structlog; JSON on stderr once shanxing_common.logs is configured).

Fields: method, path, query_keys, status, duration_ms, request_id, caller (anonymous | person |
merchant) and upstream (the service the request went to; null for the gateway's own routes).
The path is logged without its query values (codes, phone numbers and search words stay out of the
logs), and a redemption code in the path (its QR image) is masked; only the names of the query
parameters are kept.
"""
from __future__ import annotations

import logging
import re
import time

import structlog
from flask import Flask, Response, g, request

ACCESS_LOGGER = "shanxing.gateway.access"
# Path segments that are secrets themselves: a live redemption code (its QR image's path) would
# let whoever reads the logs spend the volunteer's points.
SECRET_SEGMENTS = re.compile(r"(/redemption-codes/)[^/]+")


def loggable_path(path: str) -> str:
    return SECRET_SEGMENTS.sub(r"\1…", path)
fallback = logging.getLogger("shanxing.gateway")


def access_record(status: int) -> dict:
    started = getattr(g, "started", None)
    duration_ms = round((time.perf_counter() - started) * 1000, 2) if started is not None else None
    return {
        "method": request.method,
        "path": loggable_path(request.path),
        "query_keys": sorted(set(request.args.keys())),
        "status": status,
        "duration_ms": duration_ms,
        "request_id": getattr(g, "request_id", None),
        "caller": getattr(g, "caller_kind", "anonymous"),
        # "service" is already every line's emitter ("gateway", bound by shanxing_common.logs)
        "upstream": getattr(g, "upstream_service", None),
    }


def register(app: Flask) -> None:
    @app.after_request
    def _log_request(response: Response) -> Response:
        try:
            # A fresh proxy per line: cheap, and it follows a logging configuration made later.
            structlog.get_logger(ACCESS_LOGGER).info("request", **access_record(response.status_code))
        except Exception:  # noqa: BLE001 - a log line must never fail the request
            fallback.exception("access log failed")
        return response
