"""Shanxing registry service."""
from __future__ import annotations

from datetime import datetime
from typing import Callable

from flask import Flask

from shanxing_common.config import Settings
from shanxing_common.web import create_service_app

SERVICE = "registry"


def create_app(settings: Settings | None = None, *, clock: Callable[[], datetime] | None = None) -> Flask:
    from .api import blueprints
    from .config import RegistryConfig
    from .runtime import Registry
    from .service.event_handlers import HANDLERS

    settings = settings or Settings.from_env(SERVICE)
    app = create_service_app(settings, title="Shanxing registry", handlers=HANDLERS,
                             blueprints=blueprints())
    app.extensions["shanxing"].extra["registry"] = Registry.from_config(RegistryConfig.from_env(), clock)
    return app
