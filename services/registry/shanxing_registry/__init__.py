"""Shanxing registry service."""
from __future__ import annotations

from flask import Flask

from shanxing_common.config import Settings
from shanxing_common.web import create_service_app

SERVICE = "registry"


def create_app(settings: Settings | None = None) -> Flask:
    from .api import blueprints
    from .service.event_handlers import HANDLERS

    settings = settings or Settings.from_env(SERVICE)
    return create_service_app(settings, title="Shanxing registry", handlers=HANDLERS,
                              blueprints=blueprints())
