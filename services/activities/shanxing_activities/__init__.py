"""Shanxing activities service."""
from __future__ import annotations

from flask import Flask

from shanxing_common.config import Settings
from shanxing_common.web import create_service_app

from .clock import Clock, SystemClock

SERVICE = "activities"


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Flask:
    """``clock`` tells the service what time it is (tests move it instead of sleeping)."""
    from .api import blueprints, register_domain_errors
    from .config import checkin_radius_meters, local_timezone, nearby_meters, review_due_hours
    from .service.event_handlers import HANDLERS

    settings = settings or Settings.from_env(SERVICE)
    app = create_service_app(settings, title="Shanxing activities", handlers=HANDLERS,
                             blueprints=blueprints())
    ctx = app.extensions["shanxing"]
    ctx.extra["clock"] = clock or SystemClock()
    ctx.extra["timezone"] = local_timezone(settings)
    ctx.extra["review_due_hours"] = review_due_hours(settings)
    ctx.extra["checkin_radius_meters"] = checkin_radius_meters(settings)
    ctx.extra["nearby_meters"] = nearby_meters(settings)
    register_domain_errors(app)
    return app
