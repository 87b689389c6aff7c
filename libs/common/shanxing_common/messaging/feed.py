"""The producer side of the replayable feed: GET /internal/feed (service callers only)."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from .. import internal_auth
from ..problems import field_error
from .outbox import assign_positions, read_feed

feed_blueprint = Blueprint("shanxing_feed", __name__)


@feed_blueprint.get("/internal/feed")
@internal_auth.require_service
def feed():
    try:
        after = int(request.args.get("after", "0"))
        limit = min(max(int(request.args.get("limit", "200")), 1), 1000)
    except ValueError:
        raise field_error("after", "must be an integer") from None
    if after < 0:
        raise field_error("after", "must not be negative")
    types = [t for t in request.args.get("types", "").split(",") if t]
    db = current_app.extensions["shanxing"].db
    with db.transaction() as s:  # position what has committed so far, so the feed is current
        assign_positions(s)
    with db.read() as s:
        return jsonify(read_feed(s, after, types or None, limit))
