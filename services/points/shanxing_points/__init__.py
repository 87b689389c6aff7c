"""Shanxing points service."""
from __future__ import annotations

from flask import Flask

from shanxing_common.config import Settings
from shanxing_common.problems import problem_response
from shanxing_common.web import create_service_app

SERVICE = "points"


def create_app(settings: Settings | None = None) -> Flask:
    from .adapters.secret_box import SecretBox
    from .api import blueprints
    from .api.common import problem_from
    from .config import PointsConfig
    from .domain.errors import PointsError
    from .service.event_handlers import HANDLERS

    settings = settings or Settings.from_env(SERVICE)
    config = PointsConfig.from_env(**settings.extra.get("points", {}))
    app = create_service_app(settings, title="Shanxing points", handlers=HANDLERS,
                             blueprints=blueprints())
    ctx = app.extensions["shanxing"]
    ctx.extra["points_config"] = config
    ctx.extra["secret_box"] = SecretBox(config.secret_key)

    @app.errorhandler(PointsError)
    def _domain_error(error: PointsError):
        return problem_response(problem_from(error))

    return app
